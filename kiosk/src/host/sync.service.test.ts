import { randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheScrubber } from './asset-scrubber';
import { AssetStore, hashFile } from './asset-store';
import { migrate, openCacheDatabase, type CacheDatabase } from './cache/cache-database';
import { CacheRepository } from './cache/cache.repository';
import { systemClock } from './clock';
import { DeviceApiClient } from './device-api.client';
import { silentLogger } from './logger';
import { SyncService } from './sync.service';
import { FakeSignageServer } from './testing/fake-signage-server';
import { fixtureItem } from './testing/fixture-content';
import { drawScene } from './testing/png-image';
import { makeTempDir, waitFor } from './testing/temp-dir';

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
let db: CacheDatabase;
let repository: CacheRepository;
let assets: AssetStore;
let services: SyncService[] = [];

beforeEach(async () => {
  server = await FakeSignageServer.start();
  temp = makeTempDir();
  db = openCacheDatabase(join(temp.dir, 'cache.db'));
  migrate(db);
  repository = new CacheRepository(db);
  assets = new AssetStore(join(temp.dir, 'assets'));
  await assets.init();
});
afterEach(async () => {
  for (const service of services) await service.stop();
  services = [];
  await server.stop();
  db.close();
  temp.remove();
});

function makeSync(pairingCode: string | null = server.createPairingCode(), pollIntervalMs = 3_600_000) {
  const service = new SyncService(
    repository,
    assets,
    new DeviceApiClient(server.url),
    systemClock,
    silentLogger,
    {
      serverUrl: server.url,
      pairingCode,
      deviceName: 'test kiosk',
      platform: 'test',
      appVersion: '0.0.0',
      pollIntervalMs,
      retryInitialMs: 20,
      retryMaxMs: 200,
      downloadConcurrency: 2,
    },
  );
  service.loadCache();
  services.push(service);
  return service;
}

let counter = 0;
function publishNotice(title?: string) {
  counter += 1;
  title ??= `通知 ${counter}`;
  const image = server.addAsset(drawScene(40, 30, [counter * 20, 80, 120], [20, 120, counter * 10]));
  const id = `notice-${counter}`;
  server.publish(
    fixtureItem(
      { id, category: 'government' },
      'zh-CN',
      { title, summary: '', body: '' },
      {
        images: [{ sha256: image.sha256, alt: '' }],
      },
    ),
  );
  return { id, image };
}
/** A notice with a 1 MB image: large enough that a cut connection leaves part of it on disk. */
function publishLargeImage() {
  counter += 1;
  const image = server.addAsset(randomBytes(1024 * 1024));
  const id = `notice-${counter}`;
  server.publish(
    fixtureItem(
      { id, category: 'government' },
      'zh-CN',
      { title: `大图 ${counter}`, summary: '', body: '' },
      {
        images: [{ sha256: image.sha256, alt: '' }],
      },
    ),
  );
  return { id, image };
}
const titles = (sync: SyncService) => sync.currentManifest()?.manifest.items.map((i) => i.title) ?? [];

describe('enrolment', () => {
  it('exchanges a pairing code once and pins the server key', async () => {
    const code = server.createPairingCode();
    const sync = makeSync(code);
    expect((await sync.enroll()).ok).toBe(true);
    const device = repository.getDevice();
    expect(device?.serverPublicKey).toBe(server.publicKeySpki);
    expect(device?.credential.length).toBeGreaterThanOrEqual(32);
    expect(sync.getStatus()).toMatchObject({ enrolled: true, deviceId: device?.deviceId });

    // The code is single-use: another kiosk presenting it is refused and stores nothing.
    db.prepare('DELETE FROM device').run();
    const second = makeSync(code);
    const refused = await second.enroll();
    expect(refused).toMatchObject({ ok: false, error: { kind: 'pairing-code-invalid' } });
    expect(repository.getDevice()).toBeNull();
  });

  it.each([
    ['an unknown code', 'ABCDEFGH'],
    ['a malformed code', 'not a code'],
  ])('refuses %s and reports it', async (_what, code) => {
    const sync = makeSync(code);
    const result = await sync.enroll();
    expect(result).toMatchObject({ ok: false, error: { kind: 'pairing-code-invalid' } });
    expect(sync.getStatus().lastError?.kind).toBe('pairing-code-invalid');
    expect(repository.getDevice()).toBeNull();
  });
});

