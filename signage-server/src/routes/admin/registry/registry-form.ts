import { error, fail } from '@sveltejs/kit';
import { translate } from '$lib/i18n';
import type { RegistryResult } from '$lib/server/registry/registry.service';
import { statusFor } from '$lib/server/result';
import { formFailure, formValues } from '$lib/server/validation';

/** Turns a failed registry operation into the form failure the page shows next to the form it came from. */
export function registryFail(
  action: string,
  form: FormData,
  result: Extract<RegistryResult<unknown>, { ok: false }>,
) {
  return fail(
    statusFor(result.error.kind),
    formFailure({
      action,
      values: formValues(form),
      fields: result.fields ?? {},
      error: { key: `registry.error.${result.error.kind}` },
    }),
  );
}

/** 404 with a message in the user's language. */
export function notFound(locals: App.Locals): never {
  error(404, { message: translate(locals.locale, 'registry.error.not-found'), kind: 'not-found' });
}

/** The plain fields of a form as an object for the service's zod schema. */
export function fields(form: FormData): Record<string, string> {
  return formValues(form);
}
