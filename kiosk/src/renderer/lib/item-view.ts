import { DEFAULT_LOCALE, rewriteAssetUrls, type Locale } from '@linli/content';
import DOMPurify from 'dompurify';
import { ASSET_URL_PLACEHOLDER, type KioskItem, type KioskItemText } from '../../shared/kiosk-api';

/** The item's text in the chosen language, falling back to zh-CN, then to whatever exists. */
export function textFor(item: KioskItem, locale: Locale): KioskItemText | null {
  return (
    item.translations[locale] ??
    item.translations[DEFAULT_LOCALE] ??
    Object.values(item.translations)[0] ??
    null
  );
}

/** The URL of a cached asset, served by the host. */
export function assetUrl(template: string, sha256: string): string {
  return template.replace(ASSET_URL_PLACEHOLDER, sha256);
}

// DOMPurify hooks are global to its instance: install one that reads the prefix of the current call.
let hooked = false;
let currentAssetPrefix = '';

/**
 * The body HTML ready for insertion. The host rendered it with the safe Markdown renderer already; it is
 * sanitised again here as defence in depth. Links become plain text (a kiosk must never navigate away from
 * itself), and an image is kept only if it comes from the host's asset cache.
 */
export function bodyHtmlFor(text: KioskItemText, template: string): string {
  const html = rewriteAssetUrls(text.bodyHtml, (sha) => assetUrl(template, sha));
  const assetPrefix = template.slice(0, template.indexOf(ASSET_URL_PLACEHOLDER));
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook('uponSanitizeElement', (node, data) => {
      if (data.tagName !== 'img' || !(node instanceof Element)) return;
      const src = node.getAttribute('src') ?? '';
      if (!src.startsWith(currentAssetPrefix)) node.remove();
    });
  }
  currentAssetPrefix = assetPrefix;
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ['a', 'form', 'input', 'button', 'textarea', 'select', 'iframe', 'style', 'video', 'audio'],
    FORBID_ATTR: ['style', 'srcset'],
  });
}

/** Images of the item that the body does not already show (shown as a gallery under the text). */
export function extraImages(text: KioskItemText): KioskItemText['images'] {
  return text.images.filter((image) => !text.bodyHtml.includes(`asset:${image.sha256}`));
}

/** A piece of text, marked when it matches a search term. */
export interface TextPart {
  text: string;
  match: boolean;
}

/**
 * Splits text into parts that match one of the terms (case-insensitive) and parts that do not, so the renderer
 * can wrap matches in <mark> without building HTML from strings.
 */
export function highlightParts(text: string, query: string): TextPart[] {
  const terms = [
    ...new Set(
      query
        .toLowerCase()
        .split(/[\s\u3000]+/u)
        .filter(Boolean),
    ),
  ];
  if (terms.length === 0) return [{ text, match: false }];
  const lower = text.toLowerCase();
  const parts: TextPart[] = [];
  let at = 0;
  while (at < text.length) {
    let next = -1;
    let length = 0;
    for (const term of terms) {
      const found = lower.indexOf(term, at);
      if (found >= 0 && (next < 0 || found < next || (found === next && term.length > length))) {
        next = found;
        length = term.length;
      }
    }
    if (next < 0) break;
    if (next > at) parts.push({ text: text.slice(at, next), match: false });
    parts.push({ text: text.slice(next, next + length), match: true });
    at = next + length;
  }
  if (at < text.length) parts.push({ text: text.slice(at), match: false });
  return parts;
}
