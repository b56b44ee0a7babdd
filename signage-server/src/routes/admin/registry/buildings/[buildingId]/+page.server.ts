import { redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS, can } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { UNIT_TYPES } from '$lib/server/registry/registry.schema';
import type { Actions, PageServerLoad } from './$types';
import { fields, notFound, registryFail } from '../../registry-form';

export const load: PageServerLoad = ({ locals, params }) => {
  const user = requireRole(locals, ...PERMISSIONS.registryRead);
  const { registry } = locals.services;
  const building = registry.getBuilding(params.buildingId);
  if (!building) notFound(locals);
  return {
    building,
    community: registry.getCommunity(building.communityId)!,
    units: registry.listUnits(building.id),
    unitTypes: [...UNIT_TYPES],
    canEdit: can(user, 'registryEdit'),
    canStructure: can(user, 'registryStructure'),
  };
};

export const actions: Actions = {
  updateBuilding: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryStructure);
    const form = await request.formData();
    const result = locals.services.registry.updateBuilding(params.buildingId, fields(form), actor);
    if (!result.ok) return registryFail('updateBuilding', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.saved' });
    return { action: 'updateBuilding' };
  },
  deleteBuilding: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryStructure);
    const form = await request.formData();
    const building = locals.services.registry.getBuilding(params.buildingId);
    const result = locals.services.registry.deleteBuilding(params.buildingId, actor);
    if (!result.ok) return registryFail('deleteBuilding', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.deleted' });
    redirect(303, `/admin/registry/${building?.communityId ?? ''}`);
  },
  createUnit: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryEdit);
    const form = await request.formData();
    const result = locals.services.registry.createUnit(params.buildingId, fields(form), actor);
    if (!result.ok) return registryFail('createUnit', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.created' });
    return { action: 'createUnit' };
  },
};
