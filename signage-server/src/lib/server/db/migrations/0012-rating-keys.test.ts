import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0012-rating-keys', () => {
  it('keeps earlier ratings and stores a key once per device', () => {
    test.migrateTo(11);
    test.db.exec(
      `INSERT INTO provider_ratings (item_id, device_id, score, created_at) VALUES ('card', 'd1', 4, 'x')`,
    );
    expect(test.migrateTo(12)).toBe(12);
    expect(test.db.prepare('SELECT score, idempotency_key AS k FROM provider_ratings').get()).toEqual({
      score: 4,
      k: null,
    });
    const insert = test.db.prepare(
      `INSERT INTO provider_ratings (item_id, device_id, score, created_at, idempotency_key) VALUES ('card', ?, 5, 'x', ?)`,
    );
    insert.run('d1', null);
    insert.run('d1', 'key-1');
    insert.run('d2', 'key-1');
    expect(() => insert.run('d1', 'key-1')).toThrow(/UNIQUE/);
    expect(test.db.prepare('SELECT count(*) FROM provider_ratings').pluck().get()).toBe(4);
  });
});
