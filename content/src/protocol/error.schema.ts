import { z } from 'zod';

/** Named error kinds of the API. Clients match on `kind`, never on message text. */
export const API_ERROR_KINDS = [
  'invalid-body',
  'invalid-query',
  'unauthorized',
  'forbidden',
  'not-found',
  'conflict',
  'pairing-code-invalid',
  'payload-too-large',
  'unsupported-media-type',
  'range-not-satisfiable',
  'rate-limited',
  'internal',
  // payments (issue 7): see PAYMENT_ERROR_KINDS
  'card-unknown',
  'card-blocked',
  'card-locked',
  'pin-required',
  'wrong-pin',
  'insufficient-balance',
  'daily-limit',
  'bill-unavailable',
  'idempotency-mismatch',
  'verification-failed',
  'bad-signature',
  'topup-unavailable',
] as const;
export const ApiErrorKind = z.enum(API_ERROR_KINDS);
export type ApiErrorKind = z.infer<typeof ApiErrorKind>;

/** One field at fault, by its path in the request body. */
export const ApiFieldIssue = z.object({ path: z.string(), message: z.string() });

/** Every non-2xx JSON answer of /api/v1. */
export const ApiErrorBody = z.object({
  error: z.object({
    kind: ApiErrorKind,
    message: z.string(),
    /** For `invalid-body`: the first field at fault, e.g. `pairingCode`. */
    field: z.string().optional(),
    issues: z.array(ApiFieldIssue).optional(),
    /** Values for the client's own text of this kind (e.g. `remaining` PIN tries). */
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;

/** Turns zod issues into the API's field list (paths joined with dots, e.g. `items.0.title`). */
export function fieldIssues(error: z.ZodError): z.infer<typeof ApiFieldIssue>[] {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}
