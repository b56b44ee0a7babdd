import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PIN_FAILURES } from '../cards/card.schema';
import { generateDemoCommunity } from '../registry/demo-community';
import { accountIds, businessDayOf } from '../ledger/ledger.schema';
import { createPaymentServices } from '../payments.services';
import { CLERK, createTestPayments, SUPERVISOR, type TestPayments } from '../testing/payments.fixture';

let t: TestPayments;
let keyNo = 0;
const key = (scope = 'device:kiosk-1') => ({ scope, key: `key-${++keyNo}-abcdef` });
const clerkKey = () => key('user:clerk-1');
/** The server's public base URL, as the top-up route passes it. */
const SITE = 'https://linli.example';

async function issued(uid = '04A1B2C3D4E5F6', residentIndex = 0, topUp = 50_000) {
  const resident = t.residents(residentIndex + 1)[residentIndex]!;
  const card = await t.cards.issue(
    { uid, residentId: resident.id, pin: '123456', idNumber: '11010519491231002X' },
    CLERK,
  );
  if (!card.ok) throw new Error(card.error.message);
  if (topUp) expect(t.payments.topUpCash(card.value.id, topUp, CLERK, clerkKey()).ok).toBe(true);
  return { card: card.value, resident };
}

function bill(
  unitId: string,
  id: string,
  amount: number,
  category: 'water' | 'electricity' | 'gas' = 'water',
) {
  t.bills.repository.insert({
    id,
    unitId,
    category,
    period: '2026-10',
    amount,
    dueDate: null,
    source: 'test',
    createdAt: t.clock.now().toISOString(),
  });
}

const counts = () =>
  t.db
    .prepare(
      `SELECT (SELECT count(*) FROM ledger_entries) AS entries, (SELECT count(*) FROM ledger_transactions) AS transactions,
              (SELECT count(*) FROM bills WHERE status = 'paid') AS paid, (SELECT count(*) FROM idempotency_keys) AS keys`,
    )
    .get();

function expectLedgerSound() {
  const inv = t.ledger.repository.invariants();
  expect(inv).toEqual({
    totalOfEntries: 0,
    unbalancedTransactions: 0,
    negativeWallets: 0,
    driftedBalances: 0,
    totalOfBalances: 0,
  });
}

beforeEach(() => {
  t = createTestPayments();
});
afterEach(() => {
  expectLedgerSound();
  t.cleanup();
});

