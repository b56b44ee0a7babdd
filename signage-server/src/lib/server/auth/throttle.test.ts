import { describe, expect, it } from 'vitest';
import { afterFailure, lockedUntil, USERNAME_POLICY, usernameKey } from './throttle';

const start = new Date('2026-11-25T02:00:00.000Z');
const minutes = (n: number) => new Date(start.getTime() + n * 60_000);

describe('login throttle', () => {
  it('locks after the fifth failure within the window, for 15 minutes', () => {
    let record = null;
    for (let i = 1; i <= 4; i++) {
      record = afterFailure(record, 'user:x', minutes(i), USERNAME_POLICY);
      expect(record.failures).toBe(i);
      expect(lockedUntil(record, minutes(i))).toBeNull();
    }
    record = afterFailure(record, 'user:x', minutes(5), USERNAME_POLICY);
    expect(lockedUntil(record, minutes(5))?.toISOString()).toBe(minutes(20).toISOString());
    expect(lockedUntil(record, minutes(19.9))).not.toBeNull();
    expect(lockedUntil(record, minutes(20))).toBeNull();
  });

  it('starts counting afresh after the lock ran out or the window passed', () => {
    let record = null;
    for (let i = 0; i < 5; i++) record = afterFailure(record, 'user:x', minutes(i), USERNAME_POLICY);
    expect(afterFailure(record, 'user:x', minutes(30), USERNAME_POLICY)).toMatchObject({
      failures: 1,
      lockedUntil: null,
    });

    let slow = null;
    for (let i = 0; i < 4; i++) slow = afterFailure(slow, 'user:x', minutes(i), USERNAME_POLICY);
    expect(afterFailure(slow, 'user:x', minutes(61), USERNAME_POLICY)).toMatchObject({ failures: 1 });
  });

  it('folds the case of usernames', () => {
    expect(usernameKey(' Admin ')).toBe('user:admin');
  });
});
