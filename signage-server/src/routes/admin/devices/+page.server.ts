import { fail } from '@sveltejs/kit';
import { CommandRequest } from '$lib/server/fleet/fleet.schema';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import type { Actions, PageServerLoad } from './$types';

/** Enrolled kiosks with their fleet status (heartbeat, commands, screenshot), and the pairing-code form. */
export const load: PageServerLoad = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.devices);
  const { devices, fleet } = locals.services;
  return {
    devices: fleet.overview(),
    offline: fleet.offlineDevices(),
    communities: devices.listCommunities(),
    buildings: devices.listBuildings(),
  };
};

type FormErrors = Record<string, { key: string }>;

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
  /** Rename, move to another community, group and tags. */
  update: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.devices);
    const form = await request.formData();
    const deviceId = String(form.get('deviceId') ?? '');
    const values = {
      name: String(form.get('name') ?? ''),
      communityId: String(form.get('communityId') ?? ''),
      group: String(form.get('group') ?? ''),
      tags: String(form.get('tags') ?? ''),
      buildingId: String(form.get('buildingId') ?? ''),
    };
    const result = locals.services.devices.update(deviceId, values, actor);
    if (!result.ok) {
      const error = result.error;
      const [field, key] =
        error.kind === 'not-found'
          ? ['_', 'devices.error.notFound']
          : error.kind === 'invalid' && error.field === 'communityId'
            ? ['communityId', 'devices.error.communityId']
            : [
                error.kind === 'invalid' ? error.field : '_',
                `devices.error.${error.kind === 'invalid' ? error.field : 'invalid'}`,
              ];
      return fail(error.kind === 'not-found' ? 404 : 400, {
        action: 'update' as const,
        deviceId,
        values,
        errors: { [field]: { key } } as FormErrors,
      });
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'devices.flash.updated',
      params: { name: result.value.name },
    });
    return { action: 'update' as const };
  },
  /** A remote command: stored, sent over the device's event stream, acknowledged by the kiosk. */
  command: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.devices);
    const form = await request.formData();
    const parsed = CommandRequest.safeParse({ deviceId: form.get('deviceId'), kind: form.get('kind') });
    const result = parsed.success
      ? locals.services.fleet.issueCommand(parsed.data.deviceId, parsed.data.kind, actor)
      : null;
    if (!parsed.success || !result?.ok) {
      const key =
        result && !result.ok && result.error.kind === 'revoked'
          ? 'devices.error.revoked'
          : 'devices.error.notFound';
      return fail(parsed.success ? 404 : 400, {
        action: 'command' as const,
        values: null,
        errors: { _: { key } } as FormErrors,
      });
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: `devices.flash.command.${result.value.kind}`,
      params: {
        name: locals.services.devices.list().find((d) => d.id === result.value.deviceId)?.name ?? '',
      },
    });
    return { action: 'command' as const, command: result.value };
  },
};
