import { json } from '@sveltejs/kit';
import type { HealthBody } from '@linli/content';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = ({ locals }) =>
  json({ status: 'ok', version: locals.services.version } satisfies HealthBody, {
    headers: { 'cache-control': 'no-store' },
  });
