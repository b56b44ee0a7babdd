import type { Migration } from './index';

/**
 * Fewer pages per payment (docs/ledger.md, Round 9). A COMMIT costs about what it writes, and most of a payment's
 * pages are index leaves no other payment of its batch shares.
 *
 * - `bills_unit` drops `status`: marking a bill paid moved its entry from the unit's unpaid run of the index to the
 *   paid one, one more random leaf per payment. Ordered by period instead, the index serves both of the unit's
 *   queries (its unpaid bills, its latest bills) and is untouched when a bill is paid; a unit has at most a few
 *   hundred bills, which the unpaid query now filters by reading them.
 * - Idempotency keys are found by `(key, scope)` instead of `(scope, key)`: kiosks send time-ordered keys (UUIDv7),
 *   so the keys of one batch, from any kiosk, land on the index's last leaf instead of one random leaf each. Keys
 *   that are not time-ordered (older kiosks, the station's forms) work as before. SQLite cannot change a primary
 *   key in place, so the table is copied.
 */
export const m0017: Migration = {
  version: 17,
  name: '0017-payment-pages',
  up: /* sql */ `
    DROP INDEX bills_unit;
    CREATE INDEX bills_unit ON bills(unit_id, period);

    CREATE TABLE idempotency_keys_by_key (
      scope TEXT NOT NULL,
      key TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      status INTEGER NOT NULL,
      response TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (key, scope)
    );
    INSERT INTO idempotency_keys_by_key (scope, key, request_hash, status, response, created_at)
      SELECT scope, key, request_hash, status, response, created_at FROM idempotency_keys ORDER BY key, scope;
    DROP TABLE idempotency_keys;
    ALTER TABLE idempotency_keys_by_key RENAME TO idempotency_keys;
  `,
};
