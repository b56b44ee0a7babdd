import { error, redirect, type Handle, type ServerInit } from '@sveltejs/kit';
import { translate, pickLocale } from '$lib/i18n';
import { SESSION_COOKIE } from '$lib/server/auth/auth.service';
import { bodyLimitFor, limitRequestBody } from '$lib/server/body-limit';
import { formatBytes } from '$lib/server/content/content-actions';
import { isCrossSiteWrite } from '$lib/server/auth/csrf';
import { loadConfig } from '$lib/server/config';
import { startWalCheckpointer } from '$lib/server/db/wal-checkpointer';
import { startCoreServices } from '$lib/server/core.services';
import { requestCounter } from '$lib/server/observability/metrics';
import { createServices, getServices, registerServices } from '$lib/server/services';
import { startPaymentServices } from '$lib/server/payments.services';
import { startPlaylistServices } from '$lib/server/playlists.services';
import { startSignageServices } from '$lib/server/signage.services';
import { startVisitorServices } from '$lib/server/visitors.services';
import { resolveStationCommunity, STATION_COMMUNITY_COOKIE } from '$lib/server/station/station-community';

/** Cookie holding the chosen UI language. */
const LOCALE_COOKIE = 'linli_locale';

/** Runs once when the server starts: configuration, database + migrations, keys, first-start seeding. */
export const init: ServerInit = async () => {
  const services = createServices(loadConfig());
  registerServices(services);
  // first, so that no writing connection checkpoints inside its COMMITs (the payments writer thread least of all)
  services.walCheckpointer = await startWalCheckpointer(services.db);
  // first-start core seeding: the admin account (printing a one-time password) and the demo community
  await startCoreServices(services);
  // after the core seeding: the demo pack (into an empty database), the first manifest, SSE shutdown
  await startSignageServices(services);
  // after the demo community: demo cards and unpaid bills
  await startPaymentServices(services);
  // the visitor timeout sweep and the access log flush on shutdown
  startVisitorServices(services);
  // proof-of-play retention: purge now and daily
  startPlaylistServices(services);
};

export const handle: Handle = async ({ event, resolve }) => {
  const services = getServices();
  const { cookies, request, url } = event;
  event.locals.services = services;
  event.locals.locale = pickLocale(cookies.get(LOCALE_COOKIE), request.headers.get('accept-language'));
  event.locals.user = null;
  event.locals.stationCommunityId = null;

  // body limits by route: server.js lifts adapter-node's single limit so that the media library takes large videos
  if (request.body) {
    const { locale } = event.locals;
    event.request = limitRequestBody(
      request,
      bodyLimitFor(request.method, event.route.id, services.assets.limits),
      // translated only for a refusal: nearly every body is within its limit
      (limit) => translate(locale, 'error.bodyTooLarge', { max: formatBytes(limit) }),
    );
  }

  if (isCrossSiteWrite(request.method, url, request.headers.get('origin'))) {
    error(403, { message: translate(event.locals.locale, 'error.crossSite'), kind: 'cross-site' });
  }

  // device API calls never carry a session; skip the lookup on the hot path
  if (!url.pathname.startsWith('/api/')) {
    const token = cookies.get(SESSION_COOKIE);
    if (token) {
      event.locals.user = services.auth.resolveSession(token);
      if (!event.locals.user) cookies.delete(SESSION_COOKIE, { path: '/' });
    }
    if (url.pathname === '/station' || url.pathname.startsWith('/station/')) {
      event.locals.stationCommunityId = resolveStationCommunity(
        services.registry,
        cookies.get(STATION_COMMUNITY_COOKIE),
      );
    }
    // a one-time password must be replaced before anything else is done with the account
    if (event.locals.user?.mustChangePassword && /^\/(cms|admin)(\/|$)/.test(url.pathname)) {
      redirect(303, '/account/password');
    }
  }

  const response = await resolve(event, {
    transformPageChunk: ({ html }) => html.replace('%lang%', event.locals.locale),
  });
  requestCounter.record(request.method, response.status);
  return response;
};
