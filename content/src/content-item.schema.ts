import { z } from 'zod';
import { CategoryId, Locale } from './categories';

/** Lower-case hex sha256: how every asset is named. */
export const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'expected a lower-case hex sha256');

/** An ISO-8601 instant in UTC, e.g. 2026-11-25T08:00:00.000Z. */
export const IsoInstant = z.iso.datetime({ offset: false });

/** A content id: lower-case letters, digits and dashes; shared by the translations of one item. */
export const ContentId = z
  .string()
  .min(1)
  .max(80)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'use lower-case letters, digits and dashes');

/** An image of an item, named by the sha256 of its bytes. */
export const ContentImage = z.object({
  sha256: Sha256,
  alt: z.string().max(300).default(''),
});
export type ContentImage = z.infer<typeof ContentImage>;

/** One content item in one language. (id, locale) is unique; translations share the id. */
export const ContentItem = z
  .object({
    id: ContentId,
    category: CategoryId,
    locale: Locale,
    title: z.string().trim().min(1).max(200),
    summary: z.string().trim().max(500).default(''),
    /** Markdown source. Kiosks render it through the sanitising renderer in this package. */
    body: z.string().max(100_000).default(''),
    images: z.array(ContentImage).max(20).default([]),
    validFrom: IsoInstant.nullable().default(null),
    validUntil: IsoInstant.nullable().default(null),
    /** Increases with every published change. */
    version: z.number().int().positive(),
    updatedAt: IsoInstant,
  })
  .refine((item) => !item.validFrom || !item.validUntil || item.validFrom < item.validUntil, {
    message: 'validUntil must be after validFrom',
    path: ['validUntil'],
  });
export type ContentItem = z.infer<typeof ContentItem>;

/** True when the item's validity window contains the instant. */
export function isValidAt(item: Pick<ContentItem, 'validFrom' | 'validUntil'>, instant: Date): boolean {
  const t = instant.toISOString();
  return (!item.validFrom || item.validFrom <= t) && (!item.validUntil || t < item.validUntil);
}
