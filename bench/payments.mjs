// Issue 7, "Done when" 5: card payments per second through the real server (device API, 8 concurrent clients,
// SQLite WAL with synchronous=FULL: every payment is one durable commit), beside the durability limit of this
// machine measured in the same run on the same disk: bare better-sqlite3 transactions that each insert one row
// with synchronous=FULL. Target: payments/s >= 0.5 x bare commits/s. Also reports p50/p99 payment latency.
// BENCH_SECONDS sets each measurement's duration (default 10).
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { createPairingCode, enrollDevice, startServer } from '../scripts/lib/processes.mjs';
import { report } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = 8;
const ADMIN_PASSWORD = 'bench-admin-password';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-payments-'));

/** Bare commits/s: one row per transaction, WAL + synchronous=FULL, on the disk the server uses. */
function bareCommits(seconds) {
  const db = new Database(path.join(work, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL, at TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (amount, at) VALUES (?, ?)');
  const once = db.transaction((n) => insert.run(n, new Date().toISOString()));
  const end = Date.now() + seconds * 1000;
  let n = 0;
  while (Date.now() < end) once(n++);
  db.close();
  return n / seconds;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS });
function post(url, headers, body) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-length': data.length, ...headers } },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    request.on('error', reject);
    request.end(data);
  });
}

let server;
try {
  // the same disk: the bare baseline writes into the same temp folder as the server's database
  const baseline = bareCommits(SECONDS);
  console.log(`bare better-sqlite3, synchronous=FULL: ${baseline.toFixed(0)} commits/s`);

  const dataDir = path.join(work, 'server');
  server = await startServer({ dataDir, env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const { url } = server;
  const login = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url },
    body: new URLSearchParams({ username: 'admin', password: ADMIN_PASSWORD }),
    redirect: 'manual',
  });
  const session = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .find((c) => c.startsWith('linli_session='));
  const action = async (pathAndAction, fields) => {
    const response = await fetch(`${url}${pathAndAction}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: url,
        cookie: session,
        'x-sveltekit-action': 'true',
      },
      body: new URLSearchParams(fields),
    });
    return response.json();
  };
  const { credential } = await enrollDevice(url, createPairingCode(dataDir), 'bench-payments');

  // 8 cards in 8 households, each with enough 10-fen bills (small amounts: no PIN, far below the daily limit)
  // households of the demo community, read from the server's database (read-only; WAL allows it while it runs)
  const registry = new Database(path.join(dataDir, 'linli.db'), { readonly: true });
  const owners = registry
    .prepare(
      `SELECT r.id, b.code AS building, u.number AS unit FROM residents r JOIN units u ON u.id = r.unit_id
       JOIN buildings b ON b.id = u.building_id WHERE r.role = 'owner' GROUP BY r.unit_id ORDER BY r.unit_id LIMIT ? OFFSET 20`,
    )
    .all(CLIENTS);
  registry.close();
  const perCard = 1200;
  const rows = ['bill_id,building,unit,category,period,amount_fen,due_date'];
  owners.forEach((owner, c) => {
    for (let n = 0; n < perCard; n++)
      rows.push(`b${c}-${n},${owner.building},${owner.unit},water,2026-10,10,`);
  });
  const upload = new FormData();
  upload.set('file', new Blob([rows.join('\n')], { type: 'text/csv' }), 'bills.csv');
  const imported = await fetch(`${url}/station/bills?/import`, {
    method: 'POST',
    headers: { origin: url, cookie: session, 'x-sveltekit-action': 'true' },
    body: upload,
  }).then((r) => r.json());
  if (imported.type !== 'success') throw new Error(`bill import failed: ${JSON.stringify(imported)}`);
  const cards = [];
  for (const [c, owner] of owners.entries()) {
    const uid = `B${c}${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
    const issued = await action('/station?/issue', { residentId: owner.id, uid, pin: '123456' });
    const cardId = issued.location.split('/').pop();
    await action(`/station/cards/${cardId}?/topup`, { amount: '1000', idempotencyKey: crypto.randomUUID() });
    cards.push({ uid, next: 0, bills: Array.from({ length: perCard }, (_, n) => `b${c}-${n}`) });
  }

  const payUrl = `${url}/api/v1/payments/pay`;
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${credential}` };
  const latencies = [];
  let failures = 0;
  const runClient = async (card, until, record) => {
    while (Date.now() < until && card.next < card.bills.length) {
      const started = process.hrtime.bigint();
      const answer = await post(
        payUrl,
        { ...headers, 'idempotency-key': crypto.randomUUID() },
        { uid: card.uid, billIds: [card.bills[card.next++]] },
      );
      if (answer.status !== 200) failures++;
      if (record) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  // warm-up, then the measured run
  await Promise.all(cards.map((card) => runClient(card, Date.now() + 1000, false)));
  const start = Date.now();
  await Promise.all(cards.map((card) => runClient(card, start + SECONDS * 1000, true)));
  const elapsed = (Date.now() - start) / 1000;
  if (failures > 0) throw new Error(`${failures} payments failed`);
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1));
  const rate = latencies.length / elapsed;
  console.log(
    `linli payments (8 clients, device API, synchronous=FULL): ${rate.toFixed(0)} payments/s, p50 ${pct(50)} ms, p99 ${pct(99)} ms, ${latencies.length} payments`,
  );
  const ratio = rate / baseline;
  report({
    bench: 'payments',
    value: Math.round(rate),
    unit: 'payments/s',
    baseline: Math.round(baseline),
    ratio: Number(ratio.toFixed(2)),
    target: 'ratio>=0.5',
    pass: ratio >= 0.5,
    p50_ms: pct(50),
    p99_ms: pct(99),
  });
} finally {
  agent.destroy();
  await server?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
