// Benchmark `sync-cold` (issue 4, Done when 5b): a freshly enrolled kiosk (the real host process) downloads a pack
// of 300 images (~110 MB, 50 of them 1 MiB) from the real server; beside it, in the same run, clients fetch the
// same files from nginx with the kiosk's download concurrency. Target: kiosk time <= 1.3 x nginx time.
//
// One sync of each swung by ±25 % from run to run on a 2-core machine, so the bench takes ROUNDS rounds (default 3,
// env SYNC_COLD_ROUNDS), each a new kiosk (new data folder, new enrolment: a cold sync every time) followed by the
// nginx clients, and compares the medians. The server keeps running between rounds, as it does for a fleet.
//
// Two nginx clients are timed. `plain` streams each file to disk and nothing more (what this benchmark measured
// first). `careful` does what any kiosk must do with what it downloads, whoever serves it, as the kiosk does it:
// hashes every byte while writing it to a part file, checks the hash and the size, renames the file into place,
// and flushes all files to disk before it calls the sync done. The target ratio is against `careful`, so that
// it compares servers and sync code, not a client that checks nothing with one that checks everything; the
// ratio against `plain` is printed beside it.
//
// The kiosk fetches the pack's small assets in bundles (POST /api/v1/assets/bundle: many files in one answer) and
// keeps them in memory until checked, where the nginx clients make one request per file: that is the protocol's
// advantage and part of what is measured. Both flush every file before they are done.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';
import { tempDir } from './lib-kiosk.mjs';
import { report, startNginx } from './lib.mjs';
import { writeImagePack } from './lib-sync.mjs';

/** The kiosk's default (kiosk-host.ts `downloadConcurrency`); the nginx clients use the same. */
const CONCURRENCY = 4;
const ROUNDS = Number(process.env.SYNC_COLD_ROUNDS ?? 3);
const work = tempDir('sync-cold');
const packDir = path.join(work, 'pack');
const pack = writeImagePack(packDir);
console.log(
  `pack: ${pack.images.length} images in ${pack.items.length} items, ${(pack.totalBytes / 1e6).toFixed(1)} MB`,
);

const server = await startServer({
  dataDir: path.join(work, 'server'),
  env: { LINLI_PACK_DIR: packDir, LINLI_ADMIN_PASSWORD: 'bench-admin-password-1' },
});
let kiosk;
let nginx;
try {
  await server.output.waitFor(/imported demo pack sync-bench/, 120_000);
  // nginx, one worker, serving the pack's own image files
  nginx = await startNginx(path.join(packDir, 'images', pack.images[0].file));
  const base = nginx.url.slice(0, nginx.url.lastIndexOf('/'));
  const rounds = [];
  for (let round = 0; round < ROUNDS; round++) {
    const kioskMs = await kioskColdSync(round);
    const plainMs = await timed(() => plainClient(base, path.join(work, `nginx-plain-${round}`)));
    const carefulMs = await timed(() => carefulClient(base, path.join(work, `nginx-careful-${round}`)));
    rounds.push({ kioskMs, carefulMs, plainMs });
    console.log(
      `round ${round + 1}: kiosk ${(kioskMs / 1000).toFixed(2)} s, nginx careful ${(carefulMs / 1000).toFixed(2)} s, ` +
        `nginx plain ${(plainMs / 1000).toFixed(2)} s`,
    );
    // the next round's downloads must not find this round's files in the page cache's dirty list
    for (const dir of [`kiosk-${round}`, `nginx-plain-${round}`, `nginx-careful-${round}`])
      fs.rmSync(path.join(work, dir), { recursive: true, force: true });
  }
  const kioskMs = median(rounds.map((r) => r.kioskMs));
  const carefulMs = median(rounds.map((r) => r.carefulMs));
  const plainMs = median(rounds.map((r) => r.plainMs));
  const nginxMs = carefulMs;

  console.log(`kiosk cold sync (enrolled -> switched), median:            ${(kioskMs / 1000).toFixed(2)} s`);
  console.log(
    `nginx, careful client (hash, rename, flush), ${CONCURRENCY} at a time, median: ${(carefulMs / 1000).toFixed(2)} s`,
  );
  console.log(
    `nginx, plain client (stream to disk), ${CONCURRENCY} at a time, median:      ${(plainMs / 1000).toFixed(2)} s`,
  );
  const ratio = kioskMs / nginxMs;
  const seconds = (ms) => Number((ms / 1000).toFixed(2));
  report({
    bench: 'sync-cold',
    value: seconds(kioskMs),
    unit: 's',
    baseline: seconds(nginxMs),
    ratio: Number(ratio.toFixed(2)),
    target: 'ratio<=1.3',
    pass: ratio <= 1.3,
    baseline_plain: seconds(plainMs),
    ratio_plain: Number((kioskMs / plainMs).toFixed(2)),
    rounds: rounds.map((r) => ({
      kiosk: seconds(r.kioskMs),
      careful: seconds(r.carefulMs),
      plain: seconds(r.plainMs),
    })),
    assets: pack.images.length,
    pack_mb: Number((pack.totalBytes / 1e6).toFixed(1)),
    load: Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]),
  });
} finally {
  await kiosk?.stop();
  await nginx?.stop();
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}

