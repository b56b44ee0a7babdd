import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { statSync } from 'node:fs';
import { makeTempDir } from '../testing/temp-dir';
import { migrate, openCacheDatabase, schemaVersion, type CacheDatabase } from './cache-database';
import { CacheRepository } from './cache.repository';
import { migrations } from './migrations/index';
import { VisitorOutboxRepository } from '../visitor-outbox.repository';
import { AlertRepository } from '../alert.repository';
import { RatingOutboxRepository } from '../rating-outbox.repository';
import { PlayLogRepository } from '../play-log.repository';

const device = {
  deviceId: 'dev-1',
  credential: 'c'.repeat(43),
  serverUrl: 'http://server',
  serverPublicKey: 'MCowBQYDK2VwAyEA',
  communityId: null,
  enrolledAt: '2026-11-20T00:00:00.000Z',
};
const manifest = {
  version: 'v1',
  etag: '"v1"',
  body: Buffer.from('{"schema":"linli.manifest.v1"}'),
  signature: 'sig',
  generatedAt: '2026-11-20T00:00:00.000Z',
  appliedAt: '2026-11-20T00:00:01.000Z',
};
const sha = 'a'.repeat(64);

let temp: ReturnType<typeof makeTempDir>;
let db: CacheDatabase;
afterEach(() => {
  db?.close();
  temp?.remove();
});
// Earlier versions are written with raw SQL: the repository speaks only the latest schema.
const insertDevice = (db: CacheDatabase) =>
  db
    .prepare(
      `INSERT INTO device VALUES (1, @deviceId, @credential, @serverUrl, @serverPublicKey, @communityId, @enrolledAt)`,
    )
    .run(device);
const selectDevice = (db: CacheDatabase) =>
  db
    .prepare(
      `SELECT device_id AS deviceId, credential, server_url AS serverUrl, server_public_key AS serverPublicKey,
              community_id AS communityId, enrolled_at AS enrolledAt FROM device`,
    )
    .all();
const insertManifest = (db: CacheDatabase) =>
  db
    .prepare(`INSERT INTO manifest VALUES (1, @version, @etag, @body, @signature, @generatedAt, @appliedAt)`)
    .run(manifest);

const open = () => {
  temp = makeTempDir();
  db = openCacheDatabase(join(temp.dir, 'cache.db'));
  return db;
};

