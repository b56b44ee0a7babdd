import { z } from 'zod';

/** An expected failure, matched by `kind`, never by message text. */
export interface Failure<K extends string = string> {
  kind: K;
  message: string;
}

/** The value of an operation that can fail in an expected way (STYLE.md §Errors). */
export type Result<T, K extends string = string> = { ok: true; value: T } | { ok: false; error: Failure<K> };

/** A successful result. */
export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

/** A failed result. */
export function fail<K extends string>(kind: K, message: string): { ok: false; error: Failure<K> } {
  return { ok: false, error: { kind, message } };
}

/** The wire shape of a failure. */
export const FailureSchema = z.object({ kind: z.string().min(1), message: z.string() });

/** The wire shape of a result whose value is parsed by `value`. */
export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: FailureSchema }),
  ]);
}
