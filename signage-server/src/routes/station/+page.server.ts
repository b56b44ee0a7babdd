import { redirect } from '@sveltejs/kit';
import { CardUid } from '@linli/content';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { parseYuan } from '$lib/money';
import { stationFailure, valuesOf } from './station-form';
import type { Actions, PageServerLoad } from './$types';

/** Card search, and issuing a card: first find the unit (building/number), then pick the holder. */
export const load: PageServerLoad = ({ locals, url }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const { cards, registry } = locals.services;
  // A card tapped on the station's reader while no page field wanted it (station mode): open its card, or, for a
  // blank card, offer to issue it.
  const tapped = CardUid.safeParse(url.searchParams.get('tap') ?? '');
  const tapUid = tapped.success ? tapped.data : null;
  if (tapUid) {
    const card = cards.getByUid(tapUid);
    if (card) redirect(303, `/station/cards/${card.id}`);
  }
  const query = url.searchParams.get('q') ?? '';
  const unitQuery = (url.searchParams.get('unit') ?? '').trim();
  let unit: { id: string; label: string; residents: { id: string; name: string }[] } | null = null;
  let unitError = false;
  if (unitQuery) {
    const [buildingCode, number] = unitQuery.split('/').map((s) => s.trim());
    const communityId = locals.stationCommunityId;
    const building =
      communityId && buildingCode ? registry.repository.findBuildingByCode(communityId, buildingCode) : null;
    const found = building && number ? registry.repository.findUnitByNumber(building.id, number) : null;
    if (found && building) {
      unit = {
        id: found.id,
        label: `${building.name} ${found.number}`,
        residents: registry.listResidents(found.id).map((r) => ({ id: r.id, name: r.name })),
      };
    } else unitError = true;
  }
  return { query, cards: cards.search(query), unitQuery, unit, unitError, tapUid };
};

export const actions: Actions = {
  issue: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const values = valuesOf(form);
    // empty: the default limit; otherwise yuan, as the clerk types every amount
    const dailyLimit = values.dailyLimit ? parseYuan(values.dailyLimit) : undefined;
    if (dailyLimit === null) return stationFailure('issue', values, { kind: 'dailyLimit' }, 'dailyLimit');
    const result = await locals.services.cards.issue(
      {
        uid: values.uid ?? '',
        residentId: values.residentId ?? '',
        pin: String(form.get('pin') ?? ''),
        ...(values.idNumber ? { idNumber: values.idNumber } : {}),
        ...(dailyLimit !== undefined ? { dailyLimit } : {}),
      },
      actor,
    );
    if (!result.ok) {
      if (result.field === 'dailyLimit')
        return stationFailure('issue', values, { kind: 'dailyLimit' }, 'dailyLimit');
      const field =
        result.field && ['uid', 'pin', 'idNumber', 'residentId'].includes(result.field)
          ? result.field
          : undefined;
      const kind =
        result.error.kind === 'invalid' && result.error.message.startsWith('cards.')
          ? result.error.message
          : null;
      return stationFailure('issue', values, kind ? { kind: 'invalid' } : result.error, field);
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'station.flash.issued',
      params: { uid: result.value.uid },
    });
    redirect(303, `/station/cards/${result.value.id}`);
  },
};