// Each migration: migrate to N-1, insert what N-1 holds, migrate to N, assert the old data survived and the new
// schema does what it is for (Signal's migration test pattern, STYLE.md §Tests).
const cases: { version: number; before: (db: CacheDatabase) => void; after: (db: CacheDatabase) => void }[] =
  [
    {
      version: 1,
      before: () => {},
      after: (db) => {
        insertDevice(db);
        expect(selectDevice(db)).toEqual([device]);
        // One enrolment per cache: a second row is refused by the schema itself.
        expect(() =>
          db.prepare("INSERT INTO device VALUES (2, 'x', 'y', 'z', 'k', NULL, 't')").run(),
        ).toThrow(/CHECK constraint/);
      },
    },
    {
      version: 2,
      before: insertDevice,
      after: (db) => {
        expect(selectDevice(db)).toEqual([device]);
        insertManifest(db);
        expect(db.prepare('SELECT version, body FROM manifest').all()).toEqual([
          { version: manifest.version, body: manifest.body },
        ]);
      },
    },
    {
      version: 3,
      before: (db) => {
        insertDevice(db);
        insertManifest(db);
      },
      after: (db) => {
        const repository = new CacheRepository(db);
        expect(repository.getDevice()).toEqual(device);
        expect(repository.getManifest()).toEqual(manifest);
        repository.addAsset({ sha256: sha, size: 10, mime: 'image/png', storedAt: 't' });
        expect(repository.listAssets()).toEqual([
          { sha256: sha, size: 10, mime: 'image/png', storedAt: 't' },
        ]);
        expect(() =>
          repository.addAsset({ sha256: 'short', size: 1, mime: 'image/png', storedAt: 't' }),
        ).toThrow(/CHECK constraint/);
      },
    },
    {
      version: 4,
      before: (db) => {
        insertDevice(db);
        insertManifest(db);
        db.prepare("INSERT INTO assets VALUES (?, 10, 'image/png', 't')").run(sha);
      },
      after: (db) => {
        const repository = new CacheRepository(db);
        // Version 3 data is intact; the new index starts empty and says it was never built.
        expect(repository.getManifest()).toEqual(manifest);
        expect(repository.listAssets().map((a) => a.sha256)).toEqual([sha]);
        expect(repository.searchIndexVersion()).toBeNull();
        // Switching a manifest fills the index in the same transaction; a refused switch leaves it alone.
        const entry = { itemId: 'water', locale: 'zh-CN', category: 'services', body: '' };
        expect(
          repository.switchManifest(manifest, ['f'.repeat(64)], [{ ...entry, title: '停水', summary: '' }]),
        ).toMatchObject({ ok: false });
        expect(repository.searchIndexVersion()).toBeNull();
        repository.switchManifest(
          manifest,
          [sha],
          [{ ...entry, title: '明日停水通知', summary: 'Water cut' }],
        );
        expect(repository.searchIndexVersion()).toBe('v1');
        expect(repository.searchItems(['停水通知'], 10)).toMatchObject({
          method: 'fts',
          rows: [{ itemId: 'water' }],
        });
        expect(repository.searchItems(['停水'], 10)).toMatchObject({
          method: 'like',
          rows: [{ itemId: 'water' }],
        });
        expect(repository.searchItems(['WATER'], 10).rows).toHaveLength(1);
      },
    },
    {
      version: 5,
      before: (db) => {
        insertDevice(db);
        insertManifest(db);
      },
      after: (db) => {
        expect(new CacheRepository(db).getDevice()).toEqual(device);
        const outbox = new VisitorOutboxRepository(db);
        outbox.add({ clientRef: 'ref-1', payload: '{"x":1}', createdAt: '2026-11-20T00:00:00.000Z' });
        expect(outbox.due('2026-11-20T00:00:00.000Z', 10)).toEqual(['ref-1']);
        outbox.delivered('ref-1', 'visit-1', '2026-11-20T00:00:01.000Z');
        expect(outbox.get('ref-1')).toEqual({
          state: 'delivered',
          visitId: 'visit-1',
          deliveredAt: '2026-11-20T00:00:01.000Z',
        });
        // A pending entry without its payload, or a delivered one still holding it, is refused by the schema.
        expect(() =>
          db
            .prepare(
              "INSERT INTO visitor_outbox (client_ref, payload, state, created_at, next_attempt_at) VALUES ('r2', NULL, 'pending', 't', 't')",
            )
            .run(),
        ).toThrow(/CHECK constraint/);
        expect(() =>
          db.prepare("UPDATE visitor_outbox SET payload = 'x' WHERE client_ref = 'ref-1'").run(),
        ).toThrow(/CHECK constraint/);
      },
    },
    {
      version: 6,
      before: (db) => {
        insertDevice(db);
        insertManifest(db);
      },
      after: (db) => {
        expect(new CacheRepository(db).getManifest()).toEqual(manifest);
        const alerts = new AlertRepository(db);
        expect(alerts.list()).toEqual([]);
        const alert = {
          id: 'a1',
          kind: 'fire' as const,
          severity: 'critical' as const,
          title: { 'zh-CN': '火警', en: 'Fire alarm' },
          body: { 'zh-CN': '撤离', en: 'Leave' },
          raisedAt: '2026-11-20T00:00:00.000Z',
          expiresAt: '2026-11-20T02:00:00.000Z',
        };
        alerts.replaceAll([alert], '2026-11-20T00:00:01.000Z');
        expect(alerts.list()).toEqual([alert]);
        alerts.replaceAll([], '2026-11-20T00:00:02.000Z');
        expect(alerts.list()).toEqual([]);
        expect(() => db.prepare("INSERT INTO alerts VALUES ('a2', 'not json', 't', 't')").run()).toThrow(
          /CHECK constraint/,
        );
      },
    },
    {
      version: 7,
      before: (db) => {
        insertDevice(db);
        insertManifest(db);
      },
      after: (db) => {
        expect(new CacheRepository(db).getManifest()).toEqual(manifest);
        // the proof-of-play outbox: rows sealed into a batch go with it; only plays and touches
        const log = new PlayLogRepository(db);
        log.append('play', { itemId: 'n1' }, '2026-11-20T00:00:00.000Z');
        log.append('touch', { itemId: 'n1' }, '2026-11-20T00:00:01.000Z');
        const batch = log.nextBatch('2026-11-20T00:00:02.000Z', 10);
        expect(batch).toMatchObject({ plays: [{ itemId: 'n1' }], touches: [{ itemId: 'n1' }], attempts: 0 });
        expect(log.nextBatch('2026-11-20T00:00:02.000Z', 10)?.batchId).toBe(batch?.batchId);
        log.delivered(batch!.batchId);
        expect(log.pendingCount()).toBe(0);
        expect(() =>
          db.prepare("INSERT INTO play_log (kind, payload, created_at) VALUES ('view', '{}', 't')").run(),
        ).toThrow(/CHECK constraint/);
        db.prepare("INSERT INTO play_log (kind, payload, created_at) VALUES ('play', '{}', 't')").run();
        expect(() => db.prepare("UPDATE play_log SET batch_id = 'nope'").run()).toThrow(/FOREIGN KEY/);
      },
    },
    {
      version: 8,
      before: (db) => {
        insertDevice(db);
        insertManifest(db);
        new PlayLogRepository(db).append('play', { itemId: 'n1' }, '2026-11-20T00:00:00.000Z');
      },
      after: (db) => {
        expect(new CacheRepository(db).getManifest()).toEqual(manifest);
        expect(new PlayLogRepository(db).pendingCount()).toBe(1);
        // the ratings outbox: one row per rating until the server has it, scores 1-5 only
        const outbox = new RatingOutboxRepository(db);
        outbox.add({ clientRef: 'r1', itemId: 'cleaning', score: 4 }, '2026-11-20T00:00:00.000Z');
        expect(outbox.due('2026-11-20T00:00:00.000Z', 10)).toEqual([
          { clientRef: 'r1', itemId: 'cleaning', score: 4, attempts: 0 },
        ]);
        outbox.attemptFailed('r1', '2026-11-20T00:01:00.000Z', 'offline');
        expect(outbox.due('2026-11-20T00:00:30.000Z', 10)).toEqual([]);
        expect(outbox.nextDue()).toBe('2026-11-20T00:01:00.000Z');
        outbox.remove('r1');
        expect(outbox.pendingCount()).toBe(0);
        expect(() => outbox.add({ clientRef: 'r2', itemId: 'x', score: 6 }, 't')).toThrow(/CHECK constraint/);
      },
    },
  ];

