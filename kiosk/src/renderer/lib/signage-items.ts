import type { SignageItem } from '@linli/content';
import type { KioskItem } from '../../shared/kiosk-api';
import { bodyHtmlFor, textFor } from './item-view';

/**
 * Looks up the snapshot's items as signage slides show them: in zh-CN (signage has no language switch), body
 * sanitised by bodyHtmlFor. Each item is prepared once per snapshot, when a zone first asks for it.
 */
export function signageItems(
  items: readonly KioskItem[],
  template: string,
): (id: string) => SignageItem | null {
  const byId = new Map(items.map((item) => [item.id, item]));
  const prepared = new Map<string, SignageItem | null>();
  return (id) => {
    if (prepared.has(id)) return prepared.get(id)!;
    const item = byId.get(id);
    const text = item ? textFor(item, 'zh-CN') : null;
    const slide: SignageItem | null = text
      ? {
          title: text.title,
          summary: text.summary,
          bodyHtml: bodyHtmlFor(text, template),
          images: text.images,
          kind: text.kind,
          payload: text.payload,
        }
      : null;
    prepared.set(id, slide);
    return slide;
  };
}
