import { json } from '@sveltejs/kit';
import { checkReadiness } from '$lib/server/observability/readiness';
import type { RequestHandler } from './$types';

// Unauthenticated like /healthz: it names checks, never data. 503 tells a load balancer to hold traffic.
export const GET: RequestHandler = ({ locals }) => {
  const readiness = checkReadiness(locals.services.db, locals.services.config.dataDir);
  return json(
    {
      status: readiness.ready ? 'ready' : 'not-ready',
      version: locals.services.version,
      checks: readiness.checks,
    },
    { status: readiness.ready ? 200 : 503, headers: { 'cache-control': 'no-store' } },
  );
};
