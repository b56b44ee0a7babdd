import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLERK, createTestPayments, type TestPayments } from '../testing/payments.fixture';
import { PaymentWriter } from './payment-writer';
import type { PayBillsResult } from './payment.service';

// The payments writer thread over a real database file: the thread runs the sources through tsx, with its own
// connection; the test reads what it committed through a third connection.

let t: TestPayments;
let writer: PaymentWriter;
let logs: string[];
let reader: Database.Database;
let keyNo = 0;
const key = () => ({ scope: 'device:kiosk-1', key: `writer-key-${++keyNo}-abcdef` });

beforeEach(async () => {
  t = createTestPayments();
  logs = [];
  writer = await PaymentWriter.start({
    file: t.db.name,
    hashKey: t.keys.hashKey,
    pinRequiredAbove: t.payments.pinRequiredAbove,
    local: (payment) => t.payments.settlePayment(payment),
    log: (line) => logs.push(line),
  });
  t.payments.useWriter(writer);
  reader = new Database(t.db.name, { readonly: true });
});
afterEach(async () => {
  await writer.close();
  reader.close();
  expect(t.ledger.repository.invariants()).toEqual({
    totalOfEntries: 0,
    unbalancedTransactions: 0,
    negativeWallets: 0,
    driftedBalances: 0,
    totalOfBalances: 0,
  });
  t.cleanup();
});

/** `cards` cards with `billsEach` unpaid bills of 100 fen each, and plenty of money. */
async function households(cards: number, billsEach: number) {
  const residents = t.residents(cards);
  const made: { uid: string; bills: string[] }[] = [];
  for (const [index, resident] of residents.entries()) {
    const uid = `04A1B2C3D4${String(index).padStart(4, '0')}`;
    const card = await t.cards.issue({ uid, residentId: resident.id, pin: '123456' }, CLERK);
    if (!card.ok) throw new Error(card.error.message);
    t.payments.topUpCash(card.value.id, 1_000_000, CLERK, { scope: 'user:clerk-1', key: `top-up-${uid}` });
    const bills: string[] = [];
    for (let n = 0; n < billsEach; n++) {
      const id = `w-${index}-${n}`;
      t.bills.repository.insert({
        id,
        unitId: resident.unitId,
        category: 'water',
        period: '2026-10',
        amount: 100,
        dueDate: null,
        source: 'test',
        createdAt: t.clock.now().toISOString(),
      });
      bills.push(id);
    }
    made.push({ uid, bills });
  }
  return made;
}

const committedPayments = () =>
  (
    reader.prepare("SELECT count(*) AS n FROM ledger_transactions WHERE kind = 'bill-payment'").get() as {
      n: number;
    }
  ).n;
const paidBills = () =>
  (reader.prepare("SELECT count(*) AS n FROM bills WHERE status = 'paid'").get() as { n: number }).n;
const isCommitted = (receiptId: string) =>
  reader.prepare('SELECT 1 FROM ledger_transactions WHERE id = ?').get(Number(receiptId.split('-')[0])) !==
  undefined;

