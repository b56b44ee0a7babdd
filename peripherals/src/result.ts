// Expected failures are values (STYLE.md §Errors): parsers and drivers return these instead of throwing, and
// callers match on `error.kind`, never on message text.

/** A named failure: `kind` is stable and matched by code, `message` is for logs and installers. */
export interface PeripheralError<K extends string = string> {
  kind: K;
  message: string;
}

/** Success with a value, or a named failure (with extra detail `E` where a caller needs more than a message). */
export type Result<T, K extends string = string, E extends object = object> =
  { ok: true; value: T } | { ok: false; error: PeripheralError<K> & E };

/** Wraps a value as a success. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** Builds a named failure. */
export function fail<K extends string>(kind: K, message: string): { ok: false; error: PeripheralError<K> } {
  return { ok: false, error: { kind, message } };
}

/** The message of anything thrown, for logs (native addons throw plain strings at times). */
export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}