describe('paying bills with the card', () => {
  it('pays two bills: wallet debited, payables credited, bills paid in the same transaction', async () => {
    const { card } = await issued();
    bill(card.unitId, 'w-1', 4_650, 'water');
    bill(card.unitId, 'e-1', 12_830, 'electricity');
    const lookup = t.payments.lookup(card.uid);
    expect(lookup.ok && lookup.value.unpaidBills.map((b) => b.id).sort()).toEqual(['e-1', 'w-1']);
    expect(lookup.ok && lookup.value.holderMasked).not.toContain(t.cards.view(card.id)!.holderName.slice(1));

    const paid = await t.payments.payBills({ uid: card.uid, billIds: ['w-1', 'e-1'] }, key());
    expect(paid.ok).toBe(true);
    if (!paid.ok) return;
    expect(paid.value.amount).toBe(17_480);
    expect(paid.value.balanceAfter).toBe(50_000 - 17_480);
    expect(t.ledger.balance(accountIds.payable('water'))).toBe(4_650);
    expect(t.ledger.balance(accountIds.payable('electricity'))).toBe(12_830);
    expect(t.bills.get('w-1')!.status).toBe('paid');
    expect(t.bills.get('e-1')!.paidTransactionId).toBe(Number(paid.value.receiptId.split('-')[0]));
    expect(t.payments.receipt(paid.value.receiptId)?.amount).toBe(17_480);
    expect(t.payments.receipt(paid.value.receiptId.replace(/.$/, (c) => (c === '0' ? '1' : '0')))).toBeNull();
  });

  it('a retried request with the same key charges once and replays the first answer', async () => {
    const { card } = await issued();
    bill(card.unitId, 'w-1', 1_000);
    const k = key();
    const first = await t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, k);
    const before = counts();
    const again = await t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, k);
    expect(again).toMatchObject({ ok: true, replayed: true });
    expect(again.ok && first.ok && again.value).toEqual(first.ok && first.value);
    expect(counts()).toEqual(before);
    expect(t.ledger.balance(card.walletAccountId)).toBe(49_000);
  });

  it('the same key with a different body is refused (409) and writes nothing', async () => {
    const { card } = await issued();
    bill(card.unitId, 'w-1', 1_000);
    bill(card.unitId, 'w-2', 2_000);
    const k = key();
    await t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, k);
    const before = counts();
    const other = await t.payments.payBills({ uid: card.uid, billIds: ['w-2'] }, k);
    expect(other).toMatchObject({ ok: false, error: { kind: 'idempotency-mismatch' } });
    expect(counts()).toEqual(before);
  });

  it('a double tap (two keys, same bill) charges once: the second is bill-unavailable', async () => {
    const { card } = await issued();
    bill(card.unitId, 'w-1', 1_000);
    const [a, b] = await Promise.all([
      t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, key()),
      t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, key()),
    ]);
    expect([a.ok, b.ok].sort()).toEqual([false, true]);
    expect(t.ledger.balance(card.walletAccountId)).toBe(49_000);
  });

  it.each([
    ['unknown card', { uid: 'DEADBEEF', billIds: ['w-1'] }, 'card-unknown'],
    ['a bill of another household', { uid: '04A1B2C3D4E5F6', billIds: ['other'] }, 'bill-unavailable'],
    ['an unknown bill', { uid: '04A1B2C3D4E5F6', billIds: ['nope'] }, 'bill-unavailable'],
  ])('refuses %s and writes no money', async (_name, request, kind) => {
    const { card } = await issued();
    const other = t.residents(2)[1]!;
    bill(card.unitId, 'w-1', 1_000);
    bill(other.unitId, 'other', 1_000);
    const before = t.db.prepare('SELECT count(*) AS n FROM ledger_entries').get();
    const result = await t.payments.payBills(request, key());
    expect(result).toMatchObject({ ok: false, error: { kind } });
    expect(t.db.prepare('SELECT count(*) AS n FROM ledger_entries').get()).toEqual(before);
    expect(t.bills.get('w-1')!.status).toBe('unpaid');
  });

  it('refuses a payment larger than the balance; the wallet never goes below zero', async () => {
    const { card } = await issued(undefined, 0, 500);
    bill(card.unitId, 'w-1', 501);
    const result = await t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, key());
    expect(result).toMatchObject({ ok: false, error: { kind: 'insufficient-balance' } });
    expect(t.ledger.balance(card.walletAccountId)).toBe(500);
    expect(t.bills.get('w-1')!.status).toBe('unpaid');
  });

  it('needs the PIN above the threshold; 3 wrong PINs lock the card until a clerk unlocks it', async () => {
    const { card } = await issued();
    bill(card.unitId, 'big', 20_001);
    expect(await t.payments.payBills({ uid: card.uid, billIds: ['big'] }, key())).toMatchObject({
      ok: false,
      error: { kind: 'pin-required' },
    });
    for (let i = 1; i < MAX_PIN_FAILURES; i++) {
      expect(
        await t.payments.payBills({ uid: card.uid, billIds: ['big'], pin: '000000' }, key()),
      ).toMatchObject({
        ok: false,
        error: { kind: 'wrong-pin', params: { remaining: MAX_PIN_FAILURES - i } },
      });
    }
    expect(
      await t.payments.payBills({ uid: card.uid, billIds: ['big'], pin: '000000' }, key()),
    ).toMatchObject({
      ok: false,
      error: { kind: 'card-locked' },
    });
    // locked: even the right PIN is refused, and so is the tap
    expect(
      await t.payments.payBills({ uid: card.uid, billIds: ['big'], pin: '123456' }, key()),
    ).toMatchObject({
      ok: false,
      error: { kind: 'card-locked' },
    });
    expect(t.payments.lookup(card.uid)).toMatchObject({ ok: false, error: { kind: 'card-locked' } });
    t.cards.unlock(card.id, CLERK);
    const paid = await t.payments.payBills({ uid: card.uid, billIds: ['big'], pin: '123456' }, key());
    expect(paid.ok).toBe(true);
    expect(t.ledger.balance(card.walletAccountId)).toBe(50_000 - 20_001);
  });

  it('enforces the daily spending limit per business day', async () => {
    const resident = t.residents(1)[0]!;
    const card = await t.cards.issue(
      { uid: '0A0B0C0D', residentId: resident.id, pin: '123456', dailyLimit: 10_000 },
      CLERK,
    );
    if (!card.ok) throw new Error('issue');
    t.payments.topUpCash(card.value.id, 50_000, CLERK, clerkKey());
    bill(resident.unitId, 'a', 6_000);
    bill(resident.unitId, 'b', 6_000);
    expect((await t.payments.payBills({ uid: '0A0B0C0D', billIds: ['a'] }, key())).ok).toBe(true);
    expect(await t.payments.payBills({ uid: '0A0B0C0D', billIds: ['b'] }, key())).toMatchObject({
      ok: false,
      error: { kind: 'daily-limit' },
    });
    t.clock.advance(24 * 3600_000);
    expect((await t.payments.payBills({ uid: '0A0B0C0D', billIds: ['b'] }, key())).ok).toBe(true);
  });
});