describe('payments writer thread', () => {
  it('settles concurrent payments on its own connection and answers only after their COMMIT', async () => {
    const made = await households(4, 30);
    const batchesBefore = t.ledger.groupCommit.batches;
    const answered: boolean[] = [];
    const results = await Promise.all(
      made.flatMap(({ uid, bills }) =>
        bills.map((billId) =>
          t.payments.payBills({ uid, billIds: [billId] }, key()).then((result) => {
            // at the moment the answer exists, another connection can read the payment
            answered.push(result.ok && isCommitted(result.value.receiptId));
            return result;
          }),
        ),
      ),
    );
    expect(results.every((result) => result.ok && !result.replayed)).toBe(true);
    expect(answered).toEqual(results.map(() => true));
    expect(committedPayments()).toBe(120);
    expect(paidBills()).toBe(120);
    // none of them ran on the main thread's connection
    expect(logs).toEqual([]);
    expect(t.ledger.groupCommit.batches).toBe(batchesBefore);
    expect(writer.threaded).toBe(true);
  });

  it('a retried key in flight waits for the first and gets its answer; another body with it is refused', async () => {
    const { uid, bills } = (await households(1, 2))[0]!;
    const k = key();
    const [first, retry, other] = await Promise.all([
      t.payments.payBills({ uid, billIds: [bills[0]!] }, k),
      t.payments.payBills({ uid, billIds: [bills[0]!] }, k),
      t.payments.payBills({ uid, billIds: [bills[1]!] }, k),
    ]);
    expect(first).toMatchObject({ ok: true, replayed: false });
    expect(retry).toEqual({ ...first, replayed: true });
    expect(other).toMatchObject({ ok: false, error: { kind: 'idempotency-mismatch' } });
    expect(committedPayments()).toBe(1);
    expect(paidBills()).toBe(1);
  });

  it('close() (shutdown) lets the thread commit every payment it was handed; later ones are written here', async () => {
    const made = await households(2, 21);
    // the last bill of each household is kept for after the close
    const pending = made.flatMap(({ uid, bills }) =>
      bills.slice(0, -1).map((billId) => t.payments.payBills({ uid, billIds: [billId] }, key())),
    );
    await t.payments.closeWriter();
    expect(writer.threaded).toBe(false);
    const results = await Promise.all(pending);
    expect(results.every((result) => result.ok)).toBe(true);
    expect(committedPayments()).toBe(40);
    expect(logs).toEqual([]);
    const batchesBefore = t.ledger.groupCommit.batches;
    const later = await t.payments.payBills({ uid: made[0]!.uid, billIds: [made[0]!.bills.at(-1)!] }, key());
    expect(later.ok).toBe(true);
    expect(t.ledger.groupCommit.batches).toBe(batchesBefore + 1);
    expect(committedPayments()).toBe(41);
  });

  it('a thread killed mid-batch loses no acknowledged payment and applies none twice', async () => {
    const made = await households(8, 40);
    const requests = made.flatMap(({ uid, bills }) =>
      bills.map((billId) => ({ request: { uid, billIds: [billId] }, idempotency: key() })),
    );
    let answeredCount = 0;
    let killedAfter = -1;
    let reachedTwenty!: () => void;
    const twenty = new Promise<void>((resolve) => (reachedTwenty = resolve));
    const results: PayBillsResult[] = [];
    // 8 clients, each sending its next payment when the last one was answered (like the bench)
    let next = 0;
    const client = async () => {
      while (next < requests.length) {
        const { request, idempotency } = requests[next++]!;
        results.push(await t.payments.payBills(request, idempotency));
        if (++answeredCount === 20) reachedTwenty();
      }
    };
    const clients = Promise.all(Array.from({ length: 8 }, client));
    await twenty;
    killedAfter = answeredCount;
    await writer.terminateThread();
    await clients;
    // the kill came while payments were still unanswered
    expect(killedAfter).toBeLessThan(requests.length);
    // …and the thread had payments in hand that it had not answered
    expect(logs.some((line) => /thread ended \(exit code 1, [1-9]\d* payments unanswered\)/.test(line))).toBe(
      true,
    );
    expect(results.every((result) => result.ok)).toBe(true);
    for (const result of results) if (result.ok) expect(isCommitted(result.value.receiptId)).toBe(true);
    // every payment exactly once: one transaction per bill, each bill paid once, one key per request
    expect(committedPayments()).toBe(requests.length);
    expect(paidBills()).toBe(requests.length);
    expect(new Set(results.map((result) => result.ok && result.value.receiptId)).size).toBe(requests.length);
    // a retry after the crash replays the stored answer and charges nothing
    const again = await t.payments.payBills(requests[0]!.request, requests[0]!.idempotency);
    const first = results.find(
      (result) => result.ok && result.value.bills[0]!.id === requests[0]!.request.billIds[0],
    );
    expect(again).toEqual({ ...first, replayed: true });
    expect(committedPayments()).toBe(requests.length);
    // a new thread took over the later payments
    expect(writer.threaded).toBe(true);
  });
});
