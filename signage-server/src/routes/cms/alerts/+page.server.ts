import { fail } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { can, PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import type { Actions, PageServerLoad } from './$types';

type FormErrors = Record<string, { key: string }>;
const RAISE_FIELDS = [
  'communityId',
  'kind',
  'severity',
  'titleZh',
  'titleEn',
  'bodyZh',
  'bodyEn',
  'buildings',
  'groups',
  'tags',
  'ttlMinutes',
] as const;

/** Active alerts, the history, the raise form and (for administrators) the webhook sources. */
export const load: PageServerLoad = ({ locals }) => {
  requireRole(locals, ...PERMISSIONS.alerts);
  const { alerts, devices } = locals.services;
  const manageSources = can(locals.user, 'alertSources');
  return {
    active: alerts.listActive(),
    history: alerts.listHistory().filter((alert) => alert.state !== 'active'),
    communities: devices.listCommunities(),
    buildings: devices.listBuildings(),
    defaultTtlMinutes: alerts.defaultTtlMinutes,
    manageSources,
    sources: manageSources ? alerts.listSources() : [],
  };
};

export const actions: Actions = {
  /** Raises an alert: stored, audited and pushed to every targeted kiosk at once. */
  raise: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.alerts);
    const form = await request.formData();
    const values = Object.fromEntries(RAISE_FIELDS.map((name) => [name, String(form.get(name) ?? '')]));
    const buildings = form.getAll('buildings').map(String);
    const result = locals.services.alerts.raise({ ...values, buildings }, actor);
    if (!result.ok) {
      const field = result.error.field ?? '_';
      const key = (RAISE_FIELDS as readonly string[]).includes(field)
        ? `alerts.error.${field}`
        : 'alerts.error.invalid';
      return fail(400, {
        action: 'raise' as const,
        values: { ...values, buildings: buildings.join(',') },
        errors: { [field]: { key } } as FormErrors,
      });
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'alerts.flash.raised',
      params: { count: result.value.pushedTo },
    });
    return { action: 'raise' as const };
  },
  /** Clears an alert: every kiosk showing it drops it at once. */
  clear: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.alerts);
    const form = await request.formData();
    const result = locals.services.alerts.clear(String(form.get('alertId') ?? ''), actor);
    if (!result.ok) {
      return fail(404, {
        action: 'clear' as const,
        values: null,
        errors: { _: { key: 'alerts.error.notFound' } } as FormErrors,
      });
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: result.value.changed ? 'alerts.flash.cleared' : 'alerts.flash.alreadyCleared',
      params: {},
    });
    return { action: 'clear' as const };
  },
  /** A webhook source for an IoT alarm gateway: its token is shown in this answer only. */
  createSource: async ({ request, locals }) => {
    const actor = requireRole(locals, ...PERMISSIONS.alertSources);
    const form = await request.formData();
    const values = {
      name: String(form.get('name') ?? ''),
      communityId: String(form.get('communityId') ?? ''),
    };
    const result = locals.services.alerts.createSource(values, actor);
    if (!result.ok) {
      const field = result.error.field === 'communityId' ? 'sourceCommunityId' : 'name';
      return fail(400, {
        action: 'createSource' as const,
        values,
        errors: { [field]: { key: `alerts.error.${field}` } } as FormErrors,
      });
    }
    return { action: 'createSource' as const, issued: result.value };
  },
  revokeSource: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.alertSources);
    const form = await request.formData();
    const result = locals.services.alerts.revokeSource(String(form.get('sourceId') ?? ''), actor);
    if (!result.ok) {
      return fail(result.error.kind === 'not-found' ? 404 : 409, {
        action: 'revokeSource' as const,
        values: null,
        errors: { _: { key: 'alerts.error.sourceNotFound' } } as FormErrors,
      });
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'alerts.flash.sourceRevoked',
      params: { name: result.value.name },
    });
    return { action: 'revokeSource' as const };
  },
};
