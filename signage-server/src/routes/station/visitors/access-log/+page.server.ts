import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { z } from 'zod';
import { communityOf } from '../visitors-form';
import type { PageServerLoad } from './$types';

const Query = z.object({
  door: z.string().trim().max(120).default(''),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
});

/** Every door attempt, newest first. */
export const load: PageServerLoad = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const query = Query.catch({ door: '', page: 1 }).parse(Object.fromEntries(url.searchParams));
  return {
    query,
    doors: locals.services.access.doors(communityOf(locals)),
    log: locals.services.access.accessLog({
      ...(query.door ? { doorId: query.door } : {}),
      page: query.page,
    }),
  };
};
