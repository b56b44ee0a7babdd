import { redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS, can } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import type { Actions, PageServerLoad } from './$types';
import { fields, notFound, registryFail } from '../registry-form';

export const load: PageServerLoad = ({ locals, params, url }) => {
  const user = requireRole(locals, ...PERMISSIONS.registryRead);
  const { registry } = locals.services;
  const community = registry.listCommunities().find((c) => c.id === params.communityId);
  if (!community) notFound(locals);
  const query = (url.searchParams.get('q') ?? '').trim().slice(0, 50);
  return {
    community,
    buildings: registry.listBuildings(community.id),
    query,
    results: query ? registry.search(community.id, query) : null,
    canStructure: can(user, 'registryStructure'),
  };
};

export const actions: Actions = {
  updateCommunity: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryStructure);
    const form = await request.formData();
    const result = locals.services.registry.updateCommunity(params.communityId, fields(form), actor);
    if (!result.ok) return registryFail('updateCommunity', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.saved' });
    return { action: 'updateCommunity' };
  },
  deleteCommunity: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryStructure);
    const form = await request.formData();
    const result = locals.services.registry.deleteCommunity(params.communityId, actor);
    if (!result.ok) return registryFail('deleteCommunity', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.deleted' });
    redirect(303, '/admin/registry');
  },
  createBuilding: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryStructure);
    const form = await request.formData();
    const result = locals.services.registry.createBuilding(params.communityId, fields(form), actor);
    if (!result.ok) return registryFail('createBuilding', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.created' });
    return { action: 'createBuilding' };
  },
};
