import { CardUid } from '@linli/content';
import { z } from 'zod';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { communityOf, formValues, visitorsFailure } from '../visitors-form';
import type { Actions, PageServerLoad } from './$types';

const BindInput = z.object({
  uid: z
    .string()
    .trim()
    .transform((s) => s.replace(/[\s:-]/g, '').toUpperCase())
    .pipe(CardUid),
  residentId: z.string().min(1),
  buildingIds: z.array(z.string().min(1)).max(50),
});

/** Residents' access cards: bind a card (read on the station reader) to a resident and buildings; block lost ones. */
export const load: PageServerLoad = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const { registry, access } = locals.services;
  const communityId = communityOf(locals);
  const unitQuery = (url.searchParams.get('unit') ?? '').trim();
  let unit: { id: string; label: string; residents: { id: string; name: string }[] } | null = null;
  let unitError = false;
  if (unitQuery) {
    const [buildingCode, number] = unitQuery.split('/').map((s) => s.trim());
    const building = buildingCode ? registry.repository.findBuildingByCode(communityId, buildingCode) : null;
    const found = building && number ? registry.repository.findUnitByNumber(building.id, number) : null;
    if (found && building) {
      unit = {
        id: found.id,
        label: `${building.name} ${found.number}`,
        residents: registry.listResidents(found.id).map((r) => ({ id: r.id, name: r.name })),
      };
    } else unitError = true;
  }
  return {
    unitQuery,
    unit,
    unitError,
    buildings: registry.listBuildings(communityId).map((b) => ({ id: b.id, name: b.name })),
    cards: access.cards(communityId),
  };
};

export const actions: Actions = {
  bind: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const values = formValues(form);
    const parsed = BindInput.safeParse({
      uid: values.uid ?? '',
      residentId: values.residentId ?? '',
      buildingIds: form.getAll('buildingIds').map(String),
    });
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? '');
      return visitorsFailure('bind', values, 'invalid', field === 'uid' ? 'uid' : undefined);
    }
    const result = locals.services.access.bindCard(parsed.data, actor);
    if (!result.ok) return visitorsFailure('bind', values, result.error.kind);
    setFlash(cookies, locals, { kind: 'success', key: 'visitors.flash.cardBound' });
    return { action: 'bind' };
  },
  block: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const values = formValues(await request.formData());
    const result = locals.services.access.setCardBlocked(values.uid ?? '', values.blocked === 'true', actor);
    if (!result.ok) return visitorsFailure('block', values, result.error.kind);
    setFlash(cookies, locals, { kind: 'success', key: 'visitors.flash.cardChanged' });
    return { action: 'block' };
  },
};
