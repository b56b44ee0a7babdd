// Benchmark `sync-cold` (issue 4, Done when 5b): a freshly enrolled kiosk (the real host process) downloads a pack
// of 300 images (~110 MB, 50 of them 1 MiB) from the real server; beside it, in the same run, clients fetch the
// same files from nginx with the kiosk's download concurrency. Target: kiosk time <= 1.3 x nginx time.
//
// Two nginx clients are timed. `plain` streams each file to disk and nothing more (what this benchmark measured
// first). `careful` does what any kiosk must do with what it downloads, whoever serves it, as the kiosk does it:
// hashes every byte while writing it to a part file, checks the hash and the size, renames the file into place,
// and flushes all files to disk before it calls the sync done. The target ratio is against `careful`, so that
// it compares servers and sync code, not a client that checks nothing with one that checks everything; the
// ratio against `plain` is printed beside it.
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
  const kioskDir = path.join(work, 'kiosk');
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
  const kioskMs = at(/switched to a new manifest/) - at(/\benrolled\b/);
  const stored = fs.readdirSync(path.join(kioskDir, 'assets')).filter((n) => /^[0-9a-f]{64}$/.test(n));
  if (stored.length !== pack.images.length) throw new Error(`the kiosk holds ${stored.length} assets`);
  await kiosk.stop();
  kiosk = undefined;

  // nginx, one worker, serving the pack's own image files
  nginx = await startNginx(path.join(packDir, 'images', pack.images[0].file));
  const base = nginx.url.slice(0, nginx.url.lastIndexOf('/'));
  const plainMs = await timed(() => plainClient(base, path.join(work, 'nginx-plain')));
  const carefulMs = await timed(() => carefulClient(base, path.join(work, 'nginx-careful')));
  const nginxMs = carefulMs;

  console.log(`kiosk cold sync (enrolled -> switched):            ${(kioskMs / 1000).toFixed(2)} s`);
  console.log(
    `nginx, careful client (hash, rename, flush), ${CONCURRENCY} at a time: ${(carefulMs / 1000).toFixed(2)} s`,
  );
  console.log(
    `nginx, plain client (stream to disk), ${CONCURRENCY} at a time:      ${(plainMs / 1000).toFixed(2)} s`,
  );
  const ratio = kioskMs / nginxMs;
  report({
    bench: 'sync-cold',
    value: Number((kioskMs / 1000).toFixed(2)),
    unit: 's',
    baseline: Number((nginxMs / 1000).toFixed(2)),
    ratio: Number(ratio.toFixed(2)),
    target: 'ratio<=1.3',
    pass: ratio <= 1.3,
    baseline_plain: Number((plainMs / 1000).toFixed(2)),
    ratio_plain: Number((kioskMs / plainMs).toFixed(2)),
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
