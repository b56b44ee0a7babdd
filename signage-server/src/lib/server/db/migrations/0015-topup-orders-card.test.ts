import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

// the query behind the station's list of a card's orders (PaymentRepository.ordersOfCard)
const CARD_ORDERS = 'SELECT id FROM topup_orders WHERE card_id = ? ORDER BY created_at DESC LIMIT 20';
const plan = () =>
  (test.db.prepare(`EXPLAIN QUERY PLAN ${CARD_ORDERS}`).all('card') as { detail: string }[])
    .map((row) => row.detail)
    .join('; ');

describe('migration 0015-topup-orders-card', () => {
  it("reads one card's orders through an index, already in order", () => {
    test.migrateTo(14);
    expect(plan()).toMatch(/SCAN topup_orders/);
    expect(test.migrateTo(15)).toBe(15);
    expect(plan()).toMatch(/SEARCH topup_orders USING INDEX topup_orders_card \(card_id=\?\)/);
    expect(plan()).not.toMatch(/TEMP B-TREE/);

    test.db.pragma('foreign_keys = OFF');
    const insert = test.db.prepare(
      `INSERT INTO topup_orders (id, provider, card_id, amount, status, created_at, updated_at)
       VALUES (?, 'sim', ?, 100, 'pending', ?, ?)`,
    );
    insert.run('o1', 'card', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    insert.run('o2', 'other', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
    insert.run('o3', 'card', '2026-01-03T00:00:00.000Z', '2026-01-03T00:00:00.000Z');
    expect(test.db.prepare(CARD_ORDERS).pluck().all('card')).toEqual(['o3', 'o1']);
  });
});
