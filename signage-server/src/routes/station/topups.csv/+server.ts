import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { csvDownload } from '$lib/server/csv';
import { exportDays } from '../station-form';
import type { RequestHandler } from './$types';

/** The online top-ups credited in a range of business days, as CSV (integer fen), to reconcile with the providers. */
export const GET: RequestHandler = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const { from, to } = exportDays(url);
  const csv = locals.services.payments.topUpReconciliationCsv(locals.stationCommunityId ?? '', from, to);
  return csvDownload(`online-topups-${from}-${to}.csv`, csv);
};
