import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0003-ledger', () => {
  it('keeps registry data and adds the ledger, cards and bills with their guards', () => {
    test.migrateTo(2);
    test.db.exec(`
      INSERT INTO communities (id, name, created_at) VALUES ('c', 'C', '2026-01-01T00:00:00Z');
      INSERT INTO buildings (id, community_id, code, name, floors) VALUES ('b', 'c', '1', 'B1', 6);
      INSERT INTO units (id, building_id, number, floor, area_m2, type) VALUES ('u', 'b', '101', 1, 80, 'residential');
      INSERT INTO residents (id, unit_id, name, role, created_at, updated_at) VALUES ('r', 'u', '张三', 'owner', 'x', 'x');
    `);
    expect(test.migrateTo(3)).toBe(3);
    expect(test.db.prepare('SELECT count(*) FROM residents').pluck().get()).toBe(1);
    expect(test.tables()).toEqual(
      expect.arrayContaining([
        'ledger_accounts',
        'ledger_transactions',
        'ledger_entries',
        'cards',
        'bills',
        'idempotency_keys',
        'topup_orders',
        'refund_requests',
        'daily_closes',
      ]),
    );
    test.db.exec(`
      INSERT INTO ledger_accounts (id, kind, name, created_at) VALUES ('wallet:1', 'wallet', 'w', 'x'), ('cash-drawer:c', 'cash-drawer', 'd', 'x');
      INSERT INTO cards (id, uid, resident_id, unit_id, wallet_account_id, status, pin_hash, daily_limit, issued_at, updated_at)
        VALUES ('1', '04A1B2C3', 'r', 'u', 'wallet:1', 'active', 'h', 1000, 'x', 'x');
      INSERT INTO ledger_transactions (kind, at, actor) VALUES ('topup-cash', 'x', 't');
      INSERT INTO ledger_entries (transaction_id, account_id, amount) VALUES (1, 'wallet:1', 100), (1, 'cash-drawer:c', -100);
    `);
    expect(() => test.db.prepare('UPDATE ledger_entries SET amount = 5').run()).toThrow(/immutable/);
    expect(() => test.db.prepare('DELETE FROM ledger_entries').run()).toThrow(/immutable/);
    expect(() =>
      test.db.prepare("UPDATE ledger_accounts SET balance = -1 WHERE id = 'wallet:1'").run(),
    ).toThrow(/CHECK/);
    expect(() =>
      test.db
        .prepare(
          "INSERT INTO bills (id, unit_id, category, period, amount, status, source, created_at) VALUES ('b', 'u', 'water', 'p', -1, 'unpaid', 's', 'x')",
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() =>
      test.db
        .prepare(
          "INSERT INTO cards (id, uid, resident_id, unit_id, wallet_account_id, status, pin_hash, daily_limit, issued_at, updated_at) VALUES ('2', '04A1B2C3', 'r', 'u', 'wallet:1', 'active', 'h', 1, 'x', 'x')",
        )
        .run(),
    ).toThrow(/UNIQUE/);
  });
});
