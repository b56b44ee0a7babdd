// Benchmark `sync-delta` (issue 4, Done when 5a): a kiosk (the real host process) synced with a pack of 300 images
// (~110 MB) from the real server; an editor replaces one 1 MiB image of one item through the CMS. A proxy between
// kiosk and server counts every body byte the kiosk receives until it shows the new version. Target: asset bytes
// <= 1.05 x the new image's size; the manifest's bytes are reported beside it.
import fs from 'node:fs';
import path from 'node:path';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';
import { tempDir } from './lib-kiosk.mjs';
import { report } from './lib.mjs';
import { cmsPublisher, noisePng, sha256Of, startProxy, writeImagePack } from './lib-sync.mjs';

const ADMIN_PASSWORD = 'bench-admin-password-1';
const work = tempDir('sync-delta');
const packDir = path.join(work, 'pack');
const pack = writeImagePack(packDir);
console.log(
  `pack: ${pack.images.length} images in ${pack.items.length} items, ${(pack.totalBytes / 1e6).toFixed(1)} MB`,
);

const server = await startServer({
  dataDir: path.join(work, 'server'),
  env: { LINLI_PACK_DIR: packDir, LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD },
});
const proxy = await startProxy(server.url);
let kiosk;
try {
  await server.output.waitFor(/imported demo pack sync-bench/, 120_000);
  const kioskDir = path.join(work, 'kiosk');
  kiosk = await startKiosk({
    serverUrl: proxy.url,
    pairingCode: createPairingCode(server.dataDir),
    dataDir: kioskDir,
  });
  await kiosk.output.waitFor(/switched to a new manifest/, 300_000);
  const switches = () => kiosk.output.lines.filter((l) => /switched to a new manifest/.test(l)).length;
  const coldBytes = proxy.bytesOf((p) => p.startsWith('/api/v1/assets/'));

  // the item whose first image is one of the pack's 1 MiB images
  const item = pack.items.find((i) => i.images[0].size > 1_000_000);
  const [old, ...keep] = item.images;
  const image = noisePng(1024 * 1024, 987_654);
  const mark = proxy.log.length;
  const before = switches();
  const cms = await cmsPublisher(server.url, ADMIN_PASSWORD);
  await cms.publish({
    id: item.id,
    category: item.category,
    title: `${item.title}（新图）`,
    keep: keep.map((i) => i.sha256),
    remove: [old.sha256],
    image,
  });
  const deadline = Date.now() + 60_000;
  while (switches() === before) {
    if (Date.now() > deadline) throw new Error('the kiosk did not switch to the new manifest within 60 s');
    await new Promise((r) => setTimeout(r, 50));
  }
  const sha = sha256Of(image);
  if (!fs.existsSync(path.join(kioskDir, 'assets', sha)))
    throw new Error('the new image is not on the kiosk');
  // unreferenced assets are collected just after the switch, not before its log line
  const collectBy = Date.now() + 10_000;
  while (fs.existsSync(path.join(kioskDir, 'assets', old.sha256))) {
    if (Date.now() > collectBy) throw new Error('the old image was not collected within 10 s of the switch');
    await new Promise((r) => setTimeout(r, 50));
  }

  const after = proxy.log.slice(mark);
  const assetBytes = after
    .filter((e) => e.path.startsWith('/api/v1/assets/'))
    .reduce((s, e) => s + e.bytes, 0);
  const manifestBytes = after
    .filter((e) => e.path === '/api/v1/device/manifest')
    .reduce((s, e) => s + e.bytes, 0);
  const requests = after.filter((e) => e.path.startsWith('/api/v1/assets/')).length;
  console.log(`cold sync moved ${(coldBytes / 1e6).toFixed(1)} MB of assets`);
  console.log(
    `after one 1 MiB image changed: ${assetBytes} asset bytes in ${requests} request(s), manifest ${manifestBytes} bytes`,
  );
  const ratio = assetBytes / image.length;
  report({
    bench: 'sync-delta',
    value: assetBytes,
    unit: 'bytes',
    baseline: image.length,
    ratio: Number(ratio.toFixed(3)),
    target: 'ratio<=1.05 (+ manifest)',
    pass: ratio <= 1.05,
    manifest_bytes: manifestBytes,
    asset_requests: requests,
  });
} finally {
  await kiosk?.stop();
  await proxy.stop();
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
