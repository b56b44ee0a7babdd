// Issue 6, "Done when" 6: door decisions per second of `POST /api/v1/access/verify` with 50 concurrent door
// controllers (wrk, 50 keep-alive connections, a valid visitor pass at the gate), beside a bare Node `http`
// server in the same run answering a fixed JSON body of the same size to the same POST. Targets: throughput
// >= 0.5 x the bare server, p99 <= 20 ms. Every attempt is logged by the server (in batches, committed by a
// worker thread, see access-log.writer.ts). BENCH_SECONDS sets each measurement's duration (default 10).
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  enrollDevice,
  freePort,
  repoRoot,
  startServer,
  stopProcess,
  waitForHttp,
} from '../scripts/lib/processes.mjs';
import { report, requireTool } from './lib.mjs';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 50;
const ADMIN_PASSWORD = 'bench-admin-password';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-access-'));
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');

/** wrk with a Lua script that POSTs `body` with `headers`; requests/s and latency percentiles (ms). */
function wrkPost(url, body, headers) {
  requireTool('wrk', 'apt package wrk');
  const script = path.join(work, `post-${crypto.randomUUID()}.lua`);
  const lua = [
    'wrk.method = "POST"',
    `wrk.body = ${JSON.stringify(body)}`,
    ...Object.entries(headers).map(([k, v]) => `wrk.headers[${JSON.stringify(k)}] = ${JSON.stringify(v)}`),
    // any answer but 200 counts as an error: a refused pass must not pass for throughput
    'response = function(status) if status ~= 200 then wrk.thread:stop() end end',
  ].join('\n');
  fs.writeFileSync(script, lua);
  const args = ['-t', '2', '-c', String(CONNECTIONS), '-d', `${SECONDS}s`, '--latency', '-s', script, url];
  const result = spawnSync('wrk', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}`);
  const out = result.stdout;
  const toMs = (value, unit) => Number(value) * { us: 0.001, ms: 1, s: 1000 }[unit];
  const percentile = (p) => {
    const m = out.match(new RegExp(`\\s${p}%\\s+([\\d.]+)(us|ms|s)`));
    return m ? toMs(m[1], m[2]) : NaN;
  };
  return {
    rps: Number(out.match(/Requests\/sec:\s+([\d.]+)/)?.[1]),
    p50: percentile(50),
    p99: percentile(99),
    requests: Number(out.match(/(\d+) requests in/)?.[1]),
    non2xx: Number(out.match(/Non-2xx or 3xx responses:\s+(\d+)/)?.[1] ?? 0),
    raw: out,
  };
}

/** A bare Node http server (own process, like the Linli server) answering `answer` to every request. */
async function startBare(answer) {
  const port = await freePort();
  const code = `
    const http = require('node:http');
    const body = Buffer.from(${JSON.stringify(answer)});
    http.createServer((req, res) => {
      req.on('data', () => {});
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length }).end(body));
    }).listen(${port}, '127.0.0.1');`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'inherit', 'inherit'] });
  const url = `http://127.0.0.1:${port}/api/v1/access/verify`;
  await waitForHttp(`http://127.0.0.1:${port}/`, 10_000);
  return { url, stop: () => stopProcess(child, 2_000) };
}

