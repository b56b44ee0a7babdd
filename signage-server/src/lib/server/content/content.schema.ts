import { z } from 'zod';
import {
  CategoryId,
  checkPayload,
  ContentKind,
  parseKindPayload,
  RawPayload,
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

/**
 * Where one version of an item is in the review workflow (issue 4). A version is written as a draft, submitted,
 * approved or rejected (with a reason, and then edited again) by a reviewer who did not write it, published, and
 * later superseded by a newer published version or archived (taken off screens). Expired is not stored: it is a
 * published version whose validity window has passed (see `displayState`).
 */
export const WORKFLOW_STATES = [
  'draft',
  'submitted',
  'approved',
  'rejected',
  'published',
  'superseded',
  'archived',
] as const;
export const WorkflowState = z.enum(WORKFLOW_STATES);
export type WorkflowState = z.infer<typeof WorkflowState>;

/** States an editor can still change in place: nothing of them was ever on screens. */
export const OPEN_STATES: readonly WorkflowState[] = ['draft', 'submitted', 'approved', 'rejected'];

/** What the CMS shows and filters by: the stored state, or `expired` for a live version past its validity. */
export const DISPLAY_STATES = [...WORKFLOW_STATES, 'expired'] as const;
export type DisplayState = (typeof DISPLAY_STATES)[number];

/** The state to show for a version: published but past its `validUntil` reads as expired. */
export function displayState(state: WorkflowState, validUntil: string | null, now: Date): DisplayState {
  return state === 'published' && validUntil !== null && validUntil <= now.toISOString() ? 'expired' : state;
}

/** One version of an item: an immutable snapshot once it has left the open states. */
export interface ContentVersion {
  id: string;
  locale: Locale;
  version: number;
  state: WorkflowState;
  /** The item as it was in this version. */
  record: ContentRecord;
  authorId: string | null;
  authorName: string | null;
  /** Users who wrote into this version: none of them may approve it. */
  contributors: string[];
  /** Why it was rejected, or a note on a rollback. */
  reason: string | null;
  /** The version a rollback copied. */
  basedOn: number | null;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  reviewedAt: string | null;
  reviewedByName: string | null;
  publishedAt: string | null;
  publishedByName: string | null;
}

/** A rejection reason: required, so the author knows what to change. */
export const RejectionReason = z.string().trim().min(1).max(500);

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
  /** The version screens show, or null when none is live (the row itself holds the working version). */
  publishedVersion?: number | null;
}

/** A row of the CMS list: the working version and its workflow state. */
export interface ListedContent extends ContentRecord {
  state: WorkflowState;
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
    /** What the item is and that kind's fields (content-kind.schema.ts); checked field by field below. */
    kind: ContentKind.default('notice'),
    payload: RawPayload.default({}),
  })
  .refine((d) => !d.validFrom || !d.validUntil || d.validFrom < d.validUntil, {
    message: 'cms.error.validUntilBeforeFrom',
    path: ['validUntil'],
  })
  .superRefine((d, ctx) => checkPayload(d.kind, d.payload, ctx))
  // stored as the kind's schema reads it (trimmed, defaults filled); a provider's ratings are never typed in
  .transform((d) => ({ ...d, payload: normalisedPayload(d.kind, d.payload) }));
export type ContentDraft = z.infer<typeof ContentDraft>;

function normalisedPayload(kind: ContentKind, payload: RawPayload): RawPayload {
  const parsed = parseKindPayload(kind, payload);
  if (!parsed.success) return payload; // unreachable: superRefine refused it
  const value: RawPayload = { ...parsed.data.payload };
  if (parsed.data.kind === 'provider') delete value.rating;
  return value;
}
export type ContentDraftInput = z.input<typeof ContentDraft>;

/** Filters of the CMS list. */
export const ContentFilter = z.object({
  category: CategoryId.optional().catch(undefined),
  /** Workflow state of the working version (`expired`: the live version's window has passed). */
  status: z.enum(DISPLAY_STATES).optional().catch(undefined),
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
  | { kind: 'conflict'; message: string; field: string }
  /** The user may not do this: wrong role, or approving a version they wrote themselves. */
  | { kind: 'forbidden'; message: string; reason: 'role' | 'own-version' }
  /** The transition does not start from the version's current state (e.g. approving a draft). */
  | { kind: 'invalid-transition'; message: string; from: WorkflowState | null; action: WorkflowAction };

/** The workflow transitions a user can ask for. */
export const WORKFLOW_ACTIONS = [
  'submit',
  'approve',
  'approve-publish',
  'reject',
  'publish',
  'archive',
  'rollback',
] as const;
export type WorkflowAction = (typeof WORKFLOW_ACTIONS)[number];

export type ContentResult<T> = { ok: true; value: T } | { ok: false; error: ContentError };

/** Stamp of the row an editor started from; a save against an older stamp is a conflicting edit. */
export const ExpectedUpdatedAt = IsoInstant.optional();
