// Issue 7, "Done when" 2: the ledger's invariants under load with crashes. 8 concurrent clients make random cash
// top-ups (station form), online top-ups (provider callbacks, sent twice), bill payments (device API), refunds
// (requested by one clerk, approved by another) and card replacements over real HTTP, while the server is
// SIGKILLed and restarted at random. Every client retries a request with the same Idempotency-Key until it gets an
// answer, and keeps its own model of its card's balance. Afterwards: the total of all accounts is 0, no wallet is
// negative, every transaction balances, each client's balance equals its model (so every key was applied exactly
// once) and every acknowledged payment is in the ledger with its bills paid.
// PAYMENTS_CHAOS_SECONDS sets the duration (default 60, as the issue asks).
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { apiPaths } from '@linli/content';
import { afterAll, describe, expect, it } from 'vitest';
import { createCoreServices } from '../src/lib/server/core.services';
import { migrate, openDatabase } from '../src/lib/server/db/database';
import { loadKeys } from '../src/lib/server/keys';
import { generateDemoCommunity } from '../src/lib/server/registry/demo-community';
import { systemClock } from '../src/lib/server/clock';
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
  providerCallback,
  stationAction,
  TEST_PROVIDER_SECRET,
} from './support/payments-client';

const SECONDS = Number(process.env.PAYMENTS_CHAOS_SECONDS ?? 60);
const CLIENTS = 8;
const ADMIN_PASSWORD = 'chaos-admin-password';
const SUPERVISOR_PASSWORD = 'chaos-supervisor-password';

