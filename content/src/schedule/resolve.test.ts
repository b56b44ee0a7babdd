import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { instantOfWallClock } from '../time/zoned';
import { isTargeted, playlistAt, resolveSchedule, type Scheduled } from './resolve';
import { Schedule, type DeviceTarget } from './schedule.schema';

const SHANGHAI = 'Asia/Shanghai';
const device: DeviceTarget = {
  communityId: 'xingfuli',
  buildingId: 'b2',
  groups: ['lobby'],
  tags: ['touch'],
  timeZone: SHANGHAI,
};
/** Shanghai wall clock → ms. 2026-11-27 is a Friday. */
const at = (day: number, hour: number, minute = 0) =>
  instantOfWallClock(SHANGHAI, 2026, 11, day, hour, minute);
const entry = (item: string, schedule: Partial<Schedule> = {}): Scheduled<string> => ({
  item,
  schedule: Schedule.parse(schedule),
});

describe('resolveSchedule', () => {
  const friNight = entry('friday-night', { dayparts: [{ days: [5], start: '22:00', end: '02:00' }] });

  it.each([
    ['Friday 21:59', at(27, 21, 59), []],
    ['Friday 22:00', at(27, 22, 0), ['friday-night']],
    ['Saturday 01:59', at(28, 1, 59), ['friday-night']],
    ['Saturday 02:00', at(28, 2, 0), []],
    ['Thursday 23:00', at(26, 23, 0), []],
    ['Saturday 22:30', at(28, 22, 30), []],
  ])('a slot across midnight (Fri 22:00–02:00) at %s', (_, ms, expected) => {
    expect(resolveSchedule([friNight], device, ms).playlist).toEqual(expected);
  });

  it('says when the slot across midnight starts and ends', () => {
    expect(resolveSchedule([friNight], device, at(27, 9)).nextChangeAt).toBe(at(27, 22));
    expect(resolveSchedule([friNight], device, at(27, 23)).nextChangeAt).toBe(at(28, 2));
    // Saturday morning: the next start is next Friday, six and a bit days on.
    expect(resolveSchedule([friNight], device, at(28, 3)).nextChangeAt).toBe(at(34, 22));
  });

  it('plays higher priority first and keeps the given order on ties', () => {
    const entries = [
      entry('a', { priority: 10 }),
      entry('b', { priority: 90 }),
      entry('c', { priority: 10 }),
    ];
    expect(resolveSchedule(entries, device, at(27, 12)).playlist).toEqual(['b', 'a', 'c']);
  });

  it('honours the validity window [from, to) and never changes without one', () => {
    const notice = entry('notice', {
      validFrom: new Date(at(27, 8)).toISOString(),
      validTo: new Date(at(29, 8)).toISOString(),
    });
    expect(resolveSchedule([notice], device, at(27, 7)).playlist).toEqual([]);
    expect(resolveSchedule([notice], device, at(27, 7)).nextChangeAt).toBe(at(27, 8));
    expect(resolveSchedule([notice], device, at(28, 7))).toEqual({
      playlist: ['notice'],
      nextChangeAt: at(29, 8),
    });
    expect(resolveSchedule([notice], device, at(29, 8)).playlist).toEqual([]);
    expect(resolveSchedule([entry('always')], device, at(27, 7))).toEqual({
      playlist: ['always'],
      nextChangeAt: null,
    });
  });

  it('a whole-day slot (start = end) covers its days', () => {
    const weekend = entry('weekend', { dayparts: [{ days: [6, 7], start: '00:00', end: '00:00' }] });
    expect(resolveSchedule([weekend], device, at(28, 0)).playlist).toEqual(['weekend']);
    expect(resolveSchedule([weekend], device, at(29, 23, 59)).playlist).toEqual(['weekend']);
    expect(resolveSchedule([weekend], device, at(30, 0)).playlist).toEqual([]);
    expect(resolveSchedule([weekend], device, at(28, 10)).nextChangeAt).toBe(at(30, 0));
  });

  it('targets by community AND building AND group AND tag, any value within each', () => {
    const target = (t: Partial<Schedule['target']>) =>
      isTargeted({ communities: [], buildings: [], groups: [], tags: [], ...t }, device);
    expect(target({})).toBe(true);
    expect(target({ buildings: ['b1', 'b2'] })).toBe(true);
    expect(target({ buildings: ['b3'] })).toBe(false);
    expect(target({ communities: ['xingfuli'], tags: ['touch'] })).toBe(true);
    expect(target({ communities: ['xingfuli'], tags: ['outdoor'] })).toBe(false);
    expect(target({ groups: ['gate'] })).toBe(false);
    expect(
      isTargeted(
        { communities: [], buildings: ['b2'], groups: [], tags: [] },
        { ...device, buildingId: null },
      ),
    ).toBe(false);
    const elsewhere = entry('elsewhere', {
      target: { communities: ['other'], buildings: [], groups: [], tags: [] },
    });
    expect(resolveSchedule([elsewhere], device, at(27, 12)).playlist).toEqual([]);
  });

  it('finds the change a daylight-saving jump causes (New York, spring forward 2027-03-14)', () => {
    const ny = { ...device, timeZone: 'America/New_York' };
    // 02:30 does not exist that night; the slot 02:30–05:00 starts when the clocks jump to 03:00.
    const small = entry('small-hours', { dayparts: [{ days: [7], start: '02:30', end: '05:00' }] });
    const before = instantOfWallClock('America/New_York', 2027, 3, 14, 1, 0);
    const change = resolveSchedule([small], ny, before).nextChangeAt!;
    expect(new Date(change).toISOString()).toBe('2027-03-14T07:00:00.000Z');
    expect(resolveSchedule([small], ny, change).playlist).toEqual(['small-hours']);
  });
});

