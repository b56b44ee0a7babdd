import type { ThrottleRecord } from './throttle.repository';

/** How many failures within which window lock a key, and for how long. */
export interface ThrottlePolicy {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

const MINUTE = 60_000;

/** A username (known or unknown alike) is locked for 15 minutes after 5 failed logins within an hour. */
export const USERNAME_POLICY: ThrottlePolicy = { maxFailures: 5, windowMs: 60 * MINUTE, lockMs: 15 * MINUTE };

/**
 * A client address is blocked for 15 minutes after 20 failures within 15 minutes: it stops one address from
 * spraying many usernames (which the per-username lock alone cannot see), while an office NAT with a few
 * mistyping colleagues stays well below it.
 */
export const ADDRESS_POLICY: ThrottlePolicy = { maxFailures: 20, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };

/** The instant until which the key is locked, or null when it is not locked at `now`. */
export function lockedUntil(record: ThrottleRecord | null, now: Date): Date | null {
  if (!record?.lockedUntil) return null;
  const until = new Date(record.lockedUntil);
  return until > now ? until : null;
}

/**
 * The record after one more failure. A lock that has run out, or failures older than the window, start a fresh
 * count, so a colleague who mistypes once a week is never locked out by old mistakes.
 */
export function afterFailure(
  record: ThrottleRecord | null,
  key: string,
  now: Date,
  policy: ThrottlePolicy,
): ThrottleRecord {
  const nowIso = now.toISOString();
  const expiredLock = record?.lockedUntil && new Date(record.lockedUntil) <= now;
  const outsideWindow = record && now.getTime() - new Date(record.firstFailureAt).getTime() > policy.windowMs;
  const fresh = !record || expiredLock || outsideWindow;
  const failures = fresh ? 1 : record.failures + 1;
  const firstFailureAt = fresh ? nowIso : record.firstFailureAt;
  const locked =
    failures >= policy.maxFailures ? new Date(now.getTime() + policy.lockMs).toISOString() : null;
  return { key, failures, firstFailureAt, lastFailureAt: nowIso, lockedUntil: locked };
}

/** Throttle key of a username: case-folded, as usernames are unique without regard to case. */
export function usernameKey(username: string): string {
  return `user:${username.trim().toLowerCase()}`;
}

/** Throttle key of a client address. */
export function addressKey(address: string): string {
  return `ip:${address}`;
}
