import { z } from 'zod';
import { CategoryId, Locale } from './categories';
import { ContentKind, DEFAULT_CONTENT_KIND, parseKindPayload, RawPayload } from './content-kind.schema';
import { Daypart } from './schedule/schedule.schema';

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
    /** What the item is (content-kind.schema.ts); items from before kinds existed are notices. */
    kind: ContentKind.default(DEFAULT_CONTENT_KIND),
    /** The kind's fields, checked against its schema below. */
    payload: RawPayload.default({}),
    validFrom: IsoInstant.nullable().default(null),
    validUntil: IsoInstant.nullable().default(null),
    /**
     * The schedule's priority (0–100, schedule.schema.ts): screens list higher ones first, newest first among
     * equals. Manifests from before it carry none: every item is then the default 50.
     */
    priority: z.number().int().min(0).max(100).default(50),
    /**
     * When in the week it plays, in the manifest's `timeZone` (empty: whenever valid). The server sends only items
     * playing now; the kiosk applies the same schedule so an item leaves the screen on time while offline too.
     */
    dayparts: z.array(Daypart).max(20).default([]),
    /** Increases with every published change. */
    version: z.number().int().positive(),
    updatedAt: IsoInstant,
  })
  .refine((item) => !item.validFrom || !item.validUntil || item.validFrom < item.validUntil, {
    message: 'validUntil must be after validFrom',
    path: ['validUntil'],
  })
  .superRefine((item, ctx) => checkPayload(item.kind, item.payload, ctx));
export type ContentItem = z.infer<typeof ContentItem>;

/** True when the item's validity window contains the instant. */
export function isValidAt(item: Pick<ContentItem, 'validFrom' | 'validUntil'>, instant: Date): boolean {
  const t = instant.toISOString();
  return (!item.validFrom || item.validFrom <= t) && (!item.validUntil || t < item.validUntil);
}

/** Reports a payload that its kind's schema refuses, each issue under `payload.<field>`. */
export function checkPayload(kind: ContentKind, payload: unknown, ctx: z.RefinementCtx): void {
  const parsed = parseKindPayload(kind, payload);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    // the union's own paths start with "payload" already; a wrong kind is reported on the kind
    const path = issue.path[0] === 'payload' ? issue.path : ['kind', ...issue.path];
    // the issue as the payload's schema raised it (code, limits), so forms can say "required" or "too long"
    ctx.addIssue({
      ...(issue as z.core.$ZodRawIssue),
      path: path.map((part) => part as string | number),
    });
  }
}
