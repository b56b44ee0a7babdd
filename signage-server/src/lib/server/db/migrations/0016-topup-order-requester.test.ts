import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0016-topup-order-requester', () => {
  it('adds who asked for an order; orders from before keep none', () => {
    test.migrateTo(15);
    test.db.pragma('foreign_keys = OFF');
    test.db
      .prepare(
        `INSERT INTO topup_orders (id, provider, card_id, amount, status, created_at, updated_at)
         VALUES ('old', 'sim', 'card', 100, 'pending', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      )
      .run();
    expect(test.migrateTo(16)).toBe(16);
    expect(
      test.db.prepare("SELECT requested_by FROM topup_orders WHERE id = 'old'").pluck().get(),
    ).toBeNull();
    test.db
      .prepare(
        `INSERT INTO topup_orders (id, provider, card_id, amount, status, created_at, updated_at, requested_by)
         VALUES ('new', 'sim', 'card', 100, 'pending', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z',
                 'device:k1')`,
      )
      .run();
    expect(test.db.prepare("SELECT requested_by FROM topup_orders WHERE id = 'new'").pluck().get()).toBe(
      'device:k1',
    );
  });
});