describe('sync', () => {
  it('downloads verified assets, switches, then asks with If-None-Match and gets 304', async () => {
    const { image } = publishNotice('供暖通知');
    const sync = makeSync();
    await sync.enroll();
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(titles(sync)).toEqual(['供暖通知']);
    expect(await hashFile(assets.pathOf(image.sha256))).toBe(image.sha256);
    expect(sync.getStatus()).toMatchObject({
      online: true,
      lastError: null,
      manifestVersion: server.manifestVersion(),
    });

    expect(await sync.syncNow()).toEqual({ ok: true, value: 'unchanged' });
    const manifestRequests = server.seen.filter((r) => r.path === '/api/v1/device/manifest');
    expect(manifestRequests.at(-1)?.ifNoneMatch).toBe(`"${server.manifestVersion()}"`);
  });

  it.each([
    ['unsigned', 'signature-missing'],
    ['tamper', 'signature-invalid'],
    ['foreignKey', 'signature-invalid'],
  ] as const)('refuses a %s manifest and keeps the last good one', async (fault, kind) => {
    publishNotice('旧通知');
    const sync = makeSync();
    await sync.enroll();
    await sync.syncNow();
    publishNotice('新通知');
    server.faults[fault] = true;
    expect(await sync.syncNow()).toMatchObject({ ok: false, error: { kind } });
    expect(titles(sync)).toEqual(['旧通知']);
    expect(sync.getStatus().lastError?.kind).toBe(kind);

    server.faults[fault] = false;
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(titles(sync).sort()).toEqual(['新通知', '旧通知'].sort());
  });

  it('refuses an asset whose bytes do not match its sha256, then fetches it again', async () => {
    const { image } = publishNotice();
    server.faults.corruptAsset.set(image.sha256, 1);
    const sync = makeSync();
    await sync.enroll();
    expect(await sync.syncNow()).toMatchObject({ ok: false, error: { kind: 'asset-hash-mismatch' } });
    expect(existsSync(assets.pathOf(image.sha256))).toBe(false);
    expect(sync.currentManifest()).toBeNull();

    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(await hashFile(assets.pathOf(image.sha256))).toBe(image.sha256);
  });

  it('switches only when every asset is present: a half-downloaded manifest is never shown', async () => {
    publishNotice('第一版');
    const sync = makeSync();
    await sync.enroll();
    await sync.syncNow();
    const versionBefore = sync.currentManifest()?.manifest.version;

    const good = publishNotice('第二版 A');
    const bad = publishNotice('第二版 B');
    server.faults.corruptAsset.set(bad.image.sha256, 1);
    expect((await sync.syncNow()).ok).toBe(false);
    // The old manifest, in memory and in the database; the good asset is kept for the retry.
    expect(sync.currentManifest()?.manifest.version).toBe(versionBefore);
    expect(repository.getManifest()?.version).toBe(versionBefore);
    expect(repository.getAsset(good.image.sha256)).not.toBeNull();
    expect(repository.getAsset(bad.image.sha256)).toBeNull();

    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(titles(sync)).toHaveLength(3);
  });

  it('re-fetches a cached asset damaged on disk', async () => {
    const { image } = publishNotice();
    const sync = makeSync();
    await sync.enroll();
    await sync.syncNow();
    const path = assets.pathOf(image.sha256);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    writeFileSync(path, bytes);

    expect(await sync.verifyCachedAssets()).toEqual([image.sha256]);
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'unchanged' });
    expect(await hashFile(path)).toBe(image.sha256);
  });

  it('a file damaged while the kiosk runs is found by the next asset check, dropped and fetched again', async () => {
    const first = publishNotice();
    const second = publishNotice();
    const sync = makeSync();
    await sync.enroll();
    await sync.syncNow();
    const scrubber = cacheScrubber(repository, sync, systemClock, silentLogger, {
      intervalMs: 3_600_000,
      restFactor: 1,
    });
    expect(await scrubber.runPass()).toEqual([]);

    // the same size, one bit wrong: only a hash finds it
    const path = assets.pathOf(second.image.sha256);
    const bytes = readFileSync(path);
    bytes[0] = bytes[0]! ^ 0x01;
    writeFileSync(path, bytes);
    expect(await scrubber.runPass()).toEqual([second.image.sha256]);
    expect(await hashFile(assets.pathOf(first.image.sha256))).toBe(first.image.sha256);
    // the repair is a sync of the unchanged manifest (a 304), which fetches what went missing; the file is moved
    // into place before its row is written, so both are waited for
    await waitFor(
      async () =>
        (await hashFile(path).catch(() => '')) === second.image.sha256 &&
        repository.getAsset(second.image.sha256) !== null,
      'the re-fetched file and its row',
    );
    expect(await sync.missingAssets()).toEqual([]);
  });

  /**
   * Cuts the image's download halfway until some of it is kept. A cut can lose everything the client had not read
   * yet (fetch drops a stream's queued chunks when the connection breaks), so under load one cut may keep nothing.
   */
  async function cutUntilKept(sync: SyncService, image: { sha256: string; size: number }) {
    for (let tries = 0; tries < 5; tries++) {
      server.faults.cutAsset.set(image.sha256, 1);
      expect(await sync.syncNow()).toMatchObject({ ok: false, error: { kind: 'asset-download-failed' } });
      const kept = await assets.partialSize(image.sha256, image.size);
      if (kept > 0) return kept;
    }
    throw new Error('five cut downloads kept nothing');
  }

  it('resumes an interrupted download with Range and checks the hash of the whole file', async () => {
    const { image } = publishLargeImage();
    const sync = makeSync();
    await sync.enroll();
    const kept = await cutUntilKept(sync, image);
    expect(sync.currentManifest()).toBeNull();
    expect(kept).toBeLessThan(image.size);

    // a restart in between: the part survives the store's start-up clean-up, debris does not
    const debris = join(assets.dir, '.partial', 'leftover.tmp');
    writeFileSync(debris, 'x');
    await assets.init();
    expect(existsSync(debris)).toBe(false);

    const requests = server.assetRequests.length;
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(await hashFile(assets.pathOf(image.sha256))).toBe(image.sha256);
    expect(server.assetRequests.slice(requests).map((r) => r.range)).toEqual([`bytes=${kept}-`]);
    expect(await assets.partialSize(image.sha256, image.size)).toBe(0);
  });

  it('discards a resumed file that does not hash and fetches it whole', async () => {
    const { image } = publishLargeImage();
    const sync = makeSync();
    await sync.enroll();
    const kept = await cutUntilKept(sync, image);
    const part = join(assets.dir, '.partial', `${image.sha256}.part`);
    const bytes = readFileSync(part);
    bytes[0] = bytes[0]! ^ 0xff;
    writeFileSync(part, bytes);

    const requests = server.assetRequests.length;
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(await hashFile(assets.pathOf(image.sha256))).toBe(image.sha256);
    expect(server.assetRequests.slice(requests).map((r) => r.range)).toEqual([`bytes=${kept}-`, null]);
  });

  it('drops the part of a download the new manifest no longer wants', async () => {
    const large = publishLargeImage();
    const sync = makeSync();
    await sync.enroll();
    await cutUntilKept(sync, large.image);
    server.unpublish(large.id);
    publishNotice();
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(await assets.partialSize(large.image.sha256, large.image.size)).toBe(0);
    expect(readdirSync(join(assets.dir, '.partial'))).toEqual([]);
  });

  it('collects assets the new manifest no longer references', async () => {
    const first = publishNotice();
    const sync = makeSync();
    await sync.enroll();
    await sync.syncNow();
    server.unpublish(first.id);
    publishNotice();
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(existsSync(assets.pathOf(first.image.sha256))).toBe(false);
    expect(repository.getAsset(first.image.sha256)).toBeNull();
  });

  it('keeps the last good content and reports offline when the server is gone', async () => {
    publishNotice('缓存的通知');
    const sync = makeSync();
    await sync.enroll();
    await sync.syncNow();
    await server.stop();
    expect(await sync.syncNow()).toMatchObject({ ok: false, error: { kind: 'offline' } });
    expect(sync.getStatus().online).toBe(false);
    expect(titles(sync)).toEqual(['缓存的通知']);
    server = await FakeSignageServer.start(); // for afterEach
  });

  it('refuses a forged credential with unauthorized, keeping content', async () => {
    publishNotice('通知');
    const sync = makeSync();
    await sync.enroll();
    await sync.syncNow();
    db.prepare("UPDATE device SET credential = 'forged-credential-forged-credential-000'").run();
    const forged = makeSync(null);
    forged.loadCache();
    expect(await forged.syncNow()).toMatchObject({ ok: false, error: { kind: 'unauthorized' } });
    expect(titles(forged)).toEqual(['通知']);
  });
});

