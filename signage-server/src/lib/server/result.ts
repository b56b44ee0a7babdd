/** An expected failure: a named kind (matched by code, never by message) and a message for logs. */
export interface Failure<K extends string = string> {
  kind: K;
  message: string;
  /** Values for the user-facing text of this kind (e.g. minutes until a lock ends). */
  params?: Record<string, string | number>;
}

/** What services return for operations that can fail in expected ways (STYLE.md §Errors). */
export type Result<T, K extends string = string> = { ok: true; value: T } | { ok: false; error: Failure<K> };

/** A success. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** An expected failure. */
export function err<K extends string>(
  kind: K,
  message: string,
  params?: Record<string, string | number>,
): { ok: false; error: Failure<K> } {
  return { ok: false, error: params ? { kind, message, params } : { kind, message } };
}

/** The HTTP status a route answers for an expected failure kind shared across domains. */
export function statusFor(kind: string): number {
  switch (kind) {
    case 'invalid':
      return 400;
    case 'not-found':
      return 404;
    case 'forbidden':
    case 'self':
      return 403;
    case 'too-large':
      return 413;
    default:
      // duplicate, not-empty, last-admin, in-use, username-taken…: the request conflicts with current state
      return 409;
  }
}
