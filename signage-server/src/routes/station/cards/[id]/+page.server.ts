import { error, redirect } from '@sveltejs/kit';
import { requireRole } from '$lib/server/auth/guard';
import { PERMISSIONS } from '$lib/server/auth/permissions';
import { setFlash } from '$lib/server/flash';
import { formatFen, parseYuan } from '$lib/money';
import { formIdempotency, newFormKey, stationFailure, valuesOf } from '../../station-form';
import type { Actions, PageServerLoad } from './$types';

/** One card: balance, state, statement, the household's statement, and every clerk action on it. */
export const load: PageServerLoad = ({ locals, params }) => {
  requireRole(locals, ...PERMISSIONS.station);
  const { cards, payments } = locals.services;
  const card = cards.view(params.id);
  if (!card) error(404, { message: 'card not found', kind: 'not-found' });
  return {
    card,
    statement: payments.statement(card.id)!,
    household: payments.householdStatement(card.unitId),
    orders: payments.ordersOfCard(card.id),
    keys: { topup: newFormKey(), replace: newFormKey(), close: newFormKey() },
  };
};

export const actions: Actions = {
  topup: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const values = valuesOf(form);
    const amount = parseYuan(values.amount ?? '');
    if (amount === null || amount <= 0) return stationFailure('topup', values, { kind: 'amount' }, 'amount');
    const idempotency = formIdempotency(request, form, actor.id);
    if (!idempotency) return stationFailure('topup', values, { kind: 'invalid' });
    const result = locals.services.payments.topUpCash(params.id, amount, actor, idempotency);
    if (!result.ok) return stationFailure('topup', values, result.error);
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'station.flash.toppedUp',
      params: { balance: formatFen(result.value.balance) },
    });
    return { action: 'topup', balance: result.value.balance };
  },
  lost: async ({ locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const result = locals.services.cards.reportLost(params.id, actor);
    if (!result.ok) return stationFailure('lost', {}, result.error);
    setFlash(cookies, locals, { kind: 'success', key: 'station.flash.lost' });
    return { action: 'lost' };
  },
  limit: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const values = valuesOf(await request.formData());
    const limit = parseYuan(values.dailyLimit ?? '');
    if (limit === null) return stationFailure('limit', values, { kind: 'dailyLimit' }, 'dailyLimit');
    const result = locals.services.cards.setDailyLimit(params.id, limit, actor);
    if (!result.ok) {
      return result.error.kind === 'invalid' && result.error.message === 'cards.error.dailyLimit'
        ? stationFailure('limit', values, { kind: 'dailyLimit' }, 'dailyLimit')
        : stationFailure('limit', values, result.error);
    }
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'station.flash.dailyLimit',
      params: { limit: formatFen(result.value.dailyLimit) },
    });
    return { action: 'limit' };
  },
  unlock: async ({ locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const result = locals.services.cards.unlock(params.id, actor);
    if (!result.ok) return stationFailure('unlock', {}, result.error);
    setFlash(cookies, locals, { kind: 'success', key: 'station.flash.unlocked' });
    return { action: 'unlock' };
  },
  replace: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const values = valuesOf(form);
    const idempotency = formIdempotency(request, form, actor.id);
    if (!idempotency) return stationFailure('replace', values, { kind: 'invalid' });
    const pin = String(form.get('pin') ?? '');
    const result = await locals.services.cards.replace(
      params.id,
      { newUid: values.newUid ?? '', ...(pin ? { pin } : {}) },
      actor,
      idempotency,
    );
    if (!result.ok) {
      const field = result.field === 'newUid' || result.field === 'pin' ? result.field : undefined;
      return stationFailure('replace', values, result.error, field);
    }
    setFlash(cookies, locals, { kind: 'success', key: 'station.flash.replaced' });
    redirect(303, `/station/cards/${result.value.id}`);
  },
  close: async ({ request, locals, params, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const idempotency = formIdempotency(request, form, actor.id);
    if (!idempotency) return stationFailure('close', {}, { kind: 'invalid' });
    const result = locals.services.cards.close(params.id, actor, idempotency);
    if (!result.ok) return stationFailure('close', {}, result.error);
    setFlash(cookies, locals, {
      kind: 'success',
      key: 'station.flash.closed',
      params: { amount: formatFen(result.value.refunded) },
    });
    return { action: 'close', refunded: result.value.refunded };
  },
  refund: async ({ request, locals, cookies }) => {
    const actor = requireRole(locals, ...PERMISSIONS.station);
    const form = await request.formData();
    const values = valuesOf(form);
    const result = locals.services.payments.requestRefund(values.billId ?? '', values.reason ?? '', actor);
    if (!result.ok) return stationFailure('refund', values, result.error);
    setFlash(cookies, locals, { kind: 'success', key: 'station.flash.refundRequested' });
    return { action: 'refund', refundId: result.value.id };
  },
};
