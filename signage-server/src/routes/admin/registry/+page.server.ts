import { redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS, can } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import type { Actions, PageServerLoad } from './$types';
import { fields, registryFail } from './registry-form';

export const load: PageServerLoad = ({ locals }) => {
  const user = requireRole(locals, ...PERMISSIONS.registryRead);
  return {
    communities: locals.services.registry.listCommunities(),
    canStructure: can(user, 'registryStructure'),
  };
};

export const actions: Actions = {
  createCommunity: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryStructure);
    const form = await request.formData();
    const result = locals.services.registry.createCommunity(fields(form), actor);
    if (!result.ok) return registryFail('createCommunity', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.created' });
    redirect(303, `/admin/registry/${result.value.id}`);
  },
};