describe('asset bundles', () => {
  const bundled = () => server.bundleRequests.flat();
  const singles = (sha256: string) => server.assetRequests.filter((r) => r.sha256 === sha256);
  async function expectStored(...images: { sha256: string }[]) {
    for (const image of images) {
      expect(await hashFile(assets.pathOf(image.sha256))).toBe(image.sha256);
      expect(repository.getAsset(image.sha256)).not.toBeNull();
    }
  }

  it('a cold sync fetches small assets in bundles, each checked and stored like a single download', async () => {
    const images = Array.from({ length: 5 }, () => publishNotice().image);
    const sync = makeSync();
    await sync.enroll();
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(bundled().sort()).toEqual(images.map((image) => image.sha256).sort());
    expect(server.assetRequests).toEqual([]);
    await expectStored(...images);
    // a lone new asset (a delta sync) is fetched alone: a bundle of one only adds framing
    const { image } = publishNotice();
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(singles(image.sha256)).toHaveLength(1);
    expect(server.bundleRequests).toHaveLength(1);
  });

  it('a bundle cut inside an asset: the rest come one by one, in the same sync', async () => {
    const [first, cut, last] = [publishLargeImage(), publishLargeImage(), publishLargeImage()].map(
      (published) => published.image,
    );
    server.faults.cutAsset.set(cut!.sha256, 1);
    const sync = makeSync();
    await sync.enroll();
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    await expectStored(first!, cut!, last!);
    expect(singles(first!.sha256)).toEqual([]);
    // a bundle's asset is small and held in memory until checked: a cut one is fetched again whole
    expect(singles(cut!.sha256)).toEqual([{ sha256: cut!.sha256, range: null }]);
    expect(singles(last!.sha256)).toEqual([{ sha256: last!.sha256, range: null }]);
    expect(readdirSync(join(assets.dir, '.partial'))).toEqual([]);
  });

  it('a frame whose bytes do not hash fails that asset only; the others are kept for the retry', async () => {
    const [good, bad, other] = [publishNotice(), publishNotice(), publishNotice()].map((p) => p.image);
    server.faults.corruptAsset.set(bad!.sha256, 1);
    const sync = makeSync();
    await sync.enroll();
    expect(await sync.syncNow()).toMatchObject({ ok: false, error: { kind: 'asset-hash-mismatch' } });
    expect(sync.currentManifest()).toBeNull();
    await expectStored(good!, other!);
    expect(existsSync(assets.pathOf(bad!.sha256))).toBe(false);
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    expect(singles(bad!.sha256)).toHaveLength(1);
  });

  it('a bundle holding an asset nobody asked for is dropped; the assets come one by one', async () => {
    server.faults.strayFrame = true;
    const images = [publishNotice(), publishNotice(), publishNotice()].map((p) => p.image);
    const sync = makeSync();
    await sync.enroll();
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    await expectStored(...images);
    for (const image of images) expect(singles(image.sha256)).toHaveLength(1);
  });

  it('a server without bundles gets single downloads, and is not asked for a bundle again', async () => {
    server.faults.noBundles = true;
    const images = [publishNotice(), publishNotice()].map((p) => p.image);
    const sync = makeSync();
    await sync.enroll();
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    const more = [publishNotice(), publishNotice()].map((p) => p.image);
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    await expectStored(...images, ...more);
    expect(server.seen.filter((r) => r.path === '/api/v1/assets/bundle')).toHaveLength(1);
    expect(server.assetRequests).toHaveLength(4);
  });

  it('a bundle that comes without its length (re-chunked on the way) is not read: single downloads instead', async () => {
    server.faults.unframedBundles = true;
    const images = [publishNotice(), publishNotice()].map((p) => p.image);
    const sync = makeSync();
    await sync.enroll();
    expect(await sync.syncNow()).toEqual({ ok: true, value: 'switched' });
    await expectStored(...images);
    expect(server.bundleRequests).toHaveLength(1);
    expect(server.assetRequests.map((r) => r.sha256).sort()).toEqual(images.map((i) => i.sha256).sort());
  });
});

