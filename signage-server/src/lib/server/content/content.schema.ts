import { z } from 'zod';
import {
  CategoryId,
  ContentId,
  ContentImage,
  Daypart,
  IsoInstant,
  Locale,
  type ContentItem,
  type Targeting,
} from '@linli/content';

/** Where an item is in its life: drafts are never shown on screens; unpublished items were and are no more. */
export const CONTENT_STATUSES = ['draft', 'published', 'unpublished'] as const;
export const ContentStatus = z.enum(CONTENT_STATUSES);
export type ContentStatus = z.infer<typeof ContentStatus>;

/** Where an item came from: written in the CMS or imported from a content pack. */
export type ContentSource = 'cms' | 'pack';

/** One stored item in one locale: the protocol's ContentItem plus what only the CMS needs. */
export interface ContentRecord extends ContentItem {
  status: ContentStatus;
  source: ContentSource;
  /** The body rendered by renderMarkdown on save (safe by construction). */
  bodyHtml: string;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  publishedAt: string | null;
  /** Recurring slots of the week it plays in (empty: any time within the validity window). */
  dayparts: Daypart[];
  /** Higher plays first, 0–100. */
  priority: number;
  /** Which devices it is for (all lists empty: every device). */
  target: Targeting;
}

/** A target name as editors type it: trimmed, lower-case like device groups and tags, no commas. */
const TargetName = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[^,，]*$/, 'cms.error.targetComma');

/** The targeting an editor saves: the content/ Targeting, with names bounded and de-duplicated. */
export const ContentTargeting = z
  .object({
    communities: z.array(TargetName).max(50).default([]),
    buildings: z.array(TargetName).max(200).default([]),
    groups: z.array(TargetName.toLowerCase()).max(50).default([]),
    tags: z.array(TargetName.toLowerCase()).max(50).default([]),
  })
  .transform((t): Targeting => ({
    communities: [...new Set(t.communities)],
    buildings: [...new Set(t.buildings)],
    groups: [...new Set(t.groups)],
    tags: [...new Set(t.tags)],
  }));

/**
 * What an editor saves. Custom messages are i18n keys (`cms.error.*`) so the UI can show them in its language.
 */
export const ContentDraft = z
  .object({
    id: ContentId,
    locale: Locale,
    category: CategoryId,
    title: z.string().trim().min(1).max(200),
    summary: z.string().trim().max(500).default(''),
    body: z.string().max(100_000).default(''),
    images: z.array(ContentImage).max(20).default([]),
    validFrom: IsoInstant.nullable().default(null),
    validUntil: IsoInstant.nullable().default(null),
    dayparts: z.array(Daypart).max(20).default([]),
    priority: z.number().int().min(0).max(100).default(50),
    target: ContentTargeting.default({ communities: [], buildings: [], groups: [], tags: [] }),
  })
  .refine((d) => !d.validFrom || !d.validUntil || d.validFrom < d.validUntil, {
    message: 'cms.error.validUntilBeforeFrom',
    path: ['validUntil'],
  });
export type ContentDraft = z.infer<typeof ContentDraft>;
export type ContentDraftInput = z.input<typeof ContentDraft>;

/** Filters of the CMS list. */
export const ContentFilter = z.object({
  category: CategoryId.optional().catch(undefined),
  status: ContentStatus.optional().catch(undefined),
  locale: Locale.optional().catch(undefined),
  /** Free text matched against title and id. */
  q: z.string().trim().max(100).optional().catch(undefined),
});
export type ContentFilter = z.infer<typeof ContentFilter>;

/** A field at fault: `message` is an i18n key or plain text. */
export interface ContentFieldIssue {
  path: string;
  message: string;
  code?: string;
  /** zod's limit for too_big / too_small issues, for the message. */
  limit?: number;
}

/** Why a content change was refused. */
export type ContentError =
  | { kind: 'invalid'; message: string; issues: ContentFieldIssue[] }
  | { kind: 'not-found'; message: string }
  | { kind: 'conflict'; message: string; field: string };

export type ContentResult<T> = { ok: true; value: T } | { ok: false; error: ContentError };

/** Stamp of the row an editor started from; a save against an older stamp is a conflicting edit. */
export const ExpectedUpdatedAt = IsoInstant.optional();
