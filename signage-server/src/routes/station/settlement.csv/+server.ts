import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { csvDownload } from '$lib/server/csv';
import { exportDays } from '../station-form';
import type { RequestHandler } from './$types';

/** The biller settlement statement as CSV (integer fen) for a range of business days. */
export const GET: RequestHandler = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const { from, to } = exportDays(url);
  const csv = locals.services.payments.settlementCsv(locals.stationCommunityId ?? '', from, to);
  return csvDownload(`settlement-${from}-${to}.csv`, csv);
};
