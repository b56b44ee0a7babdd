import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import type { Actions, PageServerLoad } from './$types';

/** Enrolled kiosks, and the form that issues pairing codes. */
export const load: PageServerLoad = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.devices);
  const { devices } = locals.services;
  return { devices: devices.list(), communities: devices.listCommunities() };
};

export const actions: Actions = {
  /** Issues a pairing code; it is shown once in the answer and never again (only its hash is stored). */
  pair: async ({ request, locals }) => {
    const actor = requireRole(locals, ...PERMISSIONS.devices);
    const form = await request.formData();
    const values = {
      communityId: String(form.get('communityId') ?? ''),
      deviceName: String(form.get('deviceName') ?? ''),
    };
    const result = locals.services.devices.createPairingCode(values, actor);
    if (!result.ok) {
      const key =
        result.error.kind === 'invalid' && result.error.field === 'communityId'
          ? 'devices.error.communityId'
          : 'validation.invalid';
      const field = result.error.kind === 'invalid' ? result.error.field : '_';
      return fail(400, {
        action: 'pair' as const,
        values,
        errors: { [field]: { key } } as Record<string, { key: string }>,
      });
    }
    return { action: 'pair' as const, pairing: result.value };
  },
  revoke: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.devices);
    const form = await request.formData();
    const result = locals.services.devices.revoke(String(form.get('deviceId') ?? ''), actor);
    if (!result.ok) {
      return fail(404, {
        action: 'revoke' as const,
        values: null,
        errors: { _: { key: 'devices.error.notFound' } } as Record<string, { key: string }>,
      });
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'devices.flash.revoked',
      params: { name: result.value.name },
    });
    return { action: 'revoke' as const };
  },
};
