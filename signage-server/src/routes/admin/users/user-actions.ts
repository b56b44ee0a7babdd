import { fail, type RequestEvent } from '@sveltejs/kit';
import type { SessionUser } from '$lib/server/auth/roles';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { statusFor } from '$lib/server/result';
import type { OneTimePassword, UserResult } from '$lib/server/users/user.service';
import type { UserSummary } from '$lib/server/users/user.repository';
import { formFailure, formValues } from '$lib/server/validation';

type Outcome = UserResult<UserSummary> | UserResult<OneTimePassword>;

/**
 * One per-user action (reset password, disable, enable, unlock) as the users list and the user page both offer
 * it. Each checks the role itself: a form action is an endpoint of its own.
 */
async function userAction(
  event: RequestEvent,
  action: string,
  run: (id: string, actor: SessionUser) => Outcome | Promise<Outcome>,
  successKey: string,
) {
  const actor = requireRole(event.locals, ...PERMISSIONS.users);
  const form = await event.request.formData();
  const result = await run(String(form.get('id') ?? ''), actor);
  if (!result.ok) {
    return fail(
      statusFor(result.error.kind),
      formFailure({ action, values: formValues(form), error: { key: `users.error.${result.error.kind}` } }),
    );
  }
  if ('password' in result.value) {
    // the one-time password goes back in this response only: never into a cookie, the audit log or a server log
    return { action, oneTime: { username: result.value.user.username, password: result.value.password } };
  }
  const { username } = result.value;
  setFlash(event.cookies, event.locals, { kind: 'success', key: successKey, params: { username } });
  return { action, oneTime: null };
}

/** Form actions shared by /admin/users and /admin/users/[id]. */
export const userActions = {
  reset: (event: RequestEvent) =>
    userAction(event, 'reset', (id, actor) => event.locals.services.users.resetPassword(id, actor), ''),
  disable: (event: RequestEvent) =>
    userAction(
      event,
      'disable',
      (id, actor) => event.locals.services.users.setDisabled(id, true, actor),
      'users.disabled',
    ),
  enable: (event: RequestEvent) =>
    userAction(
      event,
      'enable',
      (id, actor) => event.locals.services.users.setDisabled(id, false, actor),
      'users.enabled',
    ),
  unlock: (event: RequestEvent) =>
    userAction(
      event,
      'unlock',
      (id, actor) => event.locals.services.users.unlock(id, actor),
      'users.unlocked',
    ),
};
