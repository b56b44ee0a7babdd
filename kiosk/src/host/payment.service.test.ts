// The kiosk's payment service against the real signage server (built, started as a process, demo cards seeded):
// a payment whose answer is lost is charged once when retried, a double tap sends one request, a refused PIN is
// asked afresh, and with the server gone the kiosk refuses and no money moves.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import iconv from 'iconv-lite';
import { CardSummaryV1, IDEMPOTENCY_KEY_HEADER, apiPaths, type PeripheralEvent } from '@linli/content';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceApiClient } from './device-api.client';
import { silentLogger } from './logger';
import { PaymentService } from './payment.service';
import { EscPosReceiptPrinter } from './receipt-printer';
import { SessionService, SimulatedPeripherals } from './session.service';

/** What this test uses of scripts/lib/processes.mjs, the one place that starts real Linli processes. */
interface Processes {
  startServer(options: { dataDir: string; port?: number; env?: Record<string, string> }): Promise<{
    url: string;
    port: number;
    dataDir: string;
    stop(): Promise<void>;
  }>;
  createPairingCode(dataDir: string): string;
  enrollDevice(url: string, pairingCode: string, name: string): Promise<{ credential: string }>;
}
// Imported by URL: the kiosk's tsconfig does not type-check plain JavaScript, so this names its shape itself.
const processesUrl = new URL('../../../scripts/lib/processes.mjs', import.meta.url).href;
const { startServer, createPairingCode, enrollDevice } = (await import(processesUrl)) as Processes;
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const BUILD_PRESENT = fs.existsSync(path.join(repoRoot, 'signage-server/build/handler.js'));
// The demo cards the server seeds on first start (signage-server payments/demo-payments.ts).
const DEMO_PIN = '123456';
const FIRST_CARD = '04A1B2C3D4E5F6';
const SECOND_CARD = '04B2C3D4E5F607';
const THIRD_CARD = '0A1B2C3D';

type Server = Awaited<ReturnType<Processes['startServer']>>;

