import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DeviceStatsBatchV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openCacheDatabase, type CacheDatabase } from './cache/cache-database';
import { silentLogger } from './logger';
import { httpStatsSender, PlayLogOutbox } from './play-log.outbox';
import { PlayLogRepository } from './play-log.repository';
import { ManualClock } from './testing/manual-clock';
import { makeTempDir } from './testing/temp-dir';

// The proof-of-play outbox over real HTTP, with a real cache.db: a stats endpoint that stores each batch id once
// (as the server does), and can be told to be down or to lose its answer after storing.

interface Endpoint {
  url: string;
  /** Batches stored, by id. */
  stored: Map<string, DeviceStatsBatchV1>;
  /** Every request's batch id, in order. */
  requests: string[];
  mode: 'up' | 'down' | 'lose-answer' | 'refuse';
  close(): Promise<void>;
}

async function startEndpoint(): Promise<Endpoint> {
  const endpoint = { stored: new Map(), requests: [], mode: 'up' } as unknown as Endpoint;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      if (req.headers.authorization !== 'Bearer device-secret') return void res.writeHead(401).end();
      const batch = DeviceStatsBatchV1.parse(JSON.parse(body));
      endpoint.requests.push(batch.batchId);
      if (endpoint.mode === 'down') return void res.writeHead(503).end('{}');
      if (endpoint.mode === 'refuse')
        return void res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: { kind: 'invalid-body', message: 'no', field: 'plays' } }));
      const replayed = endpoint.stored.has(batch.batchId);
      if (!replayed) endpoint.stored.set(batch.batchId, batch);
      // stored, but the answer never arrives: the kiosk must send the same batch id again
      if (endpoint.mode === 'lose-answer') return void res.destroy();
      res.writeHead(replayed ? 200 : 201, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          batchId: batch.batchId,
          plays: batch.plays.length,
          touches: batch.touches.length,
          replayed,
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  endpoint.close = () => new Promise((resolve) => server.close(() => resolve()));
  return endpoint;
}

let temp: ReturnType<typeof makeTempDir>;
let db: CacheDatabase;
let endpoint: Endpoint;
let clock: ManualClock;

const open = () => {
  const handle = openCacheDatabase(join(temp.dir, 'cache.db'));
  migrate(handle);
  return handle;
};
const outboxOn = (database: CacheDatabase, batchSize = 3) =>
  new PlayLogOutbox(
    new PlayLogRepository(database),
    httpStatsSender(endpoint.url),
    () => 'device-secret',
    clock,
    silentLogger,
    { batchSize, flushIntervalMs: 60_000, retryInitialMs: 1_000, retryMaxMs: 8_000 },
  );
const play = (n: number) => ({
  itemId: `item-${n}`,
  assetSha256: null,
  zone: 'main',
  startedAt: new Date(Date.UTC(2026, 10, 25, 2, 0, n)).toISOString(),
  durationMs: 8_000,
});
const storedPlays = () => [...endpoint.stored.values()].flatMap((batch) => batch.plays.map((p) => p.itemId));

beforeEach(async () => {
  temp = makeTempDir('linli-playlog-');
  db = open();
  endpoint = await startEndpoint();
  clock = new ManualClock();
});
afterEach(async () => {
  await endpoint.close();
  db.close();
  temp.remove();
});

describe('the proof-of-play outbox', () => {
  it('sends plays and touches in batches of the configured size, then forgets them', async () => {
    const outbox = outboxOn(db);
    for (let n = 0; n < 7; n += 1) expect(outbox.recordPlay(play(n)).ok).toBe(true);
    expect(
      outbox.recordTouch({ itemId: 'item-1', openedAt: '2026-11-25T02:01:00.000Z', dwellMs: 12_000 }).ok,
    ).toBe(true);
    await outbox.flush();
    expect(endpoint.stored.size).toBe(3);
    expect([...endpoint.stored.values()].map((b) => b.plays.length + b.touches.length)).toEqual([3, 3, 2]);
    expect(storedPlays()).toEqual(Array.from({ length: 7 }, (_, n) => `item-${n}`));
    expect(outbox.pendingCount()).toBe(0);
  });

  it('refuses a malformed record without storing it', () => {
    const outbox = outboxOn(db);
    expect(outbox.recordPlay({ ...play(1), zone: 'sidebar' })).toMatchObject({ ok: false });
    expect(outbox.recordPlay({ ...play(1), assetSha256: 'a'.repeat(64) })).toMatchObject({ ok: false });
    expect(outbox.recordTouch({ itemId: '', openedAt: 'x', dwellMs: -1 })).toMatchObject({ ok: false });
    expect(outbox.pendingCount()).toBe(0);
  });

  it('sends the same batch id again after a lost answer, so the server counts it once', async () => {
    const outbox = outboxOn(db);
    outbox.recordPlay(play(1));
    outbox.recordPlay(play(2));
    endpoint.mode = 'lose-answer';
    await outbox.flush();
    expect(endpoint.stored.size).toBe(1);
    expect(outbox.pendingCount()).toBe(2);
    // more plays arrive meanwhile: they wait for a later batch, the sealed one is sent unchanged
    outbox.recordPlay(play(3));
    endpoint.mode = 'up';
    clock.advance(10_000);
    await outbox.flush();
    expect(endpoint.requests[0]).toBe(endpoint.requests[1]);
    expect(endpoint.stored.size).toBe(2);
    expect(storedPlays()).toEqual(['item-1', 'item-2', 'item-3']);
    expect(outbox.pendingCount()).toBe(0);
  });

  it('keeps everything through an outage and a restart, retrying with backoff', async () => {
    const outbox = outboxOn(db);
    for (let n = 0; n < 4; n += 1) outbox.recordPlay(play(n));
    endpoint.mode = 'down';
    await outbox.flush();
    expect(endpoint.requests).toHaveLength(1);
    // not due yet: backoff
    await outbox.flush();
    expect(endpoint.requests).toHaveLength(1);
    clock.advance(1_000);
    await outbox.flush();
    expect(endpoint.requests).toHaveLength(2);
    const sealedId = endpoint.requests[0];
    expect(endpoint.requests[1]).toBe(sealedId);

    // the kiosk restarts: a new process opens the same cache.db
    await outbox.stop();
    db.close();
    db = open();
    const restarted = outboxOn(db);
    expect(restarted.pendingCount()).toBe(4);
    endpoint.mode = 'up';
    clock.advance(60_000);
    await restarted.flush();
    expect(endpoint.requests[2]).toBe(sealedId);
    expect(storedPlays()).toEqual(['item-0', 'item-1', 'item-2', 'item-3']);
    expect(restarted.pendingCount()).toBe(0);
  });

  it('drops a batch the server refuses as malformed instead of retrying it forever', async () => {
    const outbox = outboxOn(db);
    outbox.recordPlay(play(1));
    endpoint.mode = 'refuse';
    await outbox.flush();
    expect(outbox.pendingCount()).toBe(0);
  });

  it('sends by itself once started, after the flush interval', async () => {
    const outbox = outboxOn(db);
    outbox.start();
    outbox.recordPlay(play(1));
    clock.advance(60_000);
    await expect.poll(() => endpoint.stored.size).toBe(1);
    await outbox.stop();
  });
});
