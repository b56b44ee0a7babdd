/**
 * Form results shared by server actions and pages (no server code here, so pages can import it).
 * Messages are i18n keys with their parameters; pages translate them.
 */

/** One field's error: an i18n key and the values for its text. */
export interface FieldError {
  key: string;
  params?: Record<string, string | number>;
}

/**
 * What a failed form action returns (through `fail(status, …)`), the same shape on every page: which form
 * (`action`, when a page has several), the submitted values to refill it, per-field errors and a form-level error.
 */
export interface FormFailure {
  action: string;
  values: Record<string, string>;
  fields: Record<string, FieldError>;
  error: FieldError | null;
}

/**
 * The FormFailure inside a page's `form` prop, or null after a success. (SvelteKit widens ActionData to every
 * key of every outcome, so `'fields' in form` does not narrow it.)
 */
export function failureOf(form: unknown): FormFailure | null {
  if (!form || typeof form !== 'object') return null;
  const candidate = form as Partial<FormFailure>;
  return candidate.fields && candidate.values && typeof candidate.action === 'string'
    ? (candidate as FormFailure)
    : null;
}

/** Helpers a page binds to one form of itself: values to refill and translated errors. */
export function formHelpers(
  failure: FormFailure | null,
  t: (key: string, params?: Record<string, string | number>) => string,
) {
  return {
    /** Submitted values of `action` (empty when that form did not fail). */
    values: (action: string): Record<string, string> => (failure?.action === action ? failure.values : {}),
    /** Translated error of one field of `action`. */
    error: (action: string, name: string): string | undefined => {
      const error = failure?.action === action ? failure.fields[name] : undefined;
      return error ? t(error.key, error.params) : undefined;
    },
    /** Translated form-level error of `action`. */
    formError: (action: string): string | undefined =>
      failure?.action === action && failure.error ? t(failure.error.key, failure.error.params) : undefined,
  };
}
