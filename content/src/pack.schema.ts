import { z } from 'zod';
import { CategoryId, Locale } from './categories';
import { ContentKind, DEFAULT_CONTENT_KIND, RawPayload } from './content-kind.schema';
import { ContentId, IsoInstant } from './content-item.schema';

/** `pack.json` at the root of a content pack. */
export const PackManifest = z.object({
  id: ContentId,
  name: z.object({ 'zh-CN': z.string().min(1), en: z.string().min(1) }),
  version: z.string().min(1),
  /**
   * When this version of the pack was published; every item gets it as `updatedAt`. Stored in the pack because
   * file times change with every clone, and the same pack must load to the same items everywhere.
   */
  publishedAt: IsoInstant.optional(),
  /** Item files relative to the pack root, e.g. `items/government/notice-heating.zh-CN.md`. */
  items: z.array(z.string().min(1)).min(1),
});
export type PackManifest = z.infer<typeof PackManifest>;

/** Front matter of one Markdown item file. Images are paths relative to the item file. */
export const PackItemFrontMatter = z.object({
  id: ContentId,
  category: CategoryId,
  locale: Locale,
  title: z.string().trim().min(1).max(200),
  summary: z.string().trim().max(500).default(''),
  images: z
    .array(z.object({ file: z.string().min(1), alt: z.string().max(300).default('') }))
    .max(20)
    .default([]),
  validFrom: IsoInstant.nullable().default(null),
  validUntil: IsoInstant.nullable().default(null),
  /** What the item is (content-kind.schema.ts); without one it is a notice, like every pack before kinds. */
  kind: ContentKind.default(DEFAULT_CONTENT_KIND),
  /** The kind's fields as YAML, checked against the kind's schema when the item is parsed. */
  payload: RawPayload.default({}),
});
export type PackItemFrontMatter = z.infer<typeof PackItemFrontMatter>;
