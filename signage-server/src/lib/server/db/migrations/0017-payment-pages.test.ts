import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

const plan = (sql: string, ...params: unknown[]) =>
  (test.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[])
    .map((row) => row.detail)
    .join('\n');

const indexColumns = (name: string) =>
  (
    test.db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno').pluck().all(name) as string[]
  ).join();

describe('migration 0017-payment-pages', () => {
  it('keeps every idempotency key and its answer, now found by (key, scope)', () => {
    test.migrateTo(16);
    const put = test.db.prepare(
      `INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at)
       VALUES (?, ?, 'h', 200, ?, '2026-01-01T00:00:00.000Z')`,
    );
    put.run('device:k1', 'same-key', '{"ok":true,"value":1}');
    put.run('device:k2', 'same-key', '{"ok":true,"value":2}');
    put.run('user:clerk', 'other-key', '{"ok":false}');
    expect(test.migrateTo(17)).toBe(17);

    const autoindex = test.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'idempotency_keys'")
      .pluck()
      .get() as string;
    expect(indexColumns(autoindex)).toBe('key,scope');
    const get = test.db.prepare('SELECT response FROM idempotency_keys WHERE scope = ? AND key = ?').pluck();
    expect(get.get('device:k1', 'same-key')).toBe('{"ok":true,"value":1}');
    expect(get.get('device:k2', 'same-key')).toBe('{"ok":true,"value":2}');
    expect(get.get('user:clerk', 'other-key')).toBe('{"ok":false}');
    // the ledger's lookup (scope = ? AND key = ?) still goes straight to the key
    expect(plan('SELECT response FROM idempotency_keys WHERE scope = ? AND key = ?', 'a', 'b')).toMatch(
      /SEARCH idempotency_keys USING INDEX sqlite_autoindex_idempotency_keys\w* \(key=\? AND scope=\?\)/,
    );
    // a second answer under the same (scope, key) is still refused
    expect(() => put.run('device:k1', 'same-key', '{}')).toThrow(/UNIQUE/);
  });

  it("indexes a unit's bills by period, so paying one leaves the index alone", () => {
    test.migrateTo(17);
    expect(indexColumns('bills_unit')).toBe('unit_id,period');
    // both of the unit's queries (bill.repository.ts) use it
    expect(
      plan("SELECT * FROM bills WHERE unit_id = ? AND status = 'unpaid' ORDER BY period, category, id", 'u'),
    ).toMatch(/SEARCH bills USING INDEX bills_unit \(unit_id=\?\)/);
    expect(
      plan('SELECT * FROM bills WHERE unit_id = ? ORDER BY period DESC, category, id LIMIT 5', 'u'),
    ).toMatch(/SEARCH bills USING INDEX bills_unit \(unit_id=\?\)/);
  });
});