/** A new kiosk's cold sync, from its enrolment to its switch to the pack's manifest (its own log's timestamps). */
async function kioskColdSync(round) {
  const kioskDir = path.join(work, `kiosk-${round}`);
  settle();
  kiosk = await startKiosk({
    serverUrl: server.url,
    pairingCode: createPairingCode(server.dataDir),
    dataDir: kioskDir,
  });
  await kiosk.output.waitFor(/switched to a new manifest/, 300_000);
  const at = (pattern) => {
    const line = kiosk.output.lines.find((l) => pattern.test(l));
    return line ? Date.parse(line.split(' ')[0]) : NaN;
  };
  // the sync's own log lines: `\benrolled\b` alone also matched the host's start line (`"enrolled":false`), which
  // put the enrolment's round trip into the sync's time
  const kioskMs = at(/ \[sync\] switched to a new manifest/) - at(/ \[sync\] enrolled /);
  const stored = fs.readdirSync(path.join(kioskDir, 'assets')).filter((n) => /^[0-9a-f]{64}$/.test(n));
  if (stored.length !== pack.images.length) throw new Error(`the kiosk holds ${stored.length} assets`);
  await kiosk.stop();
  kiosk = undefined;
  return kioskMs;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Writes out what setup left dirty in the page cache (the pack just generated, the server's copy of it) before a
 * timed phase: otherwise the kernel flushes it in the middle of whichever phase comes first (the kiosk's), and that
 * phase's own flush waits behind it.
 */
function settle() {
  execFileSync('sync');
}

async function timed(run) {
  settle();
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Runs `fetchOne` over the pack's images, CONCURRENCY at a time. */
async function eachImage(fetchOne) {
  const queue = [...pack.images];
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let image = queue.shift(); image; image = queue.shift()) await fetchOne(image);
    }),
  );
}

/** fetch, each body streamed to its file: no hash, no flush. */
async function plainClient(base, out) {
  fs.mkdirSync(out);
  await eachImage(async (image) => {
    const response = await fetch(`${base}/${image.file}`);
    if (response.status !== 200) throw new Error(`nginx answered ${response.status}`);
    await pipeline(Readable.fromWeb(response.body), fs.createWriteStream(path.join(out, image.file)));
  });
}

/**
 * As the kiosk stores a download (kiosk/src/host/asset-store.ts, sync.service.ts): node:http on kept-alive
 * sockets, every chunk hashed as it arrives and written to `<name>.part` in 1 MiB writes, size and sha256 checked, renamed into
 * place; when all are there, every file flushed to disk (eight at a time) before the sync counts as done.
 */
async function carefulClient(base, out) {
  fs.mkdirSync(out);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    await eachImage(async (image) => {
      const response = await new Promise((resolve, reject) =>
        http.get(`${base}/${image.file}`, { agent }, resolve).on('error', reject),
      );
      if (response.statusCode !== 200) throw new Error(`nginx answered ${response.statusCode}`);
      const target = path.join(out, image.file);
      const file = await fs.promises.open(`${target}.part`, 'w');
      const hash = createHash('sha256');
      let size = 0;
      let pending = [];
      let pendingBytes = 0;
      try {
        for await (const chunk of response) {
          hash.update(chunk);
          size += chunk.byteLength;
          // gathered into 1 MiB writes, as the kiosk does
          pending.push(chunk);
          pendingBytes += chunk.byteLength;
          if (pendingBytes >= 1024 * 1024) {
            await file.writev(pending);
            pending = [];
            pendingBytes = 0;
          }
        }
        if (pending.length > 0) await file.writev(pending);
      } finally {
        await file.close();
      }
      if (size !== image.size || hash.digest('hex') !== image.sha256)
        throw new Error(`${image.file} is damaged`);
      await fs.promises.rename(`${target}.part`, target);
    });
    const queue = pack.images.map((image) => path.join(out, image.file));
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let name = queue.shift(); name; name = queue.shift()) {
          const file = await fs.promises.open(name, 'r');
          await file.sync();
          await file.close();
        }
      }),
    );
  } finally {
    agent.destroy();
  }
}
