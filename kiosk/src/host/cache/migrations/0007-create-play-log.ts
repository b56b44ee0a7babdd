import type { Migration } from './migration';

/**
 * Proof-of-play outbox (issue 4): every play and touch is written here as it ends. The sender seals up to a
 * batch of unsealed rows under a fresh batch id in one transaction, and sends that same id until the server has
 * it, so a crash, an outage or a lost answer never counts a play twice nor loses one. Sent batches are deleted.
 */
export const migration0007: Migration = {
  version: 7,
  name: 'create-play-log',
  up: `
    CREATE TABLE play_log_batches (
      batch_id TEXT PRIMARY KEY,
      sealed_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT NOT NULL,
      last_error TEXT
    ) STRICT;
    CREATE TABLE play_log (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('play', 'touch')),
      payload TEXT NOT NULL,
      batch_id TEXT REFERENCES play_log_batches(batch_id) ON DELETE CASCADE,
      created_at TEXT NOT NULL
    ) STRICT;
    CREATE INDEX play_log_batch ON play_log (batch_id, id);
  `,
};
