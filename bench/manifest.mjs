// Benchmark `manifest`: how many "unchanged" answers (304) the manifest endpoint serves per second with 50
// connections, beside nginx serving a static file of the manifest's size in the same run (issue 2, target >= 0.5).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPairingCode, enrollDevice, startServer } from '../scripts/lib/processes.mjs';
import { report, startNginx, wrk } from './lib.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-bench-manifest-'));
const server = await startServer({ dataDir: path.join(work, 'server') });
let nginx;
try {
  const enrolled = await enrollDevice(server.url, createPairingCode(server.dataDir));
  const manifestUrl = `${server.url}/api/v1/device/manifest`;
  const auth = { authorization: `Bearer ${enrolled.credential}` };
  const first = await fetch(manifestUrl, { headers: auth });
  if (first.status !== 200) throw new Error(`manifest answered ${first.status}`);
  const body = Buffer.from(await first.arrayBuffer());
  const etag = first.headers.get('etag');
  const check = await fetch(manifestUrl, { headers: { ...auth, 'if-none-match': etag } });
  if (check.status !== 304) throw new Error(`If-None-Match answered ${check.status}, expected 304`);

  const staticFile = path.join(work, 'static', 'manifest.json');
  fs.mkdirSync(path.dirname(staticFile), { recursive: true });
  fs.writeFileSync(staticFile, body);
  nginx = await startNginx(staticFile);

  // warm both up, then measure
  wrk({ url: manifestUrl, seconds: 2, headers: { ...auth, 'If-None-Match': etag } });
  const ours = wrk({ url: manifestUrl, seconds, headers: { ...auth, 'If-None-Match': etag } });
  wrk({ url: nginx.url, seconds: 2 });
  const baseline = wrk({ url: nginx.url, seconds });
  if (ours.non2xx > 0) throw new Error(`server answered ${ours.non2xx} non-2xx/3xx responses`);

  console.log(`manifest size ${body.length} bytes, ${seconds}s per run, 50 connections, 2 wrk threads`);
  console.log(
    `linli 304:   ${ours.rps.toFixed(0)} req/s  p50 ${ours.p50} ms  p99 ${ours.p99} ms ${ours.errors}`,
  );
  console.log(
    `nginx 200:   ${baseline.rps.toFixed(0)} req/s  p50 ${baseline.p50} ms  p99 ${baseline.p99} ms ${baseline.errors}`,
  );
  const ratio = ours.rps / baseline.rps;
  report({
    bench: 'manifest',
    value: Math.round(ours.rps),
    unit: 'req/s',
    baseline: Math.round(baseline.rps),
    ratio: Number(ratio.toFixed(2)),
    target: 'ratio>=0.5',
    pass: ratio >= 0.5,
    p99_ms: ours.p99,
    manifest_bytes: body.length,
  });
} finally {
  await nginx?.stop();
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