let server;
let bare;
try {
  const dataDir = path.join(work, 'server');
  server = await startServer({ dataDir, env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  const { url } = server;
  const pairing = spawnSync(tsx, ['signage-server/src/cli/pairing-code.ts', '--community', 'xingfuli'], {
    cwd: repoRoot,
    env: { ...process.env, LINLI_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  const code = pairing.stdout.match(/LINLI_PAIRING_CODE=(\S+)/)?.[1];
  if (!code) throw new Error(`pairing-code failed: ${pairing.stderr}`);
  const { credential } = await enrollDevice(url, code, 'bench-gate-kiosk');
  const device = { 'content-type': 'application/json', authorization: `Bearer ${credential}` };

  // one visitor, approved by the clerk: a real pass for the gate
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
  const first17 = '11010519850317123';
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...first17].reduce((s, d, i) => s + Number(d) * weights[i], 0);
  const clientRef = crypto.randomUUID();
  const registered = await fetch(`${url}/api/v1/visitors/registrations`, {
    method: 'POST',
    headers: device,
    body: JSON.stringify({
      clientRef,
      consent: { accepted: true, textVersion: 'v1', at: new Date().toISOString() },
      identity: {
        documentKind: 'cn-id',
        documentNumber: first17 + '10X98765432'[sum % 11],
        name: '张三',
        source: 'reader',
        confidence: 1,
      },
      visit: {
        buildingId: 'xingfuli-b2',
        unitNumber: '1-0101',
        reason: 'friend',
        companions: 0,
        phone: '13912345678',
      },
      submittedAt: new Date().toISOString(),
    }),
  }).then((r) => r.json());
  const decided = await fetch(`${url}/station/visitors?/decide`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      origin: url,
      cookie: session,
      'x-sveltekit-action': 'true',
    },
    body: new URLSearchParams({ visitId: registered.visitId, decision: 'approve', minutes: '1440' }),
  }).then((r) => r.json());
  if (decided.type !== 'success') throw new Error(`approve failed: ${JSON.stringify(decided)}`);
  const status = await fetch(`${url}/api/v1/visitors/registrations/${clientRef}`, { headers: device }).then(
    (r) => r.json(),
  );
  const token = status.pass?.token;
  if (!token) throw new Error(`no pass: ${JSON.stringify(status)}`);

  const issued = spawnSync(
    tsx,
    ['signage-server/src/cli/linli.ts', 'door-sim', 'issue-secret', '--door', 'gate-xingfuli'],
    {
      cwd: repoRoot,
      env: { ...process.env, LINLI_DATA_DIR: dataDir },
      encoding: 'utf8',
    },
  );
  const secret = issued.stdout.match(/LINLI_DOOR_SECRET=(\S+)/)?.[1];
  if (!secret) throw new Error(`issue-secret failed: ${issued.stderr}`);
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${secret}` };
  const body = JSON.stringify({ doorId: 'gate-xingfuli', credential: { kind: 'qr', token } });
  const check = await fetch(`${url}/api/v1/access/verify`, { method: 'POST', headers, body });
  const answer = await check.text();
  if (check.status !== 200 || !JSON.parse(answer).allow) throw new Error(`verify refused: ${answer}`);

  bare = await startBare(answer);
  // warm-up of both, then the measured runs
  const quick = (target) =>
    spawnSync('wrk', ['-t', '1', '-c', '10', '-d', '2s', target], { encoding: 'utf8' });
  quick(bare.url);
  wrkPost(`${url}/api/v1/access/verify`, body, headers);
  const baseline = wrkPost(bare.url, body, headers);
  console.log(
    `bare node http (${answer.length} B JSON): ${baseline.rps.toFixed(0)} req/s, p99 ${baseline.p99} ms`,
  );
  const measured = wrkPost(`${url}/api/v1/access/verify`, body, headers);
  console.log(
    `access/verify: ${measured.rps.toFixed(0)} req/s, p50 ${measured.p50} ms, p99 ${measured.p99} ms`,
  );
  if (measured.non2xx > 0) throw new Error(`${measured.non2xx} verify answers were not 200`);

  // every attempt is in the access log (buffered for at most 20 ms, then committed by the writer thread)
  await new Promise((resolve) => setTimeout(resolve, 500));
  const Database = (await import('better-sqlite3')).default;
  const db = new Database(path.join(dataDir, 'linli.db'), { readonly: true });
  const logged = db.prepare('SELECT count(*) FROM access_log').pluck().get();
  db.close();
  console.log(`access log rows: ${logged}`);

  const ratio = measured.rps / baseline.rps;
  report({
    bench: 'access-verify',
    value: Math.round(measured.rps),
    unit: 'req/s',
    p50Ms: measured.p50,
    p99Ms: measured.p99,
    baseline: Math.round(baseline.rps),
    baselineP99Ms: baseline.p99,
    ratio: Number(ratio.toFixed(3)),
    accessLogRows: logged,
    target: 'ratio>=0.5 && p99<=20ms',
    pass: ratio >= 0.5 && measured.p99 <= 20,
  });
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await bare?.stop();
  await server?.stop();
  // the server may still be finishing its asset store when it stops: retry the removal briefly
  fs.rmSync(work, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
}