describe('group commit of payments', () => {
  it('payments waiting together share one commit; refused and failing ones leave the others paid', async () => {
    const { card } = await issued();
    bill(card.unitId, 'w-1', 1_000);
    bill(card.unitId, 'w-2', 2_000);
    bill(card.unitId, 'w-3', 4_000);
    const reader = new Database(path.join(t.dataDir, 'linli.db'), { readonly: true });
    const paidSeenByReader = reader.prepare("SELECT status = 'paid' FROM bills WHERE id = ?").pluck();
    try {
      const before = { ...t.ledger.groupCommit };
      const retried = key();
      const started = [
        t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, retried),
        // a double tap of the same bill under another key
        t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, key()),
        t.payments.payBills({ uid: card.uid, billIds: ['nope'] }, key()),
        // a piece that writes money and then fails: only it is undone
        t.ledger.batched(() => {
          t.ledger.post({
            kind: 'bill-payment',
            actor: 'test',
            legs: [
              { accountId: card.walletAccountId, amount: -4_000 },
              { accountId: accountIds.payable('water'), amount: 4_000 },
            ],
          });
          t.bills.repository.markPaid('w-3', 1, t.clock.now().toISOString());
          throw new Error('failed after writing');
        }),
        t.payments.payBills({ uid: card.uid, billIds: ['w-2'] }, key()),
        // the retry of the first request, arriving before its answer
        t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, retried),
      ];
      // every answer is given only once another connection can read what it reports
      const settled = await Promise.allSettled(
        started.map((p) =>
          Promise.resolve(p).then((answer) => ({
            answer,
            w1: paidSeenByReader.get('w-1'),
            w2: paidSeenByReader.get('w-2'),
          })),
        ),
      );
      expect(t.ledger.groupCommit).toEqual({ batches: before.batches + 1, pieces: before.pieces + 6 });
      expect(settled.map((s) => s.status)).toEqual([
        'fulfilled',
        'fulfilled',
        'fulfilled',
        'rejected',
        'fulfilled',
        'fulfilled',
      ]);
      const value = (i: number) =>
        (settled[i] as PromiseFulfilledResult<{ answer: unknown; w1: number; w2: number }>).value;
      expect(value(0)).toMatchObject({ answer: { ok: true, value: { amount: 1_000 } }, w1: 1, w2: 1 });
      expect(value(1).answer).toMatchObject({ ok: false, error: { kind: 'bill-unavailable' } });
      expect(value(2).answer).toMatchObject({ ok: false, error: { kind: 'bill-unavailable' } });
      expect(value(4)).toMatchObject({ answer: { ok: true, value: { amount: 2_000 } }, w1: 1, w2: 1 });
      expect(value(5).answer).toMatchObject({ ok: true, replayed: true });
      expect((value(5).answer as { value: unknown }).value).toEqual(
        (value(0).answer as { value: unknown }).value,
      );
      expect(t.ledger.balance(card.walletAccountId)).toBe(47_000);
      expect(t.bills.get('w-3')!.status).toBe('unpaid');
      expect(reader.prepare('SELECT count(*) FROM idempotency_keys').pluck().get()).toBe(
        // the clerk's top-up and the four payment requests with distinct keys
        5,
      );
    } finally {
      reader.close();
    }
  });

  it('payments of one card in one batch see each other: no overdraft, no passing the daily limit', async () => {
    const resident = t.residents(1)[0]!;
    const issuedCard = await t.cards.issue(
      { uid: '0A0B0C0D', residentId: resident.id, pin: '123456', dailyLimit: 10_000 },
      CLERK,
    );
    if (!issuedCard.ok) throw new Error('issue');
    const card = issuedCard.value;
    t.payments.topUpCash(card.id, 9_000, CLERK, clerkKey());
    for (const [id, amount] of [
      ['a', 4_000],
      ['b', 4_000],
      ['c', 1_500],
      ['d', 1_500],
      ['e', 1_000],
    ] as const)
      bill(resident.unitId, id, amount);
    const before = { ...t.ledger.groupCommit };
    const answers = await Promise.all(
      ['a', 'b', 'c'].map((id) => t.payments.payBills({ uid: card.uid, billIds: [id] }, key())),
    );
    expect(t.ledger.groupCommit.batches).toBe(before.batches + 1);
    expect(answers.map((a) => (a.ok ? 'ok' : a.error.kind))).toEqual(['ok', 'ok', 'insufficient-balance']);
    expect(t.ledger.balance(card.walletAccountId)).toBe(1_000);
    // 8,000 spent today of 10,000: with money enough, 1,500 more still passes, and 1,000 after it does not
    t.payments.topUpCash(card.id, 20_000, CLERK, clerkKey());
    const [d, e] = await Promise.all([
      t.payments.payBills({ uid: card.uid, billIds: ['d'] }, key()),
      t.payments.payBills({ uid: card.uid, billIds: ['e'] }, key()),
    ]);
    expect(d.ok).toBe(true);
    expect(e).toMatchObject({ ok: false, error: { kind: 'daily-limit' } });
    expect(t.ledger.balance(card.walletAccountId)).toBe(19_500);
    expect(t.payments.lookup(card.uid)).toMatchObject({ ok: true, value: { spentToday: 9_500 } });
  });
});

