// Issue 7 over real HTTP against the built server: the device payment API (Done when 3 and 4) and the station's
// cash top-up form. Service-level rules are covered beside the services; this checks the wire: status codes,
// error kinds, Idempotency-Key handling and that refused requests write nothing.
import { apiPaths, ApiErrorBody, CardSummaryV1, PaymentReceiptV1 } from '@linli/content';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessDayOf } from '../src/lib/server/ledger/ledger.schema';
import { DEMO_CARD_PIN, DEMO_CARD_UIDS, DEMO_ID_NUMBER } from '../src/lib/server/payments/demo-payments';
import {
  BUILD_PRESENT,
  freePort,
  login,
  NO_BUILD_MESSAGE,
  pairingCodeFromCli,
} from './support/server-process';
import { enrollKiosk, startServerAt, type RestartableServer } from './support/payments-server';
import {
  DeviceClient,
  newKey,
  providerCallback,
  stationAction,
  TEST_PROVIDER_SECRET,
} from './support/payments-client';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ADMIN_PASSWORD = 'payments-http-admin-pw';
let server: RestartableServer;
let device: DeviceClient;
let session: string;
const [CARD, SECOND_CARD, THIRD_CARD] = DEMO_CARD_UIDS;

describe.skipIf(!BUILD_PRESENT)(
  `payments device API over HTTP${BUILD_PRESENT ? '' : ` (${NO_BUILD_MESSAGE})`}`,
  () => {
    beforeAll(async () => {
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-payments-'));
      server = await startServerAt(dataDir, await freePort(), {
        LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD,
        LINLI_SIM_PROVIDER_SECRET: TEST_PROVIDER_SECRET,
        LINLI_ONLINE_TOPUP: 'sim',
      });
      device = new DeviceClient(
        () => server.url,
        await enrollKiosk(server.url, await pairingCodeFromCli(dataDir), 'pay-kiosk'),
      );
      session = await login(server.url, 'admin', ADMIN_PASSWORD);
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      if (server) fs.rmSync(server.dataDir, { recursive: true, force: true });
    });

    it('looks up a demo card: masked holder, balance, unpaid bills', async () => {
      const answer = await device.lookup(CARD!);
      expect(answer.status).toBe(200);
      const summary = CardSummaryV1.parse(answer.body);
      expect(summary.balance).toBe(30_000);
      expect(summary.unpaidBills).toHaveLength(3);
      expect(summary.holderMasked).toContain('*');
      expect(summary.pinRequiredAbove).toBe(20_000);
    });

    it('pays two bills with the PIN once; a retry with the same key replays the answer without charging again', async () => {
      const summary = CardSummaryV1.parse((await device.lookup(CARD!)).body);
      const billIds = summary.unpaidBills.filter((b) => b.category !== 'gas').map((b) => b.id);
      const key = newKey();
      const first = await device.pay(CARD!, billIds, key, DEMO_CARD_PIN);
      expect(first.status).toBe(200);
      const receipt = PaymentReceiptV1.parse(first.body);
      expect(receipt.amount).toBe(4_650 + 12_830);
      // the e-receipt behind the kiosk's QR code; a forged id is not found
      const page = await fetch(`${server.url}${receipt.receiptUrl}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('¥174.80');
      expect(
        (await fetch(`${server.url}${receipt.receiptUrl.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'))}`))
          .status,
      ).toBe(404);
      const retry = await device.pay(CARD!, billIds, key, DEMO_CARD_PIN);
      expect(retry.status).toBe(200);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.body).toEqual(first.body);
      const after = CardSummaryV1.parse((await device.lookup(CARD!)).body);
      expect(after.balance).toBe(30_000 - 17_480);
      expect(after.unpaidBills.map((b) => b.category)).toEqual(['gas']);

      const otherBody = await device.pay(CARD!, [after.unpaidBills[0]!.id], key);
      expect(otherBody.status).toBe(409);
      expect(ApiErrorBody.parse(otherBody.body).error.kind).toBe('idempotency-mismatch');
      expect(CardSummaryV1.parse((await device.lookup(CARD!)).body).balance).toBe(12_520);
    });

    it('a double tap (two keys at once) charges exactly once', async () => {
      const bill = CardSummaryV1.parse((await device.lookup(SECOND_CARD!)).body).unpaidBills[0]!;
      const answers = await Promise.all([
        device.pay(SECOND_CARD!, [bill.id], newKey()),
        device.pay(SECOND_CARD!, [bill.id], newKey()),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
      expect(CardSummaryV1.parse((await device.lookup(SECOND_CARD!)).body).balance).toBe(
        40_000 - bill.amount,
      );
    });

    it('refuses a payment without a valid device credential: 401 with a Bearer challenge, nothing written', async () => {
      const before = CardSummaryV1.parse((await device.lookup(THIRD_CARD!)).body);
      const stranger = new DeviceClient(() => server.url, `${crypto.randomUUID()}.${'A'.repeat(43)}`);
      const answer = await stranger.pay(
        THIRD_CARD!,
        before.unpaidBills.map((b) => b.id).slice(0, 1),
        newKey(),
      );
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      expect(answer.headers.get('content-type')).toContain('application/json');
      expect(ApiErrorBody.parse(answer.body).error.kind).toBe('unauthorized');
      expect(CardSummaryV1.parse((await device.lookup(THIRD_CARD!)).body)).toEqual(before);
    });

    it.each([
      [
        'no Idempotency-Key',
        () => device.post(apiPaths.payBills, { uid: THIRD_CARD, billIds: ['x'] }),
        400,
        'invalid-body',
      ],
      ['a lower-case UID', () => device.pay(THIRD_CARD!.toLowerCase(), ['x'], newKey()), 400, 'invalid-body'],
      ['an unknown card', () => device.pay('DEADBEEF', ['x'], newKey()), 404, 'card-unknown'],
      [
        'a bill of another household',
        () => device.pay(THIRD_CARD!, ['nope'], newKey()),
        409,
        'bill-unavailable',
      ],
      ['a malformed PIN', () => device.pay(THIRD_CARD!, ['x'], newKey(), '12ab'), 400, 'invalid-body'],
      [
        'a negative top-up',
        () => device.post(apiPaths.topUpOrders, { uid: THIRD_CARD, amount: -100 }, newKey()),
        400,
        'invalid-body',
      ],
      [
        'a fractional top-up',
        () => device.post(apiPaths.topUpOrders, { uid: THIRD_CARD, amount: 10.5 }, newKey()),
        400,
        'invalid-body',
      ],
      ['malformed JSON', () => device.post(apiPaths.payBills, '{"uid":', newKey()), 400, 'invalid-body'],
    ])('refuses %s with a clear error and writes nothing', async (_name, call, status, kind) => {
      const before = CardSummaryV1.parse((await device.lookup(THIRD_CARD!)).body);
      const answer = await call();
      expect(answer.status).toBe(status);
      expect(ApiErrorBody.parse(answer.body).error.kind).toBe(kind);
      expect(CardSummaryV1.parse((await device.lookup(THIRD_CARD!)).body)).toEqual(before);
    });

    it('a wrong PIN is refused with the tries left', async () => {
      const summary = CardSummaryV1.parse((await device.lookup(THIRD_CARD!)).body);
      const answer = await device.pay(THIRD_CARD!, [summary.unpaidBills[0]!.id], newKey(), '000000');
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ error: { kind: 'wrong-pin', params: { remaining: 2 } } });
    });

    it('online top-up: duplicated and out-of-order signed callbacks credit once; a bad signature is refused', async () => {
      const order = await device.post(apiPaths.topUpOrders, { uid: SECOND_CARD, amount: 5_000 }, newKey());
      expect(order.status).toBe(201);
      const before = CardSummaryV1.parse((await device.lookup(SECOND_CARD!)).body).balance;
      const notice = {
        orderId: order.body.orderId as string,
        tradeNo: 'SIM-9',
        status: 'paid' as const,
        amount: 5_000,
        seq: 2,
      };
      expect((await providerCallback(server.url, notice, 'a'.repeat(64))).status).toBe(401);
      const answers = await Promise.all([
        providerCallback(server.url, notice),
        providerCallback(server.url, notice),
      ]);
      expect(answers.map((a) => a.status)).toEqual([200, 200]);
      expect(answers.filter((a) => a.body.credited)).toHaveLength(1);
      expect(
        (await providerCallback(server.url, { ...notice, status: 'failed', seq: 1 })).body,
      ).toMatchObject({ status: 'paid', credited: false });
      expect(CardSummaryV1.parse((await device.lookup(SECOND_CARD!)).body).balance).toBe(before + 5_000);
    });

    it("online top-up through the simulator's checkout page: the payer's tap sends the signed notice over HTTP", async () => {
      const before = CardSummaryV1.parse((await device.lookup(SECOND_CARD!)).body);
      expect(before.onlineTopUp).toBe(true);
      const order = await device.post(apiPaths.topUpOrders, { uid: SECOND_CARD, amount: 10_000 }, newKey());
      expect(order.status).toBe(201);
      const orderId = order.body.orderId as string;
      expect(order.body.qrPayload).toBe(`${server.url}/sim-pay/${orderId}`);

      // what the payer's phone shows: the amount, nothing about the card or its holder
      const page = await fetch(order.body.qrPayload as string);
      expect(page.status).toBe(200);
      const html = await page.text();
      expect(html).toContain('¥100.00');
      expect(html).not.toContain(SECOND_CARD);
      expect(html).not.toContain(before.holderMasked);

      const paid = await stationAction(server.url, '', `/sim-pay/${orderId}?/pay`, {});
      expect(paid).toMatchObject({ type: 'success' });
      expect(paid.data).toContain('notified');
      const state = await device.get(apiPaths.topUpOrder(orderId));
      expect(state.body).toMatchObject({ orderId, status: 'paid', amount: 10_000 });
      // another kiosk cannot follow this kiosk's order
      const otherKiosk = new DeviceClient(
        () => server.url,
        await enrollKiosk(server.url, await pairingCodeFromCli(server.dataDir), 'other-kiosk'),
      );
      expect(await otherKiosk.get(apiPaths.topUpOrder(orderId))).toMatchObject({
        status: 404,
        body: { error: { kind: 'not-found' } },
      });
      expect(CardSummaryV1.parse((await device.lookup(SECOND_CARD!)).body).balance).toBe(
        before.balance + 10_000,
      );

      // a second tap on the stale page sends nothing: still one credit
      const again = await stationAction(server.url, '', `/sim-pay/${orderId}?/pay`, {});
      expect(again.data).toContain('already-settled');
      expect(CardSummaryV1.parse((await device.lookup(SECOND_CARD!)).body).balance).toBe(
        before.balance + 10_000,
      );

      // a cancelled order credits nothing and is then closed to paying
      const other = await device.post(apiPaths.topUpOrders, { uid: SECOND_CARD, amount: 5_000 }, newKey());
      const otherId = other.body.orderId as string;
      expect(await stationAction(server.url, '', `/sim-pay/${otherId}?/cancel`, {})).toMatchObject({
        type: 'success',
      });
      expect((await device.get(apiPaths.topUpOrder(otherId))).body).toMatchObject({ status: 'failed' });
      expect((await stationAction(server.url, '', `/sim-pay/${otherId}?/pay`, {})).data).toContain(
        'already-settled',
      );
      expect(CardSummaryV1.parse((await device.lookup(SECOND_CARD!)).body).balance).toBe(
        before.balance + 10_000,
      );
      expect((await fetch(`${server.url}/sim-pay/NO-SUCH-ORDER`)).status).toBe(404);

      // the station's reconciliation export lists the credited order, not the cancelled one
      const day = businessDayOf(new Date());
      const csvOf = (path: string) => fetch(`${server.url}${path}`, { headers: { cookie: session } });
      const topups = await csvOf(`/station/topups.csv?from=${day}&to=${day}`);
      expect(topups.status).toBe(200);
      expect(topups.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      const bytes = Buffer.from(await topups.arrayBuffer());
      // UTF-8 with a byte-order mark, so a spreadsheet reads it as UTF-8
      expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      const text = bytes.subarray(3).toString('utf8');
      expect(text.startsWith('provider,order_id,trade_no,amount_fen,at,transaction_id\n')).toBe(true);
      expect(text).toMatch(new RegExp(`\\nsim,${orderId},SIM[0-9A-F]{24},10000,`));
      expect(text).not.toContain(otherId);
      expect((await csvOf(`/station/topups.csv?from=${day}&to=2020-01-01`)).status).toBe(400);
      expect((await csvOf(`/station/settlement.csv?from=${day}`)).status).toBe(200);
      expect(
        (await fetch(`${server.url}/station/topups.csv?from=${day}`, { redirect: 'manual' })).status,
      ).toBe(303);
    });

    it('cash top-up at the station is applied once per form key', async () => {
      const cardId = CardSummaryV1.parse((await device.lookup(THIRD_CARD!)).body).cardId;
      const before = CardSummaryV1.parse((await device.lookup(THIRD_CARD!)).body).balance;
      const key = newKey();
      const first = await stationAction(server.url, session, `/station/cards/${cardId}?/topup`, {
        amount: '500',
        idempotencyKey: key,
      });
      const again = await stationAction(server.url, session, `/station/cards/${cardId}?/topup`, {
        amount: '500',
        idempotencyKey: key,
      });
      expect([first.type, again.type]).toEqual(['success', 'success']);
      const bad = await stationAction(server.url, session, `/station/cards/${cardId}?/topup`, {
        amount: '-5',
        idempotencyKey: newKey(),
      });
      expect(bad.type).toBe('failure');
      expect(CardSummaryV1.parse((await device.lookup(THIRD_CARD!)).body).balance).toBe(before + 50_000);
    });

    it('a card reported lost at a kiosk (ID number + phone) is refused at the next tap', async () => {
      const wrong = await device.post(apiPaths.reportLost, {
        idNumber: DEMO_ID_NUMBER,
        phone: '13999999999',
      });
      expect(wrong.status).toBe(403);
      expect((await device.lookup(CARD!)).status).toBe(200);
      const phone = await demoPhoneOfFirstCard();
      const reported = await device.post(apiPaths.reportLost, { idNumber: DEMO_ID_NUMBER, phone });
      expect(reported).toMatchObject({ status: 200, body: { blockedCards: 1 } });
      const tap = await device.lookup(CARD!);
      expect(tap.status).toBe(403);
      expect(ApiErrorBody.parse(tap.body).error.kind).toBe('card-blocked');
    });
  },
);

/** The demo phone of the first demo card's holder (the demo community is generated from a fixed seed). */
async function demoPhoneOfFirstCard(): Promise<string> {
  const { generateDemoCommunity } = await import('../src/lib/server/registry/demo-community');
  const demo = generateDemoCommunity(new Date().toISOString());
  const owner = demo.residents
    .filter((r) => r.role === 'owner' && r.unitId.startsWith('xingfuli'))
    .sort((a, b) => (a.id < b.id ? -1 : 1))[0]!;
  return owner.phone;
}
