/** Time and timers, injected so tests can control them (STYLE.md §State and time). */
export interface Clock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real clock. Timers are unref'd: a pending retry must not keep a stopping process alive. */
export const systemClock: Clock = {
  now: () => new Date(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/** Exponential backoff with full jitter, capped: the delay before retry number `attempt` (from 0). */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random: () => number = Math.random,
) {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 20));
  // Full jitter spreads the reconnects of many kiosks after a server restart (no thundering herd).
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * A clock corrected by the server's time: `now()` is the local time minus the measured skew (none until the
 * server answered once). Content validity windows use it, so a kiosk whose clock is a day off still shows
 * today's notices. Timers are relative and need no correction.
 */
export function correctedClock(base: Clock, skewMs: () => number | null): Clock {
  return {
    now: () => new Date(base.now().getTime() - (skewMs() ?? 0)),
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}
