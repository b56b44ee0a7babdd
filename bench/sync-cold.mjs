// Benchmark `sync-cold` (issue 4, Done when 5b): a freshly enrolled kiosk (the real host process) downloads a pack
// of 300 images (~110 MB, 50 of them 1 MiB) from the real server; beside it, in the same run, a client fetches the
// same files from nginx with the kiosk's download concurrency. Target: kiosk time <= 1.3 x nginx time.
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';
import { tempDir } from './lib-kiosk.mjs';
import { report, startNginx } from './lib.mjs';
import { writeImagePack } from './lib-sync.mjs';

/** The kiosk's default (kiosk-host.ts `downloadConcurrency`); the nginx client uses the same. */
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

  // nginx, one worker, serving the pack's own image files; the client streams each to disk like the kiosk does
  nginx = await startNginx(path.join(packDir, 'images', pack.images[0].file));
  const base = nginx.url.slice(0, nginx.url.lastIndexOf('/'));
  const out = path.join(work, 'nginx-client');
  fs.mkdirSync(out);
  const queue = [...pack.images];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let image = queue.shift(); image; image = queue.shift()) {
        const response = await fetch(`${base}/${image.file}`);
        if (response.status !== 200) throw new Error(`nginx answered ${response.status}`);
        await pipeline(Readable.fromWeb(response.body), fs.createWriteStream(path.join(out, image.file)));
      }
    }),
  );
  const nginxMs = performance.now() - started;

  console.log(`kiosk cold sync (enrolled -> switched): ${(kioskMs / 1000).toFixed(2)} s`);
  console.log(`nginx, same files, ${CONCURRENCY} at a time:   ${(nginxMs / 1000).toFixed(2)} s`);
  const ratio = kioskMs / nginxMs;
  report({
    bench: 'sync-cold',
    value: Number((kioskMs / 1000).toFixed(2)),
    unit: 's',
    baseline: Number((nginxMs / 1000).toFixed(2)),
    ratio: Number(ratio.toFixed(2)),
    target: 'ratio<=1.3',
    pass: ratio <= 1.3,
    assets: pack.images.length,
    pack_mb: Number((pack.totalBytes / 1e6).toFixed(1)),
  });
} finally {
  await kiosk?.stop();
  await nginx?.stop();
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