let server: RestartableServer | null = null;
let port = 0;
let dataDir = '';
const env = {
  LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD,
  LINLI_SIM_PROVIDER_SECRET: TEST_PROVIDER_SECRET,
  LINLI_ONLINE_TOPUP: 'sim',
};
const url = () => `http://127.0.0.1:${port}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends until an answer comes back: a connection error (server killed, restarting) or a 5xx is retried with the
 * very same request (same Idempotency-Key). Anything else is the server's answer.
 */
async function untilAnswered<T extends { status?: number; type?: string }>(
  send: () => Promise<T>,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await send();
      if (answer.status === undefined || answer.status < 500) return answer;
    } catch {
      // refused or reset: the server is down; try again
    }
    await sleep(Math.min(50 * 2 ** attempt, 500));
  }
}

afterAll(async () => {
  await server?.stop();
  if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
});

describe.skipIf(!BUILD_PRESENT)(`payments chaos${BUILD_PRESENT ? '' : ` (${NO_BUILD_MESSAGE})`}`, () => {
  it(
    `keeps every invariant with ${CLIENTS} clients for ${SECONDS}s and random SIGKILLs`,
    async () => {
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-chaos-'));
      port = await freePort();
      // first start: admin, demo community; then a second clerk for refund approvals, made with the real service
      server = await startServerAt(dataDir, port, env);
      await server.stop();
      {
        const db = openDatabase(path.join(dataDir, 'linli.db'));
        migrate(db);
        const core = createCoreServices({
          clock: systemClock,
          db,
          keys: loadKeys(dataDir),
          scrypt: { logN: 10, r: 8, p: 1 },
        });
        const created = await core.users.create(
          {
            username: 'supervisor',
            displayName: 'Supervisor',
            roles: ['clerk'],
            password: SUPERVISOR_PASSWORD,
          },
          'system',
        );
        if (!created.ok) throw new Error(created.error.kind);
        db.prepare('UPDATE users SET must_change_password = 0 WHERE id = ?').run(created.value.user.id);
        db.close();
      }
      server = await startServerAt(dataDir, port, env);
      const admin = await login(url(), 'admin', ADMIN_PASSWORD);
      const supervisor = await login(url(), 'supervisor', SUPERVISOR_PASSWORD);
      const device = new DeviceClient(
        url,
        await enrollKiosk(url(), await pairingCodeFromCli(dataDir), 'chaos'),
      );

      // one card per client, each in its own household, and plenty of small bills for each household
      const demo = generateDemoCommunity(new Date().toISOString());
      const owners = demo.residents.filter((r) => r.role === 'owner');
      const households = [...new Map(owners.map((r) => [r.unitId, r])).values()].slice(10, 10 + CLIENTS);
      const unitById = new Map(demo.units.map((u) => [u.id, u]));
      const codeOf = new Map(demo.buildings.map((b) => [b.id, b.code]));
      const rows = ['bill_id,building,unit,category,period,amount_fen,due_date'];
      for (const [c, owner] of households.entries()) {
        const unit = unitById.get(owner.unitId)!;
        for (let n = 0; n < 400; n++) {
          rows.push(
            `chaos-${c}-${n},${codeOf.get(unit.buildingId)},${unit.number},water,2026-10,${100 + ((n * 37) % 900)},`,
          );
        }
      }
      const upload = new FormData();
      upload.set('file', new Blob([rows.join('\n')], { type: 'text/csv' }), 'bills.csv');
      const imported = await fetch(`${url()}/station/bills?/import`, {
        method: 'POST',
        headers: { origin: url(), cookie: admin, 'x-sveltekit-action': 'true' },
        body: upload,
      });
      expect(((await imported.json()) as { type: string }).type).toBe('success');

      const clients = await Promise.all(
        households.map(async (owner, c) => {
          const uid = `C${c}${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
          const issued = await stationAction(url(), admin, '/station?/issue', {
            residentId: owner.id,
            uid,
            pin: '123456',
          });
          expect(issued.type).toBe('redirect');
          return {
            index: c,
            uid,
            cardId: issued.location!.split('/').pop()!,
            model: 0,
            unpaid: Array.from({ length: 400 }, (_, n) => ({
              id: `chaos-${c}-${n}`,
              amount: 100 + ((n * 37) % 900),
            })),
            paid: [] as { id: string; amount: number; receiptId: string }[],
            refunded: new Set<string>(),
            ops: { topups: 0, online: 0, payments: 0, refused: 0, refunds: 0, replacements: 0 },
          };
        }),
      );

      const deadline = Date.now() + SECONDS * 1000;
      let kills = 0;
      const killer = (async () => {
        while (Date.now() < deadline - 1500) {
          await sleep(1500 + Math.random() * 2500);
          if (Date.now() >= deadline - 1500) break;
          await server!.stop('SIGKILL');
          kills++;
          server = await startServerAt(dataDir, port, env);
        }
      })();

      const random = (n: number) => Math.floor(Math.random() * n);
      const run = async (client: (typeof clients)[number]) => {
        while (Date.now() < deadline) {
          const dice = Math.random();
          if (dice < 0.25) {
            const amount = 100 * (1 + random(50));
            const key = crypto.randomUUID();
            const answer = await untilAnswered(() =>
              stationAction(url(), admin, `/station/cards/${client.cardId}?/topup`, {
                amount: String(amount / 100),
                idempotencyKey: key,
              }),
            );
            expect(answer.type).toBe('success');
            client.model += amount;
            client.ops.topups++;
          } else if (dice < 0.35) {
            const amount = 100 * (1 + random(30));
            const key = crypto.randomUUID();
            const order = await untilAnswered(() =>
              device.post(apiPaths.topUpOrders, { uid: client.uid, amount }, key),
            );
            expect(order.status).toBe(201);
            const notice = {
              orderId: order.body.orderId as string,
              tradeNo: `T-${key}`,
              status: 'paid' as const,
              amount,
              seq: 1,
            };
            // the provider delivers twice (at-least-once), possibly across a crash
            await untilAnswered(() => providerCallback(url(), notice));
            await untilAnswered(() => providerCallback(url(), notice));
            client.model += amount;
            client.ops.online++;
          } else if (dice < 0.8 && client.unpaid.length > 0) {
            const count = Math.min(client.unpaid.length, 1 + random(2));
            const bills = client.unpaid.slice(0, count);
            const total = bills.reduce((s, b) => s + b.amount, 0);
            const key = crypto.randomUUID();
            const answer = await untilAnswered(() =>
              device.pay(
                client.uid,
                bills.map((b) => b.id),
                key,
              ),
            );
            if (answer.status === 200) {
              client.unpaid.splice(0, count);
              for (const bill of bills)
                client.paid.push({ ...bill, receiptId: answer.body.receiptId as string });
              client.model -= total;
              expect(answer.body.balanceAfter).toBe(client.model);
              client.ops.payments++;
            } else {
              expect(answer.body.error.kind).toBe('insufficient-balance');
              expect(client.model).toBeLessThan(total);
              client.ops.refused++;
            }
          } else if (dice < 0.92) {
            const candidate = client.paid.find((b) => !client.refunded.has(b.id));
            if (!candidate) continue;
            const requested = await untilAnswered(() =>
              stationAction(url(), admin, `/station/cards/${client.cardId}?/refund`, {
                billId: candidate.id,
                reason: 'chaos',
              }),
            );
            // a request that reached the server before a crash and is retried finds its own pending request
            if (requested.type !== 'success' && !/duplicate/.test(requested.data ?? ''))
              throw new Error(JSON.stringify(requested));
            const reader = new Database(path.join(dataDir, 'linli.db'), {
              readonly: true,
              fileMustExist: true,
            });
            const refundId = reader
              .prepare("SELECT id FROM refund_requests WHERE bill_id = ? AND status = 'pending'")
              .pluck()
              .get(candidate.id) as string;
            reader.close();
            const key = crypto.randomUUID();
            const decided = await untilAnswered(() =>
              stationAction(url(), supervisor, '/station/refunds?/decide', {
                refundId,
                decision: 'approve',
                idempotencyKey: key,
              }),
            );
            expect(decided.type).toBe('success');
            client.refunded.add(candidate.id);
            client.paid = client.paid.filter((b) => b.id !== candidate.id);
            client.unpaid.push({ id: candidate.id, amount: candidate.amount });
            client.model += candidate.amount;
            client.ops.refunds++;
          } else {
            const newUid = `D${client.index}${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
            const key = crypto.randomUUID();
            const answer = await untilAnswered(() =>
              stationAction(url(), admin, `/station/cards/${client.cardId}?/replace`, {
                newUid,
                idempotencyKey: key,
              }),
            );
            expect(answer.type).toBe('redirect');
            client.uid = newUid;
            client.cardId = answer.location!.split('/').pop()!;
            client.ops.replacements++;
          }
        }
      };
      await Promise.all([...clients.map(run), killer]);
      await server!.stop();
      server = null;

      const db = new Database(path.join(dataDir, 'linli.db'), { readonly: true });
      const one = (sql: string, ...args: unknown[]) =>
        db
          .prepare(sql)
          .pluck()
          .get(...args) as number;
      expect(one('SELECT COALESCE(SUM(amount), 0) FROM ledger_entries')).toBe(0);
      expect(one('SELECT COALESCE(SUM(balance), 0) FROM ledger_accounts')).toBe(0);
      expect(one("SELECT count(*) FROM ledger_accounts WHERE kind = 'wallet' AND balance < 0")).toBe(0);
      expect(
        one(
          'SELECT count(*) FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount) <> 0 OR count(*) < 2)',
        ),
      ).toBe(0);
      expect(
        one(
          'SELECT count(*) FROM ledger_accounts a WHERE balance <> COALESCE((SELECT SUM(amount) FROM ledger_entries e WHERE e.account_id = a.id), 0)',
        ),
      ).toBe(0);
      for (const client of clients) {
        const wallet = one(
          'SELECT a.balance FROM cards c JOIN ledger_accounts a ON a.id = c.wallet_account_id WHERE c.uid = ?',
          client.uid,
        );
        expect({ client: client.index, balance: wallet }).toEqual({
          client: client.index,
          balance: client.model,
        });
        for (const bill of client.paid) {
          const transactionId = Number(bill.receiptId.split('-')[0]);
          expect(
            one(
              "SELECT count(*) FROM ledger_transactions WHERE id = ? AND kind = 'bill-payment'",
              transactionId,
            ),
          ).toBe(1);
          expect(
            db.prepare('SELECT status, paid_transaction_id FROM bills WHERE id = ?').get(bill.id),
          ).toEqual({
            status: 'paid',
            paid_transaction_id: transactionId,
          });
        }
      }
      // each online order credited exactly once, however many callbacks arrived
      expect(one("SELECT count(*) FROM topup_orders WHERE status = 'paid'")).toBe(
        one("SELECT count(*) FROM ledger_transactions WHERE kind = 'topup-online'"),
      );
      db.close();

      const totals = clients.reduce(
        (sum, c) => Object.fromEntries(Object.entries(c.ops).map(([k, v]) => [k, (sum[k] ?? 0) + v])),
        {} as Record<string, number>,
      );
      console.log(`payments chaos: ${SECONDS}s, ${kills} SIGKILLs, operations ${JSON.stringify(totals)}`);
      expect(kills).toBeGreaterThan(0);
      expect(totals.payments).toBeGreaterThan(0);
    },
    (SECONDS + 90) * 1000,
  );
});
