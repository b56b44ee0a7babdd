import type { Migration } from './index';

/**
 * Login hardening: one throttle table for failed logins, keyed by username (known or not, so an attacker cannot
 * tell them apart by the lockout behaviour) and by client address; the per-user counters of 0001 move there so
 * there is a single source of truth for "is this name locked". Adds the must-change-password flag for one-time
 * passwords (first-start admin, admin resets).
 */
export const m0002: Migration = {
  version: 2,
  name: '0002-auth-throttle',
  up: /* sql */ `
    ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE users ADD COLUMN password_changed_at TEXT;
    ALTER TABLE users DROP COLUMN failed_logins;
    ALTER TABLE users DROP COLUMN locked_until;

    -- key: 'user:<lower-case username>' or 'ip:<client address>'. A row exists only while failures count.
    CREATE TABLE login_throttle (
      key TEXT PRIMARY KEY,
      failures INTEGER NOT NULL CHECK (failures >= 0),
      first_failure_at TEXT NOT NULL,
      last_failure_at TEXT NOT NULL,
      locked_until TEXT
    );

    -- find a resident by keyed phone hash (visitor confirmation, CSV duplicates) without decrypting
    CREATE INDEX residents_phone_hash ON residents(phone_hash);
    CREATE INDEX audit_log_actor ON audit_log(actor, at);
    CREATE INDEX audit_log_action ON audit_log(action, at);
  `,
};
