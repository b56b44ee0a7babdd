import { z } from 'zod';

/** `HH:MM`, 00:00 to 23:59, in the community's time zone. */
export const WallTime = z
  .string()
  .regex(/^(?:[01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM, 00:00 to 23:59');

/** An IANA time zone the runtime knows, e.g. Asia/Shanghai (a community's clock: dayparts are in it). */
export const TimeZoneName = z
  .string()
  .min(1)
  .max(64)
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return true;
    } catch {
      return false;
    }
  }, 'an IANA time zone such as Asia/Shanghai');

/** ISO weekday: Monday = 1 … Sunday = 7. */
export const IsoWeekday = z.number().int().min(1).max(7);

/**
 * A recurring slot of the week. The days are the days the slot starts on: `end` before `start` runs across midnight
 * into the next day (Friday 22:00–02:00 ends on Saturday), and `end` equal to `start` lasts 24 hours (00:00–00:00
 * is the whole day).
 */
export const Daypart = z.object({
  days: z.array(IsoWeekday).min(1).max(7),
  start: WallTime,
  end: WallTime,
});
export type Daypart = z.infer<typeof Daypart>;

/**
 * Which devices an entry is for. Every list that is not empty must match (community AND building AND …); within a
 * list any value matches (building 2 OR building 3). All lists empty: every device.
 */
export const Targeting = z.object({
  communities: z.array(z.string().min(1)).default([]),
  buildings: z.array(z.string().min(1)).default([]),
  groups: z.array(z.string().min(1)).default([]),
  tags: z.array(z.string().min(1)).default([]),
});
export type Targeting = z.infer<typeof Targeting>;

/** When and where a piece of content plays. */
export const Schedule = z
  .object({
    /** ISO instants; null is open-ended. The window is [validFrom, validTo). */
    validFrom: z.iso.datetime({ offset: true }).nullable().default(null),
    validTo: z.iso.datetime({ offset: true }).nullable().default(null),
    /** Empty: at any time within the window. */
    dayparts: z.array(Daypart).max(20).default([]),
    /** Higher plays first; ties keep their given order. */
    priority: z.number().int().min(0).max(100).default(50),
    target: Targeting.default({ communities: [], buildings: [], groups: [], tags: [] }),
  })
  .refine((s) => !s.validFrom || !s.validTo || Date.parse(s.validFrom) < Date.parse(s.validTo), {
    message: 'the window must end after it starts',
    path: ['validTo'],
  });
export type Schedule = z.infer<typeof Schedule>;

/** What the resolver knows about a device. */
export interface DeviceTarget {
  communityId: string | null;
  buildingId: string | null;
  groups: readonly string[];
  tags: readonly string[];
  /** The community's IANA time zone, e.g. Asia/Shanghai. */
  timeZone: string;
}