describe('sync loop', () => {
  it('reacts to manifest-changed hints at once, and reconnects the events stream after it drops', async () => {
    publishNotice('第一条');
    // An hour between polls: anything that arrives sooner came through the events stream.
    const sync = makeSync(server.createPairingCode(), 3_600_000);
    sync.start();
    await waitFor(() => titles(sync).includes('第一条'), 'the first manifest');
    await waitFor(() => server.openStreams === 1, 'the events stream');

    publishNotice('第二条');
    await waitFor(() => titles(sync).includes('第二条'), 'the hinted manifest');

    server.dropStreams();
    await waitFor(() => server.openStreams === 1, 'the events stream to reconnect');
    publishNotice('第三条');
    await waitFor(() => titles(sync).includes('第三条'), 'a manifest after reconnecting');
  });

  it('retries a hinted sync that failed with backoff, not after the poll interval', async () => {
    publishNotice('第一条');
    const sync = makeSync(server.createPairingCode(), 3_600_000);
    sync.start();
    await waitFor(() => titles(sync).includes('第一条'), 'the first manifest');
    await waitFor(() => server.openStreams === 1, 'the events stream');

    const { image } = publishLargeImage();
    server.faults.cutAsset.set(image.sha256, 2);
    await waitFor(() => titles(sync).length === 2, 'the manifest after two cut downloads');
    // an hour between polls: the two retries came from the backoff after each failed sync
    expect(server.assetRequests.filter((r) => r.sha256 === image.sha256)).toHaveLength(3);
  });

  it('does not retry a refused pairing code', async () => {
    const sync = makeSync('ABCDEFGH');
    sync.start();
    await waitFor(() => sync.getStatus().lastError?.kind === 'pairing-code-invalid', 'the refusal');
    await sync.stop();
    expect(server.seen.filter((r) => r.path === '/api/v1/device/enroll')).toHaveLength(1);
  });
});
