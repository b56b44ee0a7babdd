import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0006-alerts', () => {
  it('keeps the visitors and adds alerts and webhook sources with their guards', () => {
    test.migrateTo(5);
    test.db.exec(`
      INSERT INTO communities (id, name, created_at) VALUES ('c', '幸福里', 'x');
      INSERT INTO visitor_watchlist (id, community_id, document_number_hash, document_number_masked, reason,
        created_by, created_at) VALUES ('w', 'c', 'h', '110105********002X', 'r', 'admin', 'x');
    `);
    expect(test.migrateTo(6)).toBe(6);
    expect(test.db.prepare('SELECT reason FROM visitor_watchlist').pluck().get()).toBe('r');
    expect(test.tables()).toEqual(expect.arrayContaining(['alerts', 'alert_sources']));

    test.db.exec(`INSERT INTO alert_sources (id, name, community_id, token_hash, created_by, created_at)
      VALUES ('s', '消防主机', 'c', 'hash-1', 'admin', 'x')`);
    expect(() =>
      test.db.exec(`INSERT INTO alert_sources (id, name, community_id, token_hash, created_by, created_at)
        VALUES ('s2', 'other', 'c', 'hash-1', 'admin', 'x')`),
    ).toThrow(/UNIQUE/);
    const insert = (id: string, fields: Partial<Record<string, string | null>> = {}) => {
      const row = {
        id,
        community: 'c',
        kind: 'fire',
        severity: 'critical',
        source: 's',
        external: null,
        raised: '2026-11-25T02:00:00.000Z',
        expires: '2026-11-25T04:00:00.000Z',
        cleared: null,
        clearedBy: null,
        ...fields,
      };
      test.db
        .prepare(
          `INSERT INTO alerts (id, community_id, kind, severity, title_zh, title_en, body_zh, body_en, raised_at,
             raised_by, source_id, external_id, expires_at, cleared_at, cleared_by)
           VALUES (@id, @community, @kind, @severity, '火警', 'Fire', '撤离', 'Leave', @raised, 'admin', @source,
             @external, @expires, @cleared, @clearedBy)`,
        )
        .run(row);
    };
    insert('a1', { external: 'gw-1' });
    expect(() => insert('a2', { external: 'gw-1' })).toThrow(/UNIQUE/);
    insert('a3', { external: null, source: null });
    expect(() => insert('a4', { kind: 'earthquake' })).toThrow(/CHECK/);
    expect(() => insert('a5', { severity: 'panic' })).toThrow(/CHECK/);
    expect(() => insert('a6', { external: 'gw-2', source: null })).toThrow(/CHECK/);
    expect(() => insert('a7', { cleared: '2026-11-25T03:00:00.000Z' })).toThrow(/CHECK/);
    expect(() => insert('a8', { expires: '2026-11-25T01:00:00.000Z' })).toThrow(/CHECK/);
    expect(() => insert('a9', { community: 'nope' })).toThrow(/FOREIGN/);
    expect(test.indexes('alerts')).toEqual(
      expect.arrayContaining(['alerts_external', 'alerts_open', 'alerts_raised']),
    );
  });
});