describe('card lifecycle', () => {
  it('a card reported lost (kiosk, ID number + phone) is refused at the next tap; replacement moves the balance', async () => {
    const { card, resident } = await issued();
    const phone = generateDemoCommunity(t.clock.now().toISOString()).residents.find(
      (r) => r.id === resident.id,
    )!.phone;
    expect(t.payments.reportLost('11010519491231002X', '13900000000', 'device:k')).toMatchObject({
      ok: false,
      error: { kind: 'verification-failed' },
    });
    expect(t.payments.reportLost('11010519491231002X', phone, 'device:k')).toEqual({
      ok: true,
      value: { blockedCards: 1 },
    });
    expect(t.payments.lookup(card.uid)).toMatchObject({ ok: false, error: { kind: 'card-blocked' } });
    bill(card.unitId, 'w-1', 1_000);
    expect(await t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, key())).toMatchObject({
      ok: false,
      error: { kind: 'card-blocked' },
    });

    const replaced = await t.cards.replace(card.id, { newUid: '04:99:88:77' }, CLERK, clerkKey());
    expect(replaced.ok && replaced.value).toMatchObject({
      uid: '04998877',
      balance: 50_000,
      status: 'active',
    });
    expect(t.ledger.balance(card.walletAccountId)).toBe(0);
    expect(t.cards.view(card.id)!.status).toBe('replaced');
  });

  it('closing a card pays the balance out of the drawer; the daily close records a difference', async () => {
    const { card } = await issued(undefined, 0, 30_000);
    const closed = t.cards.close(card.id, CLERK, clerkKey());
    expect(closed.ok && closed.value.refunded).toBe(30_000);
    expect(t.payments.lookup(card.uid)).toMatchObject({ ok: false, error: { kind: 'card-blocked' } });
    const { card: second } = await issued('0B0B0C0D', 1, 20_000);
    expect(second.status).toBe('active');
    const status = t.payments.drawerStatus(second.communityId);
    expect(status.expected).toBe(20_000);
    const close = t.payments.closeDay(second.communityId, 19_900, CLERK, clerkKey());
    expect(close.ok && close.value).toMatchObject({ expected: 20_000, counted: 19_900, difference: -100 });
    expect(t.ledger.balance(accountIds.cashDrawer(second.communityId))).toBe(0);
    expect(t.ledger.balance(accountIds.cashDifference)).toBe(-100);
    expect(t.payments.closeDay(second.communityId, 0, CLERK, clerkKey())).toMatchObject({
      ok: false,
      error: { kind: 'duplicate' },
    });
  });

  it('refunds need a second person and reverse the payment', async () => {
    const { card } = await issued();
    bill(card.unitId, 'w-1', 1_000);
    await t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, key());
    const request = t.payments.requestRefund('w-1', 'double billed', CLERK);
    if (!request.ok) throw new Error(request.error.message);
    expect(t.payments.decideRefund(request.value.id, true, CLERK, clerkKey())).toMatchObject({
      ok: false,
      error: { kind: 'same-person' },
    });
    const approved = t.payments.decideRefund(request.value.id, true, SUPERVISOR, key('user:clerk-2'));
    expect(approved.ok && approved.value.status).toBe('approved');
    expect(t.ledger.balance(card.walletAccountId)).toBe(50_000);
    expect(t.bills.get('w-1')!.status).toBe('unpaid');
    const reversal = t.ledger.repository.getTransaction(approved.ok ? approved.value.transactionId! : 0)!;
    expect(reversal.reverses).toBe(
      Number(t.db.prepare("SELECT id FROM ledger_transactions WHERE kind = 'bill-payment'").pluck().get()),
    );
  });

  it('settles with the billers from the ledger: a later refund and payment never rewrite an earlier day', async () => {
    const { card } = await issued();
    const community = t.cards.view(card.id)!.communityId;
    bill(card.unitId, 'w-1', 1_000, 'water');
    bill(card.unitId, 'e-1', 2_500, 'electricity');
    await t.payments.payBills({ uid: card.uid, billIds: ['w-1', 'e-1'] }, key());
    const day1 = businessDayOf(t.clock.now());
    const statement = (from: string, to = from) =>
      t.payments.settlementCsv(community, from, to).trim().split('\n');
    const firstDay = statement(day1);
    expect(firstDay[0]).toBe('category,bill_id,building,unit,period,amount_fen,at,transaction_id,kind');
    expect(
      firstDay.slice(1).map((line) => line.split(',').filter((_, i) => [0, 1, 5, 8].includes(i))),
    ).toEqual([
      ['electricity', 'e-1', '2500', 'payment'],
      ['water', 'w-1', '1000', 'payment'],
      ['electricity', 'TOTAL', '2500', ''],
      ['water', 'TOTAL', '1000', ''],
    ]);

    // the next day the water bill is refunded and paid again
    t.clock.advance(24 * 3600_000);
    const day2 = businessDayOf(t.clock.now());
    const request = t.payments.requestRefund('w-1', 'meter misread', CLERK);
    if (!request.ok) throw new Error(request.error.message);
    expect(t.payments.decideRefund(request.value.id, true, SUPERVISOR, key('user:clerk-2')).ok).toBe(true);
    await t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, key());

    expect(statement(day1)).toEqual(firstDay);
    const secondDay = statement(day2).slice(1);
    expect(secondDay.map((line) => line.split(',').filter((_, i) => [0, 1, 5, 8].includes(i)))).toEqual([
      ['water', 'w-1', '-1000', 'refund'],
      ['water', 'w-1', '1000', 'payment'],
      ['water', 'TOTAL', '0', ''],
    ]);
    // both days: what the water biller is owed is what its payable account took in
    const both = statement(day1, day2);
    expect(both.filter((line) => line.startsWith('water,TOTAL,'))).toEqual(['water,TOTAL,,,,1000,,,']);
    expect(t.ledger.balance(accountIds.payable('water'))).toBe(1_000);
    expect(t.ledger.balance(accountIds.payable('electricity'))).toBe(2_500);
    // another community's statement holds none of it
    expect(t.payments.settlementCsv('another-community', day1, day2).trim().split('\n')).toHaveLength(1);

    // the card's own statement names the same bills as data, newest first
    const lines = t.payments.statement(card.id)!.lines;
    expect(lines.map(({ kind, amount, bills }) => ({ kind, amount, bills }))).toEqual([
      { kind: 'bill-payment', amount: -1_000, bills: [{ category: 'water', period: '2026-10' }] },
      { kind: 'refund', amount: 1_000, bills: [{ category: 'water', period: '2026-10' }] },
      {
        kind: 'bill-payment',
        amount: -3_500,
        bills: expect.arrayContaining([
          { category: 'water', period: '2026-10' },
          { category: 'electricity', period: '2026-10' },
        ]),
      },
      { kind: 'topup-cash', amount: 50_000, bills: [] },
    ]);
    expect(lines[2]!.bills).toHaveLength(2);
    expect(lines.every((line) => line.tradeNo === null)).toBe(true);
  });

  it("a household's statement: its cards, and each bill with when and by which card it was paid", async () => {
    const { card } = await issued();
    bill(card.unitId, 'w-1', 1_000, 'water');
    bill(card.unitId, 'e-1', 2_500, 'electricity');
    bill(card.unitId, 'g-1', 800, 'gas');
    await t.payments.payBills({ uid: card.uid, billIds: ['w-1', 'e-1'] }, key());
    const paidAt = t.clock.now().toISOString();
    expect(t.payments.requestRefund('e-1', 'meter misread', CLERK).ok).toBe(true);

    const household = t.payments.householdStatement(card.unitId);
    expect(household.cards).toEqual([
      { id: card.id, uid: card.uid, holderName: expect.any(String), status: 'active', balance: 46_500 },
    ]);
    expect(
      household.bills.map(({ id, status, paidAt, paidCardUid, refundPending }) => ({
        id,
        status,
        paidAt,
        paidCardUid,
        refundPending,
      })),
    ).toEqual([
      { id: 'e-1', status: 'paid', paidAt, paidCardUid: card.uid, refundPending: true },
      { id: 'g-1', status: 'unpaid', paidAt: null, paidCardUid: null, refundPending: false },
      { id: 'w-1', status: 'paid', paidAt, paidCardUid: card.uid, refundPending: false },
    ]);
    // another household sees none of it
    const other = t.residents(2)[1]!;
    expect(t.payments.householdStatement(other.unitId)).toEqual({ cards: [], bills: [] });
  });

  it('with a public address configured, the e-receipt link is absolute under it (phones open it, not kiosks)', async () => {
    const { card } = await issued();
    bill(card.unitId, 'w-1', 1_000);
    const publicSide = createPaymentServices({
      config: { pinRequiredAbove: 20_000, simProviderSecret: undefined, onlineTopUp: 'off', publicUrl: SITE },
      clock: t.clock,
      db: t.db,
      keys: t.keys,
      audit: t.audit,
      phoneHash: (phone) => t.registry.phoneHash(phone),
    });
    const idempotency = key();
    const paid = await publicSide.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, idempotency);
    if (!paid.ok) throw new Error(paid.error.message);
    expect(paid.value.receiptUrl).toBe(`${SITE}/receipts/${paid.value.receiptId}`);
    // the replay of the same request says the same
    const again = await publicSide.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, idempotency);
    expect(again).toMatchObject({ ok: true, replayed: true, value: { receiptUrl: paid.value.receiptUrl } });
    // without one it stays a path, which the kiosk puts under its own server address
    bill(card.unitId, 'w-2', 1_000);
    const local = await t.payments.payBills({ uid: card.uid, billIds: ['w-2'] }, key());
    expect(local.ok && local.value.receiptUrl).toMatch(/^\/receipts\/\d+-[0-9a-f]{16}$/);
  });

  it('a clerk sets a card’s daily limit: at issue and later, within ¥1–¥50,000, audited, and payments follow it', async () => {
    const resident = t.residents(1)[0]!;
    expect(
      await t.cards.issue(
        { uid: '04A1B2C3D4E5F7', residentId: resident.id, pin: '123456', dailyLimit: 99 },
        CLERK,
      ),
    ).toMatchObject({ ok: false, field: 'dailyLimit' });
    const issuedCard = await t.cards.issue(
      { uid: '04A1B2C3D4E5F7', residentId: resident.id, pin: '123456', dailyLimit: 3_000 },
      CLERK,
    );
    if (!issuedCard.ok) throw new Error(issuedCard.error.message);
    const card = issuedCard.value;
    expect(card.dailyLimit).toBe(3_000);
    expect(t.payments.topUpCash(card.id, 10_000, CLERK, clerkKey()).ok).toBe(true);
    bill(card.unitId, 'w-1', 2_000);
    bill(card.unitId, 'w-2', 2_000);
    await t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, key());
    expect(await t.payments.payBills({ uid: card.uid, billIds: ['w-2'] }, key())).toMatchObject({
      ok: false,
      error: { kind: 'daily-limit' },
    });

    for (const bad of [0, 99, 5_000_001, 150.5, Number.NaN]) {
      expect(t.cards.setDailyLimit(card.id, bad, CLERK), String(bad)).toMatchObject({
        ok: false,
        error: { kind: 'invalid', message: 'cards.error.dailyLimit' },
      });
    }
    expect(t.cards.setDailyLimit('no-such-card', 5_000, CLERK)).toMatchObject({
      error: { kind: 'not-found' },
    });
    expect(t.cards.view(card.id)!.dailyLimit).toBe(3_000);
    expect(t.cards.setDailyLimit(card.id, 5_000, CLERK)).toMatchObject({
      ok: true,
      value: { dailyLimit: 5_000 },
    });
    expect(
      t.db.prepare("SELECT detail FROM audit_log WHERE action = 'card.daily-limit'").pluck().all(),
    ).toHaveLength(1);
    expect((await t.payments.payBills({ uid: card.uid, billIds: ['w-2'] }, key())).ok).toBe(true);
  });

  it('refuses bad top-up amounts (negative, fractional, zero) and writes nothing', async () => {
    const { card } = await issued(undefined, 0, 0);
    for (const amount of [-100, 0, 10.5, Number.NaN]) {
      expect(t.payments.topUpCash(card.id, amount, CLERK, clerkKey())).toMatchObject({
        ok: false,
        error: { kind: 'invalid' },
      });
    }
    expect(t.db.prepare('SELECT count(*) FROM ledger_entries').pluck().get()).toBe(0);
  });
});

