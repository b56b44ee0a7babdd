import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from '../db/database';
import { migrations } from '../db/migrations/index';
import { loadKeys } from '../keys';
import { collectMetrics, metricsAuthorised, RequestCounter } from './metrics';
import { checkReadiness } from './readiness';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});
function dataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-observability-'));
  dirs.push(dir);
  return dir;
}

describe('metrics', () => {
  it('reports devices online, content and requests in Prometheus text', () => {
    const db = openDatabase(path.join(dataDir(), 'linli.db'));
    migrate(db);
    const now = new Date('2026-11-25T02:00:00.000Z');
    const insert = db.prepare(
      `INSERT INTO devices (id, name, credential_hash, created_at, last_seen_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)`,
    );
    insert.run('a', 'lobby', 'h1', now.toISOString(), '2026-11-25T01:59:00.000Z', null);
    insert.run('b', 'gate', 'h2', now.toISOString(), '2026-11-25T01:00:00.000Z', null);
    insert.run('c', 'old', 'h3', now.toISOString(), '2026-11-25T01:59:30.000Z', '2026-11-25T01:59:40.000Z');
    const counter = new RequestCounter();
    counter.record('get', 200);
    counter.record('GET', 204);
    counter.record('POST', 403);
    const text = collectMetrics(db, now, counter);
    db.close();
    expect(text).toContain('linli_devices_enrolled 2\n');
    expect(text).toContain('linli_devices_online 1\n');
    expect(text).toContain('linli_device_sync_lag_seconds 3600\n');
    expect(text).toContain('linli_http_requests_total{method="GET",status="2xx"} 2\n');
    expect(text).toContain('linli_http_requests_total{method="POST",status="4xx"} 1\n');
    expect(text).toContain(`linli_schema_version ${migrations.length}\n`);
    expect(text).toMatch(/^# TYPE linli_devices_online gauge$/m);
  });

  it('opens only for the configured bearer token', () => {
    const token = 'a-long-metrics-token';
    expect(metricsAuthorised(token, `Bearer ${token}`)).toBe(true);
    expect(metricsAuthorised(token, 'Bearer wrong')).toBe(false);
    expect(metricsAuthorised(token, null)).toBe(false);
    expect(metricsAuthorised(undefined, 'Bearer anything')).toBe(false);
  });
});

describe('readiness', () => {
  it('is ready with a migrated database and keys, and not ready on an old schema', () => {
    const dir = dataDir();
    const db = openDatabase(path.join(dir, 'linli.db'));
    migrate(db, migrations.length - 1);
    loadKeys(dir);
    expect(checkReadiness(db, dir)).toMatchObject({ ready: false, checks: { schema: { ok: false } } });
    migrate(db);
    expect(checkReadiness(db, dir)).toEqual({
      ready: true,
      checks: { database: { ok: true }, schema: { ok: true }, dataDir: { ok: true }, keys: { ok: true } },
    });
    fs.rmSync(path.join(dir, 'keys', 'data.key'));
    expect(checkReadiness(db, dir).checks.keys).toEqual({ ok: false, detail: 'missing data.key' });
    db.close();
  });
});
