import { describe, expect, it } from 'vitest';
import { formatDateTime, fromZonedInput, toZonedInput } from './zoned-time';

describe('zoned time', () => {
  it.each([
    ['2026-11-25T10:00', 'Asia/Shanghai', '2026-11-25T02:00:00.000Z'],
    ['2026-01-01T00:30', 'Asia/Shanghai', '2025-12-31T16:30:00.000Z'],
    ['2026-07-01T12:00', 'Europe/Berlin', '2026-07-01T10:00:00.000Z'],
    ['2026-01-15T12:00', 'Europe/Berlin', '2026-01-15T11:00:00.000Z'],
  ])('reads %s in %s as %s and back', (local, zone, iso) => {
    expect(fromZonedInput(local, zone)).toBe(iso);
    expect(toZonedInput(iso, zone)).toBe(local);
  });

  it.each([
    ['', null],
    ['  ', null],
    ['2026-02-30T10:00', undefined],
    ['2026-11-25 10:00', undefined],
    ['2026-11-25T24:00', undefined],
    ['yesterday', undefined],
  ])('treats %j as %s', (value, expected) => {
    expect(fromZonedInput(value)).toBe(expected);
  });

  it('formats for people in the zone', () => {
    expect(formatDateTime('2026-11-25T02:00:00.000Z', 'zh-CN')).toContain('10:00');
    expect(formatDateTime(null, 'en')).toBe('');
  });
});
