import type { z } from 'zod';
import type { FieldError, FormFailure } from '../forms';

export type { FieldError, FormFailure };

/**
 * Field errors of a failed parse, one per field (the first issue wins), keyed by the dotted path. Schemas used
 * for forms give i18n keys as their messages (e.g. 'validation.required'), so pages show them in the user's
 * language; the parameters of the issue (minimum, maximum) travel along for the text.
 */
export function fieldErrors(error: z.ZodError): Record<string, FieldError> {
  const out: Record<string, FieldError> = {};
  for (const issue of error.issues) {
    // a form field holds a whole list (checkboxes): an error in element 3 of `roles` belongs to `roles`
    const index = issue.path.findIndex((segment) => typeof segment === 'number');
    const field = (index === -1 ? issue.path : issue.path.slice(0, index)).map(String).join('.') || '_';
    if (out[field]) continue;
    const params: Record<string, string | number> = {};
    if ('minimum' in issue && (typeof issue.minimum === 'number' || typeof issue.minimum === 'bigint')) {
      params.min = Number(issue.minimum);
    }
    if ('maximum' in issue && (typeof issue.maximum === 'number' || typeof issue.maximum === 'bigint')) {
      params.max = Number(issue.maximum);
    }
    // zod's own messages (not our i18n keys) fall back to a generic "invalid value" text
    const key =
      /^[a-z]+\.[\w.-]+$/i.test(issue.message) && !issue.message.includes(' ')
        ? issue.message
        : 'validation.invalid';
    out[field] = Object.keys(params).length ? { key, params } : { key };
  }
  return out;
}

/** Plain fields of a submitted form (files are skipped), for echoing back into the form after an error. */
export function formValues(form: FormData): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of form) if (typeof value === 'string' && !(name in out)) out[name] = value;
  return out;
}

/** Builds a FormFailure with defaults for what is not given. */
export function formFailure(partial: Partial<FormFailure>): FormFailure {
  return { action: '', values: {}, fields: {}, error: null, ...partial };
}
