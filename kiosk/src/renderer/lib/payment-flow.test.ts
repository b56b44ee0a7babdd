// The online top-up part of the payment screen's state: the QR code is polled until the order is paid or closed,
// the kiosk is kept awake only for a while, and leaving or clearing stops the polling.
import type { CardSummaryV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KioskApi } from '../../shared/kiosk-api';
import type { KioskTopUpStatus } from '../../shared/payment-api';
import { fail, ok } from '../../shared/result';
import { PaymentFlow, TOPUP_KEEP_AWAKE_MS, TOPUP_POLL_MS } from './payment-flow.svelte';

const CARD: CardSummaryV1 = {
  cardId: 'card-1',
  holderMasked: '张*',
  unitLabel: '1号楼 0101',
  balance: 40_000,
  dailyLimit: 200_000,
  spentToday: 0,
  pinRequiredAbove: 20_000,
  unpaidBills: [],
  onlineTopUp: true,
};

/** A host that answers the card and top-up calls from a script the test changes as it goes. */
function fakeHost() {
  const host = {
    statuses: [] as (KioskTopUpStatus | 'unreachable')[],
    statusCalls: 0,
    card: CARD,
    api: {
      paymentCard: async () => ok(host.card),
      paymentTopUpStart: async ({ amount }: { amount: number }) =>
        ok({ amount, qrPayload: 'https://linli.example/sim-pay/T1' }),
      paymentTopUpStatus: async () => {
        host.statusCalls++;
        const next = host.statuses.shift() ?? { status: 'pending', amount: 10_000, balance: null };
        return next === 'unreachable'
          ? fail('server-unreachable', 'the payment server cannot be reached')
          : ok(next);
      },
    } as unknown as KioskApi,
  };
  return host;
}

let host: ReturnType<typeof fakeHost>;
let wakes: number;
let flow: PaymentFlow;

beforeEach(async () => {
  vi.useFakeTimers();
  host = fakeHost();
  wakes = 0;
  flow = new PaymentFlow(
    () => host.api,
    () => wakes++,
  );
  await flow.loadCard();
  flow.openTopUp();
});
afterEach(() => {
  flow.dispose();
  vi.useRealTimers();
});

const tick = () => vi.advanceTimersByTimeAsync(TOPUP_POLL_MS);

describe('online top-up at the kiosk', () => {
  it('polls the order while the QR code shows, through a server outage, until it is paid', async () => {
    expect(flow.current.step).toBe('topup-amount');
    await flow.startTopUp(10_000);
    expect(flow.current).toMatchObject({ step: 'topup-qr', order: { amount: 10_000 } });
    host.statuses.push({ status: 'pending', amount: 10_000, balance: null }, 'unreachable', {
      status: 'paid',
      amount: 10_000,
      balance: 50_000,
    });
    await tick();
    await tick();
    expect(flow.current.step).toBe('topup-qr');
    await tick();
    expect(flow.current).toEqual({ step: 'topup-done', amount: 10_000, balance: 50_000 });
    expect(flow.card?.balance).toBe(50_000);
    expect(wakes).toBe(2);
    await tick();
    expect(host.statusCalls).toBe(3);
  });

  it('a closed order says nothing was taken and offers the bills again', async () => {
    await flow.startTopUp(5_000);
    host.statuses.push({ status: 'failed', amount: 5_000, balance: null });
    await tick();
    expect(flow.current).toMatchObject({
      step: 'error',
      error: { message: 'payError_topUpFailed', next: 'back-to-bills' },
    });
  });

  it('keeps the kiosk awake for a while only, and stops asking once the resident leaves', async () => {
    await flow.startTopUp(10_000);
    await vi.advanceTimersByTimeAsync(TOPUP_KEEP_AWAKE_MS + 10 * TOPUP_POLL_MS);
    expect(wakes).toBe(TOPUP_KEEP_AWAKE_MS / TOPUP_POLL_MS - 1);
    flow.leaveTopUp();
    expect(flow.current.step).toBe('bills');
    const calls = host.statusCalls;
    await vi.advanceTimersByTimeAsync(10 * TOPUP_POLL_MS);
    expect(host.statusCalls).toBe(calls);
  });

  it('forgets the order when the card is taken away, and offers nothing when the server has no online top-up', async () => {
    await flow.startTopUp(10_000);
    flow.clear();
    const calls = host.statusCalls;
    await vi.advanceTimersByTimeAsync(10 * TOPUP_POLL_MS);
    expect(host.statusCalls).toBe(calls);
    expect(flow.current.step).toBe('tap-card');

    host.card = { ...CARD, onlineTopUp: false };
    await flow.loadCard();
    flow.openTopUp();
    expect(flow.current.step).toBe('bills');
  });
});
