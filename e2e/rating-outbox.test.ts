// Issue 4 (§6.2.1-6 ratings) through the kiosk's durable outbox, against the real server process: a rating given
// while the server is down waits in cache.db and is counted once the server is back; a rating whose answer is
// lost is sent again under the same Idempotency-Key and still counted once.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openCacheDatabase, type CacheDatabase } from '../kiosk/src/host/cache/cache-database';
import { systemClock } from '../kiosk/src/host/clock';
import { DeviceApiClient } from '../kiosk/src/host/device-api.client';
import { createLogger, silentLogger } from '../kiosk/src/host/logger';
import { RatingOutbox } from '../kiosk/src/host/rating.client';
import { RatingOutboxRepository } from '../kiosk/src/host/rating-outbox.repository';
import {
  createPairingCode,
  enrollDevice,
  freePort,
  repoRoot,
  startServer,
} from '../scripts/lib/processes.mjs';

const BUILT = fs.existsSync(path.join(repoRoot, 'signage-server/build/handler.js'));
const CARD = 'property-service-card';

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.skipIf(!BUILT)('ratings through the kiosk outbox, real server', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-rating-outbox-'));
  const serverDir = path.join(work, 'server');
  let server: Awaited<ReturnType<typeof startServer>> | null = null;
  let cache: CacheDatabase | null = null;
  let outbox: RatingOutbox | null = null;

  afterAll(async () => {
    await outbox?.stop();
    cache?.close();
    await server?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  /** The card's ratings as the server's database holds them (scores, sorted: the order of arrival may vary). */
  const stored = () => {
    const db = new Database(path.join(serverDir, 'linli.db'), { readonly: true });
    try {
      return db
        .prepare('SELECT score FROM provider_ratings WHERE item_id = ? ORDER BY score')
        .pluck()
        .all(CARD) as number[];
    } finally {
      db.close();
    }
  };

  it('counts a rating given while the server was down once it is back, and a retried one once', async () => {
    const port = await freePort();
    const start = () =>
      startServer({ dataDir: serverDir, port, env: { LINLI_ADMIN_PASSWORD: 'rating-outbox-admin-1' } });
    server = await start();
    const { credential } = await enrollDevice(server.url, createPairingCode(serverDir), 'rating-kiosk');
    expect(stored()).toEqual([]);

    // the answer to the first rating POST is lost on its way back (the server has counted it)
    let loseNextAnswer = true;
    const lossyFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (loseNextAnswer && String(input).endsWith('/device/ratings')) {
        loseNextAnswer = false;
        await response.body?.cancel();
        throw new TypeError('fetch failed (the answer was lost)');
      }
      return response;
    };
    cache = openCacheDatabase(path.join(work, 'cache.db'));
    migrate(cache);
    const repository = new RatingOutboxRepository(cache);
    outbox = new RatingOutbox(
      repository,
      new DeviceApiClient(server.url, { request: 3_000, asset: 3_000 }, lossyFetch),
      () => credential,
      systemClock,
      process.env.H3_DEBUG ? createLogger('ratings') : silentLogger,
      { retryInitialMs: 100, retryMaxMs: 400 },
    );
    outbox.start();

    // lost answer: the kiosk cannot know it was counted, keeps it, sends it again with the same key
    expect(await outbox.rate({ itemId: CARD, score: 5 })).toEqual({ ok: true, value: null });
    await until(() => outbox!.pendingCount() === 0);
    expect(stored()).toEqual([5]);

    // the server is down: the rating waits on disk, the resident is thanked all the same
    await server.stop();
    expect(await outbox.rate({ itemId: CARD, score: 2 })).toEqual({ ok: true, value: null });
    expect(await outbox.rate({ itemId: CARD, score: 4 })).toEqual({ ok: true, value: null });
    expect(repository.due('9999', 10).map((r) => r.score)).toEqual([2, 4]);

    server = await start();
    await until(() => outbox!.pendingCount() === 0);
    expect(stored()).toEqual([2, 4, 5]);

    // online: counted at once, and the new summary comes back
    expect(await outbox.rate({ itemId: CARD, score: 1 })).toEqual({
      ok: true,
      value: { average: 3, count: 4 },
    });
    // a card that is not published is refused for good and leaves the outbox
    expect(await outbox.rate({ itemId: 'no-such-card', score: 3 })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(outbox.pendingCount()).toBe(0);
    expect(stored()).toEqual([1, 2, 4, 5]);
  }, 120_000);
});
