// Issue 7, "Done when" 5: card payments per second through the real server (device API, 8 concurrent clients,
// SQLite WAL with synchronous=FULL), beside the durability limit of this machine measured in the same run on the
// same disk: bare better-sqlite3 transactions that each insert one row with synchronous=FULL. Target:
// payments/s >= 0.5 x bare commits/s. Also reports p50/p99 payment latency (request written → answer read).
// Every payment is acknowledged only after the commit holding it is durable; the server's group commit lets the
// payments that are waiting at the same moment share that commit (docs/ledger.md).
// BENCH_SECONDS sets each measurement's duration (default 10).
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { createPairingCode, enrollDevice, startServer } from '../scripts/lib/processes.mjs';
import { report } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CLIENTS = 8;
const ADMIN_PASSWORD = 'bench-admin-password';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-payments-'));

/** Bare commits/s: one row per transaction, WAL + synchronous=FULL, on the disk the server uses. */
function bareCommits(seconds, name) {
  const db = new Database(path.join(work, name));
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

/** CPU time a process has used, all threads, in ms (Linux /proc: user + system clock ticks, 100 per second). */
function processCpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  // fields after the command name: state is [0], so utime (14th of the whole line) is [11] and stime [12]
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * One keep-alive connection speaking just enough HTTP/1.1 for the payment call (the server always answers it with
 * a content-length). The 8 clients share the machine's 2 cores with the server, and node:http's client spends
 * more CPU per request than the server's payment does, so it would measure itself more than the server.
 */
class Client {
  /** @param {number} port */
  constructor(port) {
    this.socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    this.buffer = Buffer.alloc(0);
    /** @type {{resolve: (answer: {status: number, body: string}) => void, reject: (error: Error) => void} | null} */
    this.waiting = null;
    this.socket.on('data', (chunk) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.answer();
    });
    const fail = (error) => {
      this.waiting?.reject(error);
      this.waiting = null;
    };
    this.socket.on('error', fail);
    this.socket.on('close', () => fail(new Error('the server closed the connection')));
  }

  answer() {
    if (!this.waiting) return;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1]);
    if (!Number.isInteger(length)) {
      this.waiting.reject(new Error(`an answer without content-length: ${head}`));
      this.waiting = null;
      return;
    }
    if (this.buffer.length < end + 4 + length) return;
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    const { resolve } = this.waiting;
    this.waiting = null;
    resolve({ status: Number(head.slice(9, 12)), body });
  }

  /** @param {string} path @param {Record<string, string>} headers @param {unknown} json */
  post(path, headers, json) {
    const body = Buffer.from(JSON.stringify(json));
    let head = `POST ${path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: ${body.length}\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(Buffer.concat([Buffer.from(`${head}\r\n`, 'latin1'), body]));
    });
  }

  close() {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }
}

let server;
/** @type {Client[]} */
let clients = [];
try {
  // the same disk: the bare baseline writes into the same temp folder as the server's database. It is measured
  // before and after the payments (the machine is shared and its disk's speed drifts), and the faster of the two
  // is the baseline: a slow moment cannot flatter the ratio.
  const baselineBefore = bareCommits(SECONDS, 'bare-before.db');
  console.log(`bare better-sqlite3, synchronous=FULL, before: ${baselineBefore.toFixed(0)} commits/s`);

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
  // enough bills that no client runs out within the run (checked below); a CSV file holds at most 10,000 rows
  const perCard = 12_000;
  const perFile = 1250;
  for (let first = 0; first < perCard; first += perFile) {
    const rows = ['bill_id,building,unit,category,period,amount_fen,due_date'];
    owners.forEach((owner, c) => {
      for (let n = first; n < Math.min(perCard, first + perFile); n++)
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
  }
  const cards = [];
  for (const [c, owner] of owners.entries()) {
    const uid = `B${c}${crypto.randomBytes(3).toString('hex').toUpperCase()}`;
    const issued = await action('/station?/issue', { residentId: owner.id, uid, pin: '123456' });
    const cardId = issued.location.split('/').pop();
    await action(`/station/cards/${cardId}?/topup`, { amount: '1000', idempotencyKey: crypto.randomUUID() });
    cards.push({ uid, next: 0, bills: Array.from({ length: perCard }, (_, n) => `b${c}-${n}`) });
  }

  const headers = { 'content-type': 'application/json', authorization: `Bearer ${credential}` };
  const latencies = [];
  let failures = 0;
  let firstFailure = '';
  clients = cards.map(() => new Client(server.port));
  const runClient = async (card, client, until, record) => {
    while (Date.now() < until) {
      if (card.next >= card.bills.length) throw new Error('a client ran out of bills: raise perCard');
      const started = process.hrtime.bigint();
      const answer = await client.post(
        '/api/v1/payments/pay',
        // time-ordered keys, as the kiosks send them (kiosk/src/host/payment.service.ts)
        { ...headers, 'idempotency-key': uuidv7() },
        { uid: card.uid, billIds: [card.bills[card.next++]] },
      );
      if (answer.status !== 200) {
        failures++;
        firstFailure ||= `${answer.status} ${answer.body}`;
      }
      if (record) latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    }
  };
  // warm-up, then the measured run
  await Promise.all(cards.map((card, c) => runClient(card, clients[c], Date.now() + 1000, false)));
  const cpuBefore = processCpuMs(server.child.pid);
  const start = Date.now();
  await Promise.all(cards.map((card, c) => runClient(card, clients[c], start + SECONDS * 1000, true)));
  const elapsed = (Date.now() - start) / 1000;
  // the server's CPU per payment (all its threads): unlike payments/s it hardly moves with the machine's load
  const cpuPerPayment = ((processCpuMs(server.child.pid) - cpuBefore) * 1000) / latencies.length;
  if (failures > 0) throw new Error(`${failures} payments failed, the first: ${firstFailure}`);
  for (const client of clients) client.close();
  clients = [];
  await server.stop();
  server = undefined;
  const baselineAfter = bareCommits(SECONDS, 'bare-after.db');
  console.log(`bare better-sqlite3, synchronous=FULL, after: ${baselineAfter.toFixed(0)} commits/s`);
  const baseline = Math.max(baselineBefore, baselineAfter);
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    Number(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))].toFixed(1));
  const rate = latencies.length / elapsed;
  console.log(
    `linli payments (8 clients, device API, synchronous=FULL): ${rate.toFixed(0)} payments/s, p50 ${pct(50)} ms, p99 ${pct(99)} ms, ${latencies.length} payments, server CPU ${cpuPerPayment.toFixed(0)} µs/payment`,
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
    server_cpu_us: Math.round(cpuPerPayment),
    baseline_before: Math.round(baselineBefore),
    baseline_after: Math.round(baselineAfter),
  });
} finally {
  for (const client of clients) client.close();
  await server?.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