// Property: resolveSchedule agrees with a brute-force walk, minute by minute, of what is active.
const ZONES = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/Berlin'];
const START = Date.UTC(2026, 0, 1);
const YEAR_MINUTES = 366 * 24 * 60;
const hhmm = fc
  .tuple(fc.integer({ min: 0, max: 23 }), fc.constantFrom(0, 15, 30, 45))
  .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
const daypart = fc.record({
  days: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
  start: hhmm,
  end: hhmm,
});
const minuteInstant = fc.integer({ min: 0, max: YEAR_MINUTES }).map((minute) => START + minute * 60_000);
const schedule = fc
  .record({
    dayparts: fc.array(daypart, { maxLength: 3 }),
    priority: fc.integer({ min: 0, max: 100 }),
    window: fc.option(fc.tuple(minuteInstant, fc.integer({ min: 1, max: 20 * 24 * 60 }))),
    building: fc.option(fc.constantFrom('b1', 'b2')),
  })
  .map(({ dayparts, priority, window, building }) =>
    Schedule.parse({
      dayparts,
      priority,
      validFrom: window ? new Date(window[0]).toISOString() : null,
      validTo: window ? new Date(window[0] + window[1] * 60_000).toISOString() : null,
      target: { communities: [], buildings: building ? [building] : [], groups: [], tags: [] },
    }),
  );

describe('resolveSchedule, property', () => {
  it('the playlist holds until nextChangeAt and (within two days) changes exactly there', () => {
    fc.assert(
      fc.property(
        fc.array(schedule, { minLength: 1, maxLength: 5 }),
        fc.constantFrom(...ZONES),
        minuteInstant,
        (schedules, timeZone, now) => {
          const entries = schedules.map((s, i) => ({ item: i, schedule: s }));
          const target = { ...device, timeZone };
          const { playlist, nextChangeAt } = resolveSchedule(entries, target, now);
          const playing = (ms: number) => playlistAt(entries, target, ms).join(',');
          expect(playing(now)).toBe(playlist.join(','));
          // Walk minute by minute for two days (every boundary here is on a whole minute).
          const limit = now + 2 * 24 * 60 * 60_000;
          let firstChange: number | null = null;
          for (let ms = now + 60_000; ms <= limit; ms += 60_000) {
            if (playing(ms) !== playlist.join(',')) {
              firstChange = ms;
              break;
            }
          }
          if (firstChange !== null) expect(nextChangeAt).toBe(firstChange);
          else if (nextChangeAt !== null) expect(nextChangeAt).toBeGreaterThan(limit);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
