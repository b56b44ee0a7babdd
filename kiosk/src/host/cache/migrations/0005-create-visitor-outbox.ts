import type { Migration } from './migration';

/**
 * The visitor outbox (issue 6): a registration is written here, in one transaction, before the kiosk sends it, so a
 * crash or an outage between "submit" and the server's answer loses nothing, and every retry carries the same
 * `client_ref` (the server creates one visit per client_ref). `payload` is the registration with the visitor's ID
 * and phone number: it is set to NULL the moment the server has the visit, and delivered rows are deleted after a
 * day — the outbox is a queue, not a store of visitors.
 */
export const migration0005: Migration = {
  version: 5,
  name: 'create-visitor-outbox',
  up: `
    CREATE TABLE visitor_outbox (
      client_ref TEXT PRIMARY KEY,
      payload TEXT,
      state TEXT NOT NULL CHECK (state IN ('pending', 'delivered')),
      deferred INTEGER NOT NULL DEFAULT 0 CHECK (deferred IN (0, 1)),
      attempts INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      next_attempt_at TEXT NOT NULL,
      delivered_at TEXT,
      visit_id TEXT,
      last_error TEXT,
      CHECK ((state = 'pending') = (payload IS NOT NULL))
    ) STRICT;
    CREATE INDEX visitor_outbox_due ON visitor_outbox (state, next_attempt_at);
  `,
};
