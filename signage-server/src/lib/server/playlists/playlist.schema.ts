import {
  LayoutTemplate,
  PLAYLIST_LIMITS,
  PlaylistTransition,
  PlaylistZone,
  Sha256,
  type PlaylistEntryV1,
  type Targeting,
} from '@linli/content';
import { z } from 'zod';
import type { Result } from '../result';

/** Failures of the playlist and layout rules. */
export type PlaylistFailureKind = 'invalid' | 'not-found' | 'in-use';
/** `error.params.field` names the form field at fault for `invalid`. */
export type PlaylistResult<T> = Result<T, PlaylistFailureKind>;

/** A stored playlist entry (position is its place in the list, from 0). */
export type PlaylistEntryRecord = PlaylistEntryV1 & { position: number };

/** A stored playlist with its entries in order. */
export interface PlaylistRecord {
  id: string;
  name: string;
  entries: PlaylistEntryRecord[];
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

/** A playlist as the CMS list shows it. */
export interface PlaylistSummary {
  id: string;
  name: string;
  entries: number;
  totalSeconds: number;
  /** Layouts whose zones name it (a playlist in use cannot be deleted). */
  usedBy: number;
  updatedBy: string;
  updatedAt: string;
}

/** A stored layout: template, zone → playlist, targeting and priority. */
export interface LayoutRecord {
  id: string;
  name: string;
  template: LayoutTemplate;
  priority: number;
  target: Targeting;
  zones: Partial<Record<PlaylistZone, string>>;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

const name = z.string().trim().min(1, 'required').max(120);
const formNumber = z.coerce.number().int();

/** The name of a new or renamed playlist. */
export const PlaylistNameInput = z.object({ name });

/**
 * One entry as the CMS form sends it: `source` is `item:<id>` or `asset:<sha256>` (one select lists both), so a
 * plain form POST picks exactly one.
 */
export const PlaylistEntryInput = z
  .object({
    source: z.string().trim().min(1, 'required'),
    durationSeconds: formNumber.min(PLAYLIST_LIMITS.minSeconds).max(PLAYLIST_LIMITS.maxSeconds),
    transition: PlaylistTransition,
  })
  .transform((input, ctx) => {
    const [kind, ...rest] = input.source.split(':');
    const value = rest.join(':');
    if (kind === 'item' && value.length > 0 && value.length <= 80)
      return { ...input, itemId: value, assetSha256: null };
    if (kind === 'asset' && Sha256.safeParse(value).success)
      return { ...input, itemId: null, assetSha256: value };
    ctx.addIssue({ code: 'custom', message: 'expected item:<id> or asset:<sha256>', path: ['source'] });
    return z.NEVER;
  })
  .transform(({ itemId, assetSha256, durationSeconds, transition }): PlaylistEntryV1 => ({
    itemId,
    assetSha256,
    durationSeconds,
    transition,
  }));

/** A new layout: its name and template (zones are filled in on its page). */
export const LayoutCreateInput = z.object({ name, template: LayoutTemplate });

const ids = z
  .array(z.string().trim().max(80))
  .transform((values) => [...new Set(values.filter(Boolean))].sort());
// groups and tags are matched case-insensitively, as the device page stores them
const labels = z
  .array(z.string().trim().toLowerCase().max(40))
  .transform((values) => [...new Set(values.filter(Boolean))].sort());

/** A layout as its edit form sends it. */
export const LayoutSaveInput = z.object({
  name,
  template: LayoutTemplate,
  priority: formNumber.min(0).max(100),
  target: z.object({
    communities: ids,
    buildings: ids,
    groups: labels,
    tags: labels,
  }),
  zones: z.partialRecord(PlaylistZone, z.string().trim().max(80)),
});
export type LayoutSaveInput = z.input<typeof LayoutSaveInput>;

/** Splits a comma- or space-separated list typed into a form field. */
export function splitList(value: string): string[] {
  return value
    .split(/[,，\s]+/u)
    .map((part) => part.trim())
    .filter(Boolean);
}
