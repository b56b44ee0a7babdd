import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { VisitorRegistrationV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate, openCacheDatabase, type CacheDatabase } from './cache/cache-database';
import { systemClock } from './clock';
import { silentLogger } from './logger';
import { FakeSignageServer } from './testing/fake-signage-server';
import { makeTempDir, waitFor } from './testing/temp-dir';
import { VisitorApiClient } from './visitor-api.client';
import { VisitorOutbox } from './visitor-outbox';
import { VisitorOutboxRepository } from './visitor-outbox.repository';

// The visitor outbox against the protocol test double over real HTTP, with a real cache.db: a registration is on
// disk before it is sent, every retry carries the same clientRef, the server ends with exactly one visit per
// registration whatever happens to it, and the personal data leaves the file once the server has the visit.

const ID_NUMBER = '11010519491231002X';
const PHONE = '13812345678';

let temp: ReturnType<typeof makeTempDir>;
let db: CacheDatabase;
let server: FakeSignageServer;
let credential: string;

beforeEach(async () => {
  temp = makeTempDir('linli-outbox-');
  db = openCacheDatabase(join(temp.dir, 'cache.db'));
  migrate(db);
  server = await FakeSignageServer.start();
  const enrolled = await fetch(`${server.url}/api/v1/device/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pairingCode: server.createPairingCode(), name: 'gate-1' }),
  });
  credential = ((await enrolled.json()) as { credential: string }).credential;
});
afterEach(async () => {
  await server.stop();
  db.close();
  temp.remove();
});

function registration(n = 0): VisitorRegistrationV1 {
  return {
    clientRef: randomUUID(),
    consent: { accepted: true, textVersion: 'visitor-consent-2026-11', at: new Date().toISOString() },
    identity: {
      documentKind: 'cn-id',
      documentNumber: ID_NUMBER,
      name: '张三丰',
      nationality: 'CHN',
      source: 'reader',
      confidence: 1,
    },
    visit: { buildingId: 'b2', unitNumber: '1201', reason: 'friend', companions: n % 3, phone: PHONE },
    submittedAt: new Date().toISOString(),
    deferred: false,
  };
}

function outbox(options: { retryInitialMs?: number; retryMaxMs?: number } = {}) {
  return new VisitorOutbox(
    new VisitorOutboxRepository(db),
    new VisitorApiClient(server.url, fetch, 2_000),
    () => credential,
    systemClock,
    silentLogger,
    { retryInitialMs: options.retryInitialMs ?? 10, retryMaxMs: options.retryMaxMs ?? 80 },
  );
}

/** cache.db and its WAL, as bytes: what a thief of the kiosk's disk would read. */
function fileBytes(): string {
  return ['cache.db', 'cache.db-wal']
    .map((name) => join(temp.dir, name))
    .filter((file) => existsSync(file))
    .map((file) => readFileSync(file).toString('latin1'))
    .join('');
}

/** Restarts the fake on the same port with the same state, as a server process restart would. */
async function restartServer(downWhile?: () => Promise<void>) {
  const port = Number(new URL(server.url).port);
  const state = server.state();
  await server.stop();
  await downWhile?.();
  server = await FakeSignageServer.start(port, state);
}

describe('VisitorOutbox', () => {
  it('delivers at once when the server answers, and keeps no personal data afterwards', async () => {
    const box = outbox();
    const sent = registration();
    const outcome = await box.submit(sent);
    expect(outcome).toMatchObject({
      kind: 'delivered',
      status: { clientRef: sent.clientRef, status: 'pending-resident' },
    });
    expect(server.visitors.received).toEqual([{ clientRef: sent.clientRef, deferred: false }]);
    expect(db.prepare('SELECT state, payload FROM visitor_outbox').all()).toEqual([
      { state: 'delivered', payload: null },
    ]);
    const bytes = fileBytes();
    expect(bytes).not.toContain(ID_NUMBER);
    expect(bytes).not.toContain(PHONE);
  });

  it('queues while the server is down, with the data on disk, then delivers each exactly once with deferred', async () => {
    const box = outbox();
    const port = Number(new URL(server.url).port);
    const state = server.state();
    await server.stop();
    const sent = Array.from({ length: 12 }, (_, n) => registration(n));
    for (const one of sent) expect((await box.submit(one)).kind).toBe('queued');
    expect(box.pendingCount()).toBe(12);
    // On disk before the server ever saw it (the test can fail: the bytes are there now).
    expect(fileBytes()).toContain(ID_NUMBER);

    server = await FakeSignageServer.start(port, state);
    box.start();
    await waitFor(() => box.pendingCount() === 0, 'the outbox to drain');
    await box.stop();
    const visits = server.visitors.visits;
    expect(visits.size).toBe(12);
    expect(new Set([...visits.keys()])).toEqual(new Set(sent.map((one) => one.clientRef)));
    expect(server.visitors.received.every((one) => one.deferred)).toBe(true);
    const bytes = fileBytes();
    expect(bytes).not.toContain(ID_NUMBER);
    expect(bytes).not.toContain(PHONE);
  });

  it('retries with the same clientRef when the answer is lost, and the server keeps one visit', async () => {
    const box = outbox();
    server.faults.dropRegistrationAnswers = 2;
    const sent = registration();
    expect((await box.submit(sent)).kind).toBe('queued');
    box.start();
    await waitFor(() => box.pendingCount() === 0, 'delivery after lost answers');
    await box.stop();
    expect(server.visitors.received.map((one) => one.clientRef)).toEqual([
      sent.clientRef,
      sent.clientRef,
      sent.clientRef,
    ]);
    expect(server.visitors.visits.size).toBe(1);
  });

  it('delivers everything exactly once while the server is restarted again and again', async () => {
    const box = outbox({ retryInitialMs: 5, retryMaxMs: 40 });
    box.start();
    const sent = Array.from({ length: 60 }, (_, n) => registration(n));
    const submitting = (async () => {
      for (const one of sent) await box.submit(one);
    })();
    for (let round = 0; round < 6; round++) {
      await restartServer(() => new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 30)));
      // A few answers lost in flight too.
      server.faults.dropRegistrationAnswers = Math.floor(Math.random() * 3);
    }
    await submitting;
    await waitFor(() => box.pendingCount() === 0, 'the outbox to drain', 20_000);
    await box.stop();
    expect(server.visitors.visits.size).toBe(60);
    expect(new Set(server.visitors.visits.keys())).toEqual(new Set(sent.map((one) => one.clientRef)));
    expect(db.prepare(`SELECT COUNT(*) AS n FROM visitor_outbox WHERE payload IS NOT NULL`).get()).toEqual({
      n: 0,
    });
  });

  it('removes a registration the server refuses as malformed instead of retrying it forever', async () => {
    const box = outbox();
    server.faults.refuseRegistrations = true;
    const outcome = await box.submit(registration());
    expect(outcome.kind).toBe('rejected');
    expect(box.pendingCount()).toBe(0);
    expect(db.prepare('SELECT COUNT(*) AS n FROM visitor_outbox').get()).toEqual({ n: 0 });
    expect(fileBytes()).not.toContain(ID_NUMBER);
  });
});
