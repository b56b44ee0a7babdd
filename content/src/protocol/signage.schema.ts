import { z } from 'zod';
import { IsoInstant, Sha256 } from '../content-item.schema';
import { API_V1 } from './paths';

/** How one playlist entry replaces the previous one. */
export const PLAYLIST_TRANSITIONS = ['fade', 'slide', 'none'] as const;
export const PlaylistTransition = z.enum(PLAYLIST_TRANSITIONS);
export type PlaylistTransition = z.infer<typeof PlaylistTransition>;

/** Screen templates: one full-screen zone; main + bottom ticker; main + notice column + clock/date. */
export const LAYOUT_TEMPLATES = ['full', 'main-ticker', 'main-column-clock'] as const;
export const LayoutTemplate = z.enum(LAYOUT_TEMPLATES);
export type LayoutTemplate = z.infer<typeof LayoutTemplate>;

/** Zones that play a playlist (the clock zone of `main-column-clock` shows the time and needs none). */
export const PLAYLIST_ZONES = ['main', 'ticker', 'column'] as const;
export const PlaylistZone = z.enum(PLAYLIST_ZONES);
export type PlaylistZone = z.infer<typeof PlaylistZone>;

/** The playlist zones of each template, in the order editors fill them in. */
export const TEMPLATE_ZONES: Record<LayoutTemplate, readonly PlaylistZone[]> = {
  full: ['main'],
  'main-ticker': ['main', 'ticker'],
  'main-column-clock': ['main', 'column'],
};

/** Limits shared by the CMS and the protocol. */
export const PLAYLIST_LIMITS = { entries: 200, minSeconds: 2, maxSeconds: 3_600 } as const;

/** One step of a playlist: a content item (all its languages) or a bare asset, shown for `durationSeconds`. */
export const PlaylistEntryV1 = z
  .object({
    itemId: z.string().min(1).max(80).nullable(),
    assetSha256: Sha256.nullable(),
    durationSeconds: z.number().int().min(PLAYLIST_LIMITS.minSeconds).max(PLAYLIST_LIMITS.maxSeconds),
    transition: PlaylistTransition,
  })
  .refine((entry) => (entry.itemId === null) !== (entry.assetSha256 === null), {
    message: 'an entry names either a content item or an asset',
    path: ['itemId'],
  });
export type PlaylistEntryV1 = z.infer<typeof PlaylistEntryV1>;

/** An ordered playlist as a device receives it (only entries the device may see). */
export const PlaylistV1 = z.object({
  id: z.string().min(1).max(80),
  name: z.string().max(120),
  entries: z.array(PlaylistEntryV1).max(PLAYLIST_LIMITS.entries),
});
export type PlaylistV1 = z.infer<typeof PlaylistV1>;

/** The layout a device runs: its template, a playlist id per zone, and the community's time zone for the clock. */
export const LayoutV1 = z.object({
  id: z.string().min(1).max(80),
  name: z.string().max(120),
  template: LayoutTemplate,
  zones: z.partialRecord(PlaylistZone, z.string().min(1).max(80)),
  timeZone: z.string().min(1).max(64),
});
export type LayoutV1 = z.infer<typeof LayoutV1>;

/** Where a play happened: a layout zone, or the attract loop of a touch kiosk. */
export const PlayZone = z.enum([...PLAYLIST_ZONES, 'attract']);
export type PlayZone = z.infer<typeof PlayZone>;

/** One proof-of-play record: what was on screen, where, from when and for how long. */
export const PlayRecordV1 = z
  .object({
    itemId: z.string().min(1).max(80).nullable(),
    assetSha256: Sha256.nullable(),
    zone: PlayZone,
    startedAt: IsoInstant,
    durationMs: z.number().int().min(0).max(86_400_000),
  })
  .refine((play) => (play.itemId === null) !== (play.assetSha256 === null), {
    message: 'a play names either a content item or an asset',
    path: ['itemId'],
  });
export type PlayRecordV1 = z.infer<typeof PlayRecordV1>;

/** One interaction record: a resident opened an item and read it for `dwellMs`. */
export const TouchRecordV1 = z.object({
  itemId: z.string().min(1).max(80),
  openedAt: IsoInstant,
  dwellMs: z.number().int().min(0).max(86_400_000),
});
export type TouchRecordV1 = z.infer<typeof TouchRecordV1>;

/** At most this many records of each kind in one batch (and the body is capped at 256 KB). */
export const STATS_BATCH_MAX_RECORDS = 500;

/**
 * A batch of plays and touches from a kiosk's outbox. `batchId` is made once when the batch is sealed and sent
 * again on every retry: the server stores each (device, batchId) once and answers a repeat with `replayed: true`.
 */
export const DeviceStatsBatchV1 = z
  .object({
    batchId: z.uuid(),
    plays: z.array(PlayRecordV1).max(STATS_BATCH_MAX_RECORDS),
    touches: z.array(TouchRecordV1).max(STATS_BATCH_MAX_RECORDS),
  })
  .refine((batch) => batch.plays.length + batch.touches.length > 0, {
    message: 'a batch holds at least one play or touch',
    path: ['plays'],
  });
export type DeviceStatsBatchV1 = z.infer<typeof DeviceStatsBatchV1>;

/** The server's answer to a stats batch. */
export const DeviceStatsResponseV1 = z.object({
  batchId: z.uuid(),
  plays: z.number().int().min(0),
  touches: z.number().int().min(0),
  /** True when this batch had been received before (nothing was counted again). */
  replayed: z.boolean(),
});
export type DeviceStatsResponseV1 = z.infer<typeof DeviceStatsResponseV1>;

/** Paths of the proof-of-play API. */
export const signagePaths = { deviceStats: `${API_V1}/device/stats` } as const;