describe('online top-up through the simulated provider', () => {
  it('is offered only when configured: the card summary says so, and no provider is named while it is off', async () => {
    const { card } = await issued(undefined, 0, 0);
    expect(t.payments.onlineTopUpProvider()).toBe('sim');
    expect(t.payments.lookup(card.uid)).toMatchObject({ ok: true, value: { onlineTopUp: true } });
    const off = createPaymentServices({
      config: { pinRequiredAbove: 20_000, simProviderSecret: undefined, onlineTopUp: 'off' },
      clock: t.clock,
      db: t.db,
      keys: t.keys,
      audit: t.audit,
      phoneHash: (phone) => t.registry.phoneHash(phone),
    });
    expect(off.payments.onlineTopUpProvider()).toBeNull();
    expect(off.simCheckout).toBeNull();
    expect(off.payments.lookup(card.uid)).toMatchObject({ ok: true, value: { onlineTopUp: false } });
  });

  it('credits once for duplicate and out-of-order callbacks; refuses a bad signature', async () => {
    const { card } = await issued(undefined, 0, 0);
    const order = await t.payments.createTopUpOrder({ uid: card.uid, amount: 10_000 }, 'sim', key(), SITE);
    if (!order.ok) throw new Error(order.error.message);
    expect(order.value.qrPayload).toBe(`${SITE}/sim-pay/${order.value.id}`);
    const notice = (status: 'paid' | 'failed', seq: number) =>
      JSON.stringify({ orderId: order.value.id, tradeNo: 'SIM-1', status, amount: 10_000, seq });
    const send = (body: string, signature = t.simProvider.sign(body)) =>
      t.payments.handleCallback('sim', body, signature);

    expect(send(notice('paid', 2), 'f'.repeat(64))).toMatchObject({
      ok: false,
      error: { kind: 'bad-signature' },
    });
    expect(t.ledger.balance(card.walletAccountId)).toBe(0);
    expect(send(notice('paid', 2))).toMatchObject({ ok: true, value: { credited: true } });
    expect(send(notice('paid', 2))).toMatchObject({ ok: true, value: { credited: false } });
    expect(send(notice('failed', 1))).toMatchObject({ ok: true, value: { credited: false, status: 'paid' } });
    expect(t.ledger.balance(card.walletAccountId)).toBe(10_000);
    expect(t.payments.getOrder(order.value.id)!.status).toBe('paid');
    expect(t.payments.statement(card.id)!.lines).toMatchObject([
      { kind: 'topup-online', amount: 10_000, tradeNo: 'SIM-1', bills: [] },
    ]);
    // the reconciliation with the provider: the order once, and the provider's total
    const community = t.cards.view(card.id)!.communityId;
    const day = businessDayOf(t.clock.now());
    const csv = t.payments.topUpReconciliationCsv(community, day, day).trim().split('\n');
    expect(csv[0]).toBe('provider,order_id,trade_no,amount_fen,at,transaction_id');
    expect(csv.slice(1).map((line) => line.split(',').slice(0, 4))).toEqual([
      ['sim', order.value.id, 'SIM-1', '10000'],
      ['sim', 'TOTAL', '', '10000'],
    ]);
    expect(t.payments.topUpReconciliationCsv('another-community', day, day).trim().split('\n')).toHaveLength(
      1,
    );
    // the clerk's view of the card's orders
    expect(t.payments.ordersOfCard(card.id)).toMatchObject([
      { id: order.value.id, amount: 10_000, status: 'paid', providerTradeNo: 'SIM-1' },
    ]);
  });

  it('closes orders nobody paid within the expiry; a paid notice arriving later still credits', async () => {
    const { card } = await issued(undefined, 0, 0);
    const old = await t.payments.createTopUpOrder({ uid: card.uid, amount: 3_000 }, 'sim', key(), SITE);
    t.clock.advance(90 * 60_000);
    const recent = await t.payments.createTopUpOrder({ uid: card.uid, amount: 1_000 }, 'sim', key(), SITE);
    if (!old.ok || !recent.ok) throw new Error('order');
    expect(t.payments.expireTopUpOrders(2)).toBe(0);
    t.clock.advance(31 * 60_000);
    expect(t.payments.expireTopUpOrders(2)).toBe(1);
    expect(t.payments.getOrder(old.value.id)!.status).toBe('failed');
    expect(t.payments.getOrder(recent.value.id)!.status).toBe('pending');
    expect(t.payments.expireTopUpOrders(2)).toBe(0);

    // the payer did pay the old one, and the provider says so late: the money still reaches the card
    const notice = JSON.stringify({
      orderId: old.value.id,
      tradeNo: 'SIM-7',
      status: 'paid',
      amount: 3_000,
      seq: 1,
    });
    expect(t.payments.handleCallback('sim', notice, t.simProvider.sign(notice))).toMatchObject({
      ok: true,
      value: { credited: true, status: 'paid' },
    });
    expect(t.ledger.balance(card.walletAccountId)).toBe(3_000);
  });

  it('money that reaches a card after it was closed (a late top-up, a refund) is paid out in cash', async () => {
    const { card } = await issued(undefined, 0, 5_000);
    bill(card.unitId, 'w-1', 1_000);
    await t.payments.payBills({ uid: card.uid, billIds: ['w-1'] }, key());
    const order = await t.payments.createTopUpOrder({ uid: card.uid, amount: 2_000 }, 'sim', key(), SITE);
    if (!order.ok) throw new Error(order.error.message);
    const refund = t.payments.requestRefund('w-1', 'double billed', CLERK);
    if (!refund.ok) throw new Error(refund.error.message);
    // nothing left to pay out twice while nothing came in
    expect(t.cards.close(card.id, CLERK, clerkKey())).toMatchObject({ ok: true, value: { refunded: 4_000 } });
    expect(t.cards.close(card.id, CLERK, clerkKey())).toMatchObject({ error: { kind: 'card-blocked' } });

    // the provider's callback comes after the close, and so does the refund's approval
    const notice = JSON.stringify({
      orderId: order.value.id,
      tradeNo: 'SIM-9',
      status: 'paid',
      amount: 2_000,
      seq: 1,
    });
    expect(t.payments.handleCallback('sim', notice, t.simProvider.sign(notice)).ok).toBe(true);
    expect(t.payments.decideRefund(refund.value.id, true, SUPERVISOR, key('user:clerk-2'))).toMatchObject({
      ok: true,
      value: { status: 'approved' },
    });
    expect(t.cards.view(card.id)).toMatchObject({ status: 'closed', balance: 3_000 });
    // still refused everywhere a card pays or is shown
    expect(t.payments.lookup(card.uid)).toMatchObject({ error: { kind: 'card-blocked' } });

    const drawer = accountIds.cashDrawer(t.cards.view(card.id)!.communityId);
    const before = t.ledger.balance(drawer);
    expect(t.cards.close(card.id, CLERK, clerkKey())).toMatchObject({ ok: true, value: { refunded: 3_000 } });
    expect(t.cards.view(card.id)).toMatchObject({ status: 'closed', balance: 0 });
    expect(t.ledger.balance(drawer) - before).toBe(3_000);
  });
});
