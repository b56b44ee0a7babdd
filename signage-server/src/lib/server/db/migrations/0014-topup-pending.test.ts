import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

// the query `/metrics` runs for the top-up outbox (observability/metrics.ts)
const OUTBOX_QUERY =
  "SELECT COUNT(*) AS count, MIN(created_at) AS oldest FROM topup_orders WHERE status = 'pending'";
const plan = () =>
  (test.db.prepare(`EXPLAIN QUERY PLAN ${OUTBOX_QUERY}`).all() as { detail: string }[])
    .map((row) => row.detail)
    .join('; ');

describe('migration 0014-topup-pending', () => {
  it('lets the outbox query read only the open orders, and still counts them right', () => {
    test.migrateTo(13);
    expect(plan()).toMatch(/SCAN topup_orders/);
    expect(test.migrateTo(14)).toBe(14);
    expect(plan()).toMatch(/USING (COVERING )?INDEX topup_orders_pending/);

    expect(test.db.prepare(OUTBOX_QUERY).get()).toEqual({ count: 0, oldest: null });
    // orders in every state (the card they belong to does not matter to this query, so no registry is built)
    test.db.pragma('foreign_keys = OFF');
    const insert = test.db.prepare(
      `INSERT INTO topup_orders (id, provider, card_id, amount, status, created_at, updated_at)
       VALUES (?, 'sim', 'card', 100, ?, ?, ?)`,
    );
    insert.run('o1', 'paid', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z');
    insert.run('o2', 'pending', '2026-01-03T00:00:00.000Z', '2026-01-03T00:00:00.000Z');
    insert.run('o3', 'failed', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z');
    insert.run('o4', 'pending', '2026-01-02T12:00:00.000Z', '2026-01-02T12:00:00.000Z');
    expect(test.db.prepare(OUTBOX_QUERY).get()).toEqual({ count: 2, oldest: '2026-01-02T12:00:00.000Z' });
    // an order leaves the index once the provider answered
    test.db.prepare("UPDATE topup_orders SET status = 'paid' WHERE id = 'o4'").run();
    expect(test.db.prepare(OUTBOX_QUERY).get()).toEqual({ count: 1, oldest: '2026-01-03T00:00:00.000Z' });
  });
});
