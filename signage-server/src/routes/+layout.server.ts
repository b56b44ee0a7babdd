import { can, navigationFor } from '$lib/server/auth/permissions';
import { takeFlash } from '$lib/server/flash';
import type { LayoutServerLoad } from './$types';

/** Every page gets the signed-in user, the UI language, the navigation the user may see and a queued flash. */
export const load: LayoutServerLoad = ({ locals, cookies, url }) => ({
  user: locals.user,
  locale: locals.locale,
  nav: navigationFor(locals.user),
  flash: takeFlash(cookies, locals),
  // for the language switch: come back to the same page
  path: `${url.pathname}${url.search}`,
  // the fleet alert: kiosks whose heartbeats stopped, for those who manage devices
  offlineDevices: can(locals.user, 'devices') ? locals.services.fleet.offlineDevices() : [],
});
