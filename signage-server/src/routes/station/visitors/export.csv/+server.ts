import { error } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { csvDownload } from '$lib/server/csv';
import { DisclosureReason, VisitSearchForm } from '$lib/server/visitors/visitor.schema';
import { communityOf } from '../visitors-form';
import type { RequestHandler } from './$types';

/**
 * Export for an official request: the visits matching the history filters, unmasked, as CSV. A POST (the reason
 * must not sit in URLs or proxy logs); the reason and the row count go to the audit log.
 */
export const POST: RequestHandler = async ({ request, locals }) => {
  const actor = requireRole(locals, ...PERMISSIONS.station);
  const form = Object.fromEntries(
    [...(await request.formData())].filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
  const reason = DisclosureReason.safeParse(form.reason ?? '');
  const filter = VisitSearchForm.safeParse({ ...form, page: 1 });
  if (!reason.success || !filter.success)
    error(400, { message: 'a reason and valid filters are required', kind: 'invalid' });
  const { csv } = locals.services.visitors.exportCsv(communityOf(locals), filter.data, reason.data, actor);
  const stamp = new Date().toISOString().slice(0, 10);
  return csvDownload(`visitors-${stamp}.csv`, csv);
};
