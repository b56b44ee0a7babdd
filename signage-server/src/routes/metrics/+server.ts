import { collectMetrics, metricsAuthorised } from '$lib/server/observability/metrics';
import type { RequestHandler } from './$types';

// Prometheus scrapes with `authorization: Bearer <LINLI_METRICS_TOKEN>`; without a configured token the endpoint
// answers 404 so an unconfigured server does not advertise it.
export const GET: RequestHandler = ({ locals, request }) => {
  const { config, db, clock, walCheckpointer } = locals.services;
  if (!config.metricsToken) return new Response('Not Found\n', { status: 404 });
  if (!metricsAuthorised(config.metricsToken, request.headers.get('authorization'))) {
    return new Response('Unauthorized\n', {
      status: 401,
      headers: { 'www-authenticate': 'Bearer realm="linli-metrics"' },
    });
  }
  return new Response(
    collectMetrics(db, clock.now(), undefined, undefined, walCheckpointer?.counters ?? null),
    {
      headers: { 'content-type': 'text/plain; version=0.0.4; charset=utf-8', 'cache-control': 'no-store' },
    },
  );
};
