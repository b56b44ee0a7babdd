import { error } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import type { RequestHandler } from './$types';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The biller settlement statement as CSV (integer fen) for a range of business days. */
export const GET: RequestHandler = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const from = url.searchParams.get('from') ?? '';
  const to = url.searchParams.get('to') ?? from;
  if (!DAY.test(from) || !DAY.test(to) || to < from)
    error(400, { message: 'from/to must be YYYY-MM-DD', kind: 'invalid' });
  const community = locals.stationCommunityId ?? '';
  const csv = locals.services.payments.settlementCsv(community, from, to);
  return new Response(`\uFEFF${csv}`, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="settlement-${from}-${to}.csv"`,
      'cache-control': 'no-store',
    },
  });
};
