import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0013-ledger-hot-path', () => {
  it('drops the unread card index and creates every biller payable once, keeping an existing one', () => {
    test.migrateTo(12);
    test.db.exec(
      `INSERT INTO ledger_accounts (id, kind, name, balance, created_at)
       VALUES ('payable:water', 'biller-payable', 'payable water', 0, '2026-01-01T00:00:00.000Z')`,
    );
    expect(test.migrateTo(13)).toBe(13);
    const indexes = test.db
      .prepare(`SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'ledger_transactions'`)
      .pluck()
      .all();
    expect(indexes).not.toContain('ledger_transactions_card');
    expect(indexes).toContain('ledger_transactions_at');
    const payables = test.db
      .prepare(
        `SELECT id, created_at AS createdAt FROM ledger_accounts WHERE kind = 'biller-payable' ORDER BY id`,
      )
      .all() as { id: string; createdAt: string }[];
    expect(payables.map((p) => p.id)).toEqual([
      'payable:cable-tv',
      'payable:electricity',
      'payable:gas',
      'payable:heating',
      'payable:parking',
      'payable:property',
      'payable:water',
    ]);
    // the one that existed keeps its row
    expect(payables.find((p) => p.id === 'payable:water')?.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(payables.every((p) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(p.createdAt))).toBe(true);
  });

  it('covers every bill category the bills table accepts', () => {
    expect(test.migrateTo(13)).toBe(13);
    const bills = test.db
      .prepare(`SELECT sql FROM sqlite_schema WHERE name = 'bills'`)
      .pluck()
      .get() as string;
    const categories = /category IN\s*\(([^)]*)\)/
      .exec(bills)![1]!
      .match(/'[^']+'/g)!
      .map((c) => c.slice(1, -1));
    const payables = test.db
      .prepare(`SELECT substr(id, 9) FROM ledger_accounts WHERE kind = 'biller-payable'`)
      .pluck()
      .all();
    expect([...payables].sort()).toEqual([...categories].sort());
  });
});
