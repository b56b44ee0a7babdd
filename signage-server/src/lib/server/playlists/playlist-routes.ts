import { fail, redirect, type ActionFailure, type Cookies } from '@sveltejs/kit';
import { requireRole } from '../auth/guard';
import { PERMISSIONS } from '../auth/permissions';
import { setFlash } from '../flash';
import type { Failure } from '../result';

/** A form failure as the signage pages show it: the field at fault and its message key. */
export type SignageFormErrors = Record<string, { key: string }>;

/** The signed-in user allowed to edit playlists and layouts (editors and administrators). */
export function requireSignageEditor(locals: App.Locals) {
  return requireRole(locals, ...PERMISSIONS.signage);
}

/** The answer to a failed playlist or layout change: 404 for a missing one, else 400/409 with the field's key. */
export function signageFailure(
  prefix: 'playlists' | 'layouts',
  action: string,
  error: Failure,
  values: Record<string, string> | null = null,
): ActionFailure<{ action: string; values: Record<string, string> | null; errors: SignageFormErrors }> {
  const field = String(error.params?.field ?? '_');
  const key =
    error.kind === 'not-found'
      ? `${prefix}.error.notFound`
      : error.kind === 'in-use'
        ? `${prefix}.error.inUse`
        : field.startsWith('zone-')
          ? `${prefix}.error.zone`
          : `${prefix}.error.${field === '_' ? 'invalid' : field}`;
  const status = error.kind === 'not-found' ? 404 : error.kind === 'in-use' ? 409 : 400;
  return fail(status, { action, values, errors: { [field]: { key } } });
}

/** After a change: a flash message and back to the page (POST/redirect/GET, so a reload repeats nothing). */
export function savedAndBack(
  cookies: Cookies,
  locals: App.Locals,
  key: string,
  to: string,
  params: Record<string, string | number> = {},
): never {
  setFlash(cookies, locals, { kind: 'success', key, params });
  redirect(303, to);
}