describe.skipIf(!BUILD_PRESENT)('kiosk payments against the real server', () => {
  let work: string;
  let server: Server;
  let credential: string;

  beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-kiosk-pay-'));
    // online top-up through the simulated provider, whose checkout page plays the payer's phone
    server = await startServer({ dataDir: path.join(work, 'server'), env: { LINLI_ONLINE_TOPUP: 'sim' } });
    ({ credential } = await enrollDevice(server.url, createPairingCode(server.dataDir), 'pay-test'));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** What the server says about a card, asked directly (not through the service under test). */
  async function cardOnServer(uid: string) {
    const response = await fetch(server.url + apiPaths.cardLookup, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
      body: JSON.stringify({ uid }),
    });
    return CardSummaryV1.parse(await response.json());
  }

  /** A payment service over a fetch the test can watch and break, with a card tapped. */
  function kioskWith(uid: string | null, options: { fetch?: typeof fetch; printerPath?: string } = {}) {
    const session = new SessionService();
    const peripherals = new SimulatedPeripherals();
    session.attach(peripherals);
    if (uid) {
      const tap: PeripheralEvent = {
        type: 'card-present',
        at: new Date().toISOString(),
        reader: 'sim',
        uid,
        atr: null,
        technology: 'mifare-classic-1k',
      };
      peripherals.emit(tap);
    }
    const payments = new PaymentService({
      client: new DeviceApiClient(server.url, { request: 10_000, asset: 10_000 }, options.fetch ?? fetch),
      credential: () => credential,
      session,
      serverUrl: server.url,
      printer: options.printerPath ? new EscPosReceiptPrinter(options.printerPath) : null,
      logger: silentLogger,
    });
    return { payments, session };
  }

  it('a payment whose answer was lost is charged once when the resident tries again, and printed once', async () => {
    const before = await cardOnServer(FIRST_CARD);
    const bills = before.unpaidBills.filter((bill) => bill.category !== 'gas');
    const total = bills.reduce((sum, bill) => sum + bill.amount, 0);
    expect(total).toBeLessThanOrEqual(before.pinRequiredAbove);
    const keys: string[] = [];
    let loseNextPayAnswer = true;
    const watched: typeof fetch = async (input, init) => {
      const url = String(input);
      const response = await fetch(input, init);
      if (url.endsWith(apiPaths.payBills)) {
        keys.push(new Headers(init?.headers).get(IDEMPOTENCY_KEY_HEADER) ?? '');
        if (loseNextPayAnswer) {
          // The server has applied the payment; the kiosk never hears back (a network cut mid-answer).
          loseNextPayAnswer = false;
          throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
        }
      }
      return response;
    };
    const printerPath = path.join(work, 'printer.bin');
    const { payments } = kioskWith(FIRST_CARD, { fetch: watched, printerPath });
    const request = { billIds: bills.map((bill) => bill.id) };

    const lost = await payments.pay(request);
    expect(lost).toMatchObject({ ok: false, error: { kind: 'server-unreachable' } });
    const retried = await payments.pay(request);
    expect(retried.ok).toBe(true);
    if (!retried.ok) return;
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    // a UUIDv7: time-ordered, so the server's key index grows at one end (signage-server docs/ledger.md, Round 9)
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(retried.value.receipt.amount).toBe(total);
    expect(retried.value.receiptUrl).toBe(`${server.url}/receipts/${retried.value.receipt.receiptId}`);
    expect((await fetch(retried.value.receiptUrl)).status).toBe(200);

    const after = await cardOnServer(FIRST_CARD);
    expect(after.balance).toBe(before.balance - total);
    expect(after.unpaidBills.map((bill) => bill.category)).toEqual(['gas']);

    // The paper receipt: ESC/POS, bilingual in GB18030, the e-receipt as the printer's own QR code, then a cut.
    expect(retried.value.printed).toBe('printed');
    const printed = fs.readFileSync(printerPath);
    expect([...printed.subarray(0, 2)]).toEqual([0x1b, 0x40]);
    expect([...printed.subarray(-4)]).toEqual([0x1d, 0x56, 0x42, 0x00]);
    const text = iconv.decode(printed, 'gb18030');
    expect(text).toContain('合计 Total');
    expect(text).toContain(`¥${(total / 100).toFixed(2)}`);
    expect(text).toContain(retried.value.receiptUrl);
    expect(text).toContain(after.holderMasked);

    // Asked once more (a third tap on "pay"): the server replays the receipt; no second charge, no second paper.
    const again = await payments.pay(request);
    expect(again.ok && again.value.receipt).toEqual(retried.value.receipt);
    expect(keys[2]).toBe(keys[0]);
    expect((await cardOnServer(FIRST_CARD)).balance).toBe(after.balance);
    expect(fs.readFileSync(printerPath).length).toBe(printed.length);
  });

  it('a double tap sends one request and charges once', async () => {
    let payRequests = 0;
    const counting: typeof fetch = async (input, init) => {
      if (String(input).endsWith(apiPaths.payBills)) payRequests++;
      return fetch(input, init);
    };
    const { payments } = kioskWith(SECOND_CARD, { fetch: counting });
    const before = await cardOnServer(SECOND_CARD);
    const bill = before.unpaidBills[0]!;
    const [first, second] = await Promise.all([
      payments.pay({ billIds: [bill.id] }),
      payments.pay({ billIds: [bill.id] }),
    ]);
    expect(first.ok && second.ok).toBe(true);
    expect(payRequests).toBe(1);
    expect((await cardOnServer(SECOND_CARD)).balance).toBe(before.balance - bill.amount);
  });

  it('asks for the PIN above the limit; a wrong PIN is refused and the right one then pays', async () => {
    const { payments } = kioskWith(THIRD_CARD);
    const card = await payments.card();
    expect(card.ok).toBe(true);
    if (!card.ok) return;
    expect(card.value.holderMasked).toContain('*');
    const billIds = card.value.unpaidBills.map((bill) => bill.id);
    const total = card.value.unpaidBills.reduce((sum, bill) => sum + bill.amount, 0);
    expect(total).toBeGreaterThan(card.value.pinRequiredAbove);

    expect(await payments.pay({ billIds })).toMatchObject({ ok: false, error: { kind: 'pin-required' } });
    expect(await payments.pay({ billIds, pin: '000000' })).toMatchObject({
      ok: false,
      error: { kind: 'wrong-pin' },
    });
    // The same wrong PIN again is a new attempt (not the stored refusal replayed): it counts as a second try.
    expect(await payments.pay({ billIds, pin: '000000' })).toMatchObject({
      ok: false,
      error: { kind: 'wrong-pin' },
    });
    const paid = await payments.pay({ billIds, pin: DEMO_PIN });
    expect(paid.ok && paid.value.receipt.amount).toBe(total);
    expect(paid.ok && paid.value.printed).toBe('no-printer');

    const statement = await payments.statement();
    expect(statement.ok && statement.value.lines[0]?.amount).toBe(-total);
  });

  it('online top-up: a double tap makes one order; the QR opens the checkout; once paid the new balance shows', async () => {
    const before = await cardOnServer(THIRD_CARD);
    expect(before.onlineTopUp).toBe(true);
    const orders: string[] = [];
    const watched: typeof fetch = async (input, init) => {
      if (String(input).endsWith(apiPaths.topUpOrders))
        orders.push(new Headers(init?.headers).get(IDEMPOTENCY_KEY_HEADER) ?? '');
      return fetch(input, init);
    };
    const { payments, session } = kioskWith(THIRD_CARD, { fetch: watched });
    expect(await payments.topUpStatus()).toMatchObject({ ok: false, error: { kind: 'no-topup' } });
    const [first, second] = await Promise.all([
      payments.startTopUp({ amount: 10_000 }),
      payments.startTopUp({ amount: 10_000 }),
    ]);
    expect(orders).toHaveLength(1);
    expect(first).toEqual(second);
    if (!first.ok) throw new Error(first.error.message);
    expect(first.value.amount).toBe(10_000);
    expect(first.value.qrPayload).toMatch(new RegExp(`^${server.url}/sim-pay/T[0-9A-Z]+$`));
    expect(await payments.topUpStatus()).toMatchObject({
      ok: true,
      value: { status: 'pending', balance: null },
    });

    // the payer's phone: the checkout page behind the QR code, and its "pay" button (a SvelteKit form action)
    const paid = await fetch(`${first.value.qrPayload}?/pay`, {
      method: 'POST',
      headers: { origin: server.url, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
      redirect: 'manual',
    });
    expect(paid.status).toBe(200);
    expect(await payments.topUpStatus()).toEqual({
      ok: true,
      value: { status: 'paid', amount: 10_000, balance: before.balance + 10_000 },
    });

    // the resident's session ends: the next resident cannot see or follow that order
    session.reset();
    expect(await payments.topUpStatus()).toMatchObject({ ok: false, error: { kind: 'no-topup' } });
    expect(await payments.startTopUp({ amount: 10_000 })).toMatchObject({
      ok: false,
      error: { kind: 'no-card' },
    });
  });

  it('a top-up order whose answer was lost is not made twice when the resident tries again', async () => {
    const keys: string[] = [];
    let loseNextAnswer = true;
    const watched: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith(apiPaths.topUpOrders)) {
        keys.push(new Headers(init?.headers).get(IDEMPOTENCY_KEY_HEADER) ?? '');
        if (loseNextAnswer) {
          // the server made the order; the kiosk never hears back
          loseNextAnswer = false;
          throw new TypeError('fetch failed', { cause: new Error('socket hang up') });
        }
      }
      return response;
    };
    const { payments } = kioskWith(THIRD_CARD, { fetch: watched });
    expect(await payments.startTopUp({ amount: 5_000 })).toMatchObject({
      ok: false,
      error: { kind: 'server-unreachable' },
    });
    const retried = await payments.startTopUp({ amount: 5_000 });
    expect(retried.ok).toBe(true);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    // another amount is another order, with a key of its own
    expect((await payments.startTopUp({ amount: 10_000 })).ok).toBe(true);
    expect(keys[2]).not.toBe(keys[0]);
  });

  it('without a tapped card there is nothing to pay with', async () => {
    const { payments } = kioskWith(null);
    expect(await payments.card()).toMatchObject({ ok: false, error: { kind: 'no-card' } });
    expect(await payments.pay({ billIds: ['x'] })).toMatchObject({ ok: false, error: { kind: 'no-card' } });
  });

  it('refuses plainly while the server cannot be reached and takes no money, also once it can again', async () => {
    const before = await cardOnServer(FIRST_CARD);
    const gas = before.unpaidBills[0]!;
    let cableUnplugged = true;
    let payRequestsSent = 0;
    const network: typeof fetch = async (input, init) => {
      if (cableUnplugged) throw new TypeError('fetch failed', { cause: new Error('connect ENETUNREACH') });
      if (String(input).endsWith(apiPaths.payBills)) payRequestsSent++;
      return fetch(input, init);
    };
    const { payments } = kioskWith(FIRST_CARD, { fetch: network });
    expect(await payments.card()).toMatchObject({ ok: false, error: { kind: 'server-unreachable' } });
    expect(await payments.pay({ billIds: [gas.id] })).toMatchObject({
      ok: false,
      error: { kind: 'server-unreachable' },
    });
    // Back online: nothing was queued, so nothing is sent by itself; the bill is still open and no money moved.
    cableUnplugged = false;
    expect((await payments.card()).ok).toBe(true);
    expect(payRequestsSent).toBe(0);
    const after = await cardOnServer(FIRST_CARD);
    expect(after.balance).toBe(before.balance);
    expect(after.unpaidBills.map((bill) => bill.id)).toEqual([gas.id]);
  });
});
