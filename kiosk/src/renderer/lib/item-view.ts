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
