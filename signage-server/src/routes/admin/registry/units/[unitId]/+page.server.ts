import { fail, redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS, can } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { RESIDENT_ROLES, UNIT_TYPES } from '$lib/server/registry/registry.schema';
import { formFailure, formValues } from '$lib/server/validation';
import type { Actions, PageServerLoad } from './$types';
import { fields, notFound, registryFail } from '../../registry-form';

export const load: PageServerLoad = ({ locals, params }) => {
  const user = requireRole(locals, ...PERMISSIONS.registryRead);
  const { registry } = locals.services;
  const context = registry.unitContext(params.unitId);
  if (!context) notFound(locals);
  return {
    ...context,
    residents: registry.listResidents(context.unit.id),
    unitTypes: [...UNIT_TYPES],
    residentRoles: [...RESIDENT_ROLES],
    canEdit: can(user, 'registryEdit'),
  };
};

/** A resident id from the form that really belongs to this unit (per-object check: ids are not trusted). */
function residentOfUnit(locals: App.Locals, unitId: string, form: FormData): string | null {
  const id = String(form.get('residentId') ?? '');
  const resident = locals.services.registry.getResident(id);
  return resident && resident.unitId === unitId ? id : null;
}

export const actions: Actions = {
  updateUnit: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryEdit);
    const form = await request.formData();
    const result = locals.services.registry.updateUnit(params.unitId, fields(form), actor);
    if (!result.ok) return registryFail('updateUnit', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.saved' });
    return { action: 'updateUnit' };
  },
  deleteUnit: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryEdit);
    const form = await request.formData();
    const unit = locals.services.registry.getUnit(params.unitId);
    const result = locals.services.registry.deleteUnit(params.unitId, actor);
    if (!result.ok) return registryFail('deleteUnit', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.deleted' });
    redirect(303, `/admin/registry/buildings/${unit?.buildingId ?? ''}`);
  },
  createResident: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryEdit);
    const form = await request.formData();
    const result = locals.services.registry.createResident(params.unitId, fields(form), actor);
    if (!result.ok) return registryFail('createResident', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.created' });
    return { action: 'createResident' };
  },
  updateResident: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryEdit);
    const form = await request.formData();
    const id = residentOfUnit(locals, params.unitId, form);
    if (!id) {
      return fail(
        404,
        formFailure({
          action: 'updateResident',
          values: formValues(form),
          error: { key: 'registry.error.not-found' },
        }),
      );
    }
    const result = locals.services.registry.updateResident(id, fields(form), actor);
    if (!result.ok) return registryFail(`updateResident:${id}`, form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.saved' });
    return { action: 'updateResident' };
  },
  deleteResident: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.registryEdit);
    const form = await request.formData();
    const id = residentOfUnit(locals, params.unitId, form);
    if (!id) {
      return fail(
        404,
        formFailure({
          action: 'deleteResident',
          values: formValues(form),
          error: { key: 'registry.error.not-found' },
        }),
      );
    }
    const result = locals.services.registry.deleteResident(id, actor);
    if (!result.ok) return registryFail('deleteResident', form, result);
    setFlash(cookies, locals, { kind: 'success', key: 'registry.deleted' });
    return { action: 'deleteResident' };
  },
};
