import { error, redirect } from '@sveltejs/kit';
// routes only: guards run inside a SvelteKit request, where the current URL is known without passing it
import { getRequestEvent } from '$app/server';
import { translate } from '../../i18n/index';
import { hasRole, type Role, type SessionUser } from './roles';

/** The URL of the request being handled, if any. */
function currentUrl(): URL | undefined {
  try {
    return getRequestEvent().url;
  } catch {
    return undefined;
  }
}

/** Where a signed-out person is sent, remembering the page they wanted (only same-site paths are kept). */
function loginRedirect(from: URL | undefined): never {
  const url = from ?? currentUrl();
  // after a form action (?/create) come back to its page, not to the action
  const target = url ? `${url.pathname}${url.search.startsWith('?/') ? '' : url.search}` : '';
  const query = target && target !== '/' ? `?next=${encodeURIComponent(target)}` : '';
  redirect(303, `/login${query}`);
}

/**
 * The signed-in user, or a redirect to /login?next=<this page> (303). Use in every CMS/admin `load` and action.
 * `url` overrides the page to come back to.
 */
export function requireUser(locals: App.Locals, url?: URL): SessionUser {
  if (!locals.user) loginRedirect(url);
  return locals.user;
}

/**
 * The signed-in user when they hold any of `roles` (admin holds all); redirect to /login when signed out,
 * 403 when signed in without the role. Checked on the server for every page, action and endpoint.
 */
export function requireRole(locals: App.Locals, ...roles: Role[]): SessionUser {
  const user = requireUser(locals);
  if (!hasRole(user, ...roles)) {
    error(403, { message: translate(locals.locale ?? 'zh-CN', 'error.forbidden'), kind: 'forbidden' });
  }
  return user;
}
