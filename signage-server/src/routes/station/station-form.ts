import crypto from 'node:crypto';
import { error, fail } from '@sveltejs/kit';
import { IDEMPOTENCY_KEY_HEADER } from '@linli/content';
import type { FieldError, FormFailure } from '$lib/forms';
import type { Failure } from '$lib/server/result';
import type { IdempotencyContext } from '$lib/server/ledger/ledger.service';

/**
 * A fresh idempotency key for a money-moving form. It is rendered into the form as a hidden field, so a double
 * click or a re-sent POST carries the same key and is applied once; the page gets a new key after each success.
 */
export function newFormKey(): string {
  return crypto.randomUUID();
}

/** The idempotency context of a station form post: the header when a script sent one, else the hidden field. */
export function formIdempotency(request: Request, form: FormData, userId: string): IdempotencyContext | null {
  const key = request.headers.get(IDEMPOTENCY_KEY_HEADER) ?? String(form.get('idempotencyKey') ?? '');
  if (!/^[\x21-\x7e]{8,128}$/.test(key)) return null;
  return { scope: `user:${userId}`, key };
}

/** Plain fields of a form, for refilling it after an error. */
export function valuesOf(form: FormData, skip: string[] = ['pin', 'idempotencyKey']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of form) if (typeof value === 'string' && !skip.includes(name)) out[name] = value;
  return out;
}

/** A failed station action: the service's failure kind becomes `station.error.<kind>`. */
export function stationFailure(
  action: string,
  values: Record<string, string>,
  error: Failure | { kind: string; params?: Record<string, string | number> },
  field?: string,
  status = 400,
) {
  const fieldError: FieldError = {
    key: `station.error.${error.kind}`,
    ...(error.params ? { params: error.params } : {}),
  };
  const failure: FormFailure = {
    action,
    values,
    fields: field ? { [field]: fieldError } : {},
    error: field ? null : fieldError,
  };
  return fail(status, failure);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The `from`/`to` business days of a station export (`to` defaults to `from`); a 400 when they are not days. */
export function exportDays(url: URL): { from: string; to: string } {
  const from = url.searchParams.get('from') ?? '';
  const to = url.searchParams.get('to') ?? from;
  if (!DAY.test(from) || !DAY.test(to) || to < from)
    error(400, { message: 'from/to must be YYYY-MM-DD', kind: 'invalid' });
  return { from, to };
}
