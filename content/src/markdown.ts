import { Marked } from 'marked';
import type { Tokens } from 'marked';

/*
 * Markdown -> HTML that is safe by construction, for the kiosk and the CMS preview alike.
 *
 * Rather than render freely and clean up afterwards, every renderer that could emit markup taken from the input
 * is replaced: raw HTML becomes escaped text, and the only attributes we ever write are href/src/alt/title, each
 * built from a value we checked and then escaped. marked's own renderers for the remaining tokens (paragraphs,
 * lists, tables, emphasis, ...) only wrap text that marked already escaped. The result is safe to insert with
 * innerHTML as it is; the kiosk still runs DOMPurify over it (item-view.ts) as a second, independent layer.
 */

/** A Markdown image reference to a content-addressed asset: `asset:<lower-case sha256>`. */
export const ASSET_REF_PATTERN = /^asset:([0-9a-f]{64})$/;

const LINK_SCHEMES = /^(?:https?:\/\/|mailto:|tel:)/i;
const IMAGE_HTTPS = /^https:\/\//i;
// Browsers strip or ignore these inside URLs; refusing them keeps "what we checked" equal to "what they load".
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\s]/u;

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for use in HTML content and in double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  colon: ':',
  sol: '/',
  tab: '\t',
  newline: '\n',
  nbsp: '\u00a0',
  lpar: '(',
  rpar: ')',
  period: '.',
  comma: ',',
  num: '#',
  percnt: '%',
  quest: '?',
  equals: '=',
};

/**
 * Decodes the character references an author may have written in a URL (`&amp;`, `&#106;`, `&#x6A;`).
 * Safety does not depend on this being complete: the decoded string is what we check, and we write it back
 * with every `&` escaped, so the browser sees exactly the checked string and decodes nothing further.
 */
function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);?/g, (match, ref: string) => {
    if (ref.startsWith('#')) {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? match;
  });
}

/** The href to write for a Markdown link, or null when the link must be dropped (only its text is shown). */
export function safeLinkHref(raw: string): string | null {
  const href = decodeEntities(raw.trim());
  if (CONTROL_CHARS.test(href) || !LINK_SCHEMES.test(href)) return null;
  return href;
}

/** The src to write for a Markdown image (`asset:<sha256>` or https), or null when only its alt text is shown. */
export function safeImageSrc(raw: string): string | null {
  const src = decodeEntities(raw.trim());
  if (CONTROL_CHARS.test(src)) return null;
  const lower = src.toLowerCase();
  if (ASSET_REF_PATTERN.test(lower)) return lower;
  return IMAGE_HTTPS.test(src) ? src : null;
}

const marked = new Marked({
  async: false,
  gfm: true,
  breaks: false,
  // marked passes the text after an inline <script>, <pre> or <style> tag through unescaped, expecting that tag to
  // be live HTML. Ours is shown as text, so the text after it must be escaped like any other.
  walkTokens(token) {
    if (token.type === 'text' && token.escaped) token.escaped = false;
  },
  renderer: {
    // Raw HTML in Markdown is shown as the text the author typed, never interpreted.
    html({ text, block }: Tokens.HTML | Tokens.Tag): string {
      return block ? `<p>${escapeHtml(text.trim())}</p>\n` : escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      const safe = safeLinkHref(href);
      if (safe === null) return inner;
      const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(safe)}"${titleAttr}>${inner}</a>`;
    },
    // marked's own image renderer writes the alt text unescaped; ours escapes it.
    image({ href, title, text, tokens }: Tokens.Image): string {
      const alt = tokens ? this.parser.parseInline(tokens, this.parser.textRenderer) : text;
      const safe = safeImageSrc(href);
      if (safe === null) return escapeHtml(alt);
      const titleAttr = title ? ` title="${escapeHtml(title)}"` : '';
      return `<img src="${escapeHtml(safe)}" alt="${escapeHtml(alt)}"${titleAttr}>`;
    },
    code({ text, lang }: Tokens.Code): string {
      const language = lang && /^[a-zA-Z0-9_+-]{1,30}$/.test(lang) ? ` class="language-${lang}"` : '';
      return `<pre><code${language}>${escapeHtml(text.replace(/\n$/, ''))}\n</code></pre>\n`;
    },
  },
});

/**
 * Renders Markdown to HTML that can be inserted as-is: raw HTML is escaped, links keep only http(s)/mailto/tel
 * targets, images only `asset:<sha256>` or https sources, and no event-handler or style attribute is ever written.
 */
export function renderMarkdown(markdown: string): string {
  return marked.parse(markdown, { async: false });
}

/**
 * Replaces the `asset:<sha256>` image sources written by `renderMarkdown` with real URLs, e.g. the device API's
 * asset path. It only touches `<img src="asset:<64 hex>"`: our renderer escapes every quote in text and attribute
 * values, so that exact sequence cannot come from the author's text.
 */
export function rewriteAssetUrls(html: string, toUrl: (sha256: string) => string): string {
  return html.replace(
    /<img src="asset:([0-9a-f]{64})"/g,
    (_match, sha: string) => `<img src="${escapeHtml(toUrl(sha))}"`,
  );
}

/**
 * Replaces the https images written by `renderMarkdown` with their alt text, for screens that show only stored
 * assets (the kiosk, the CMS previews): an outside image would be a request to a third party every time the page
 * is shown. Like `rewriteAssetUrls` it matches only our renderer's exact output, which author text cannot forge.
 */
export function dropExternalImages(html: string): string {
  return html.replace(
    /<img src="https:\/\/[^"]*" alt="([^"]*)"(?: title="[^"]*")?>/g,
    (_match, alt: string) => alt,
  );
}
