import type { Migration } from './migration';

/**
 * Ratings outbox (issue 4, §6.2.1-6): a resident's rating of a service provider is written here before it is
 * sent, under a client reference that is its Idempotency-Key on every attempt, so a network cut or a server
 * outage delays it and never loses or doubles it. A row is deleted once the server has the rating (or refused it
 * for good).
 */
export const migration0008: Migration = {
  version: 8,
  name: 'create-rating-outbox',
  up: `
    CREATE TABLE rating_outbox (
      client_ref TEXT PRIMARY KEY,
      item_id TEXT NOT NULL,
      score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
      created_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_at TEXT NOT NULL,
      last_error TEXT
    ) STRICT;
    CREATE INDEX rating_outbox_due ON rating_outbox (next_attempt_at);
  `,
};
