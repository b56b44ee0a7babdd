import type { ContentKind } from '../content-kind.schema';

/**
 * One item as a signage slide shows it, in the screen's language. The kiosk builds it from its content snapshot,
 * the CMS preview from the published item; both resolve asset URLs first.
 */
export interface SignageItem {
  title: string;
  summary: string;
  /** Sanitised HTML with asset URLs already resolved: inserted as it is. */
  bodyHtml: string;
  images: readonly { sha256: string; alt: string }[];
  kind: ContentKind;
  payload: unknown;
}
