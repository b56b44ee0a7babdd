import { fail } from '@sveltejs/kit';
import type { FormFailure } from '$lib/forms';

/** Plain fields of a form, for refilling it after an error. */
export function formValues(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of form) if (typeof value === 'string') out[name] = value;
  return out;
}

/** A failed visitors action: the failure kind becomes `visitors.error.<kind>` (on a field when given). */
export function visitorsFailure(
  action: string,
  values: Record<string, string>,
  kind: string,
  field?: string,
) {
  const error = { key: `visitors.error.${kind}` };
  const failure: FormFailure = {
    action,
    values,
    fields: field ? { [field]: error } : {},
    error: field ? null : error,
  };
  return fail(kind === 'not-found' ? 404 : 400, failure);
}

/** The community the station works on (its chosen one); an error when the registry is empty. */
export function communityOf(locals: App.Locals): string {
  const id = locals.stationCommunityId;
  if (!id) throw new Error('no community registered');
  return id;
}