describe('cache migrations', () => {
  it('has a test case for every migration, numbered without gaps', () => {
    expect(migrations.map((m) => m.version)).toEqual(cases.map((c) => c.version));
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });

  it.each(cases)(
    'migration $version keeps the data of the version before and works',
    ({ version, before, after }) => {
      const db = open();
      expect(migrate(db, version - 1)).toBe(version - 1);
      before(db);
      expect(migrate(db, version)).toBe(version);
      after(db);
    },
  );

  it('opens in WAL mode with synchronous=FULL and a private file', () => {
    const db = open();
    migrate(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(statSync(join(temp.dir, 'cache.db')).mode & 0o777).toBe(0o600);
  });

  it('refuses a cache written by a newer kiosk instead of damaging it', () => {
    const db = open();
    migrate(db);
    db.pragma(`user_version = ${migrations.length + 1}`);
    expect(() => migrate(db)).toThrow(/newer than this kiosk/);
    expect(schemaVersion(db)).toBe(migrations.length + 1);
  });
});

describe('CacheRepository.switchManifest', () => {
  it('switches only when every asset is recorded, in one transaction', () => {
    const db = open();
    migrate(db);
    const repository = new CacheRepository(db);
    repository.saveDevice(device);
    const refused = repository.switchManifest(manifest, [sha]);
    expect(refused).toEqual({ ok: false, missing: [sha] });
    expect(repository.getManifest()).toBeNull();
    repository.addAsset({ sha256: sha, size: 10, mime: 'image/png', storedAt: 't' });
    expect(repository.switchManifest(manifest, [sha])).toEqual({ ok: true });
    expect(repository.getManifest()?.version).toBe('v1');
  });
});
