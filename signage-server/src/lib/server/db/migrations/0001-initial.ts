import type { Migration } from './index';

/**
 * The foundation schema: property registry (seed §6.1.1), users and sessions, content and assets, devices,
 * audit log. Times are ISO-8601 UTC strings; ids are text (UUIDs or readable slugs).
 */
export const m0001: Migration = {
  version: 1,
  name: '0001-initial',
  up: /* sql */ `
    CREATE TABLE communities (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      name_en TEXT NOT NULL DEFAULT '',
      address TEXT NOT NULL DEFAULT '',
      time_zone TEXT NOT NULL DEFAULT 'Asia/Shanghai',
      created_at TEXT NOT NULL
    );

    CREATE TABLE buildings (
      id TEXT PRIMARY KEY,
      community_id TEXT NOT NULL REFERENCES communities(id),
      code TEXT NOT NULL,
      name TEXT NOT NULL,
      floors INTEGER NOT NULL CHECK (floors > 0),
      UNIQUE (community_id, code)
    );

    CREATE TABLE units (
      id TEXT PRIMARY KEY,
      building_id TEXT NOT NULL REFERENCES buildings(id),
      number TEXT NOT NULL,
      floor INTEGER NOT NULL,
      area_m2 REAL NOT NULL CHECK (area_m2 > 0),
      type TEXT NOT NULL CHECK (type IN ('residential', 'commercial', 'office')),
      UNIQUE (building_id, number)
    );

    -- Residents of a unit. The phone number is personal data: stored encrypted (AES-256-GCM, key outside the DB),
    -- shown masked; phone_hash (keyed HMAC) allows lookups without decrypting.
    CREATE TABLE residents (
      id TEXT PRIMARY KEY,
      unit_id TEXT NOT NULL REFERENCES units(id),
      name TEXT NOT NULL,
      phone_enc TEXT,
      phone_hash TEXT,
      role TEXT NOT NULL CHECK (role IN ('owner', 'tenant', 'family')),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX residents_unit ON residents(unit_id);

    CREATE TABLE users (
      id TEXT PRIMARY KEY,
      username TEXT NOT NULL UNIQUE COLLATE NOCASE,
      display_name TEXT NOT NULL,
      password_hash TEXT NOT NULL,
      -- comma-free JSON array of roles: admin, editor, reviewer, clerk, auditor
      roles TEXT NOT NULL DEFAULT '[]',
      failed_logins INTEGER NOT NULL DEFAULT 0,
      locked_until TEXT,
      disabled INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    -- Session ids are never stored: id_hash is sha256 of the cookie value.
    CREATE TABLE sessions (
      id_hash TEXT PRIMARY KEY,
      user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
      csrf_token TEXT NOT NULL,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      last_seen_at TEXT NOT NULL
    );
    CREATE INDEX sessions_user ON sessions(user_id);

    CREATE TABLE assets (
      sha256 TEXT PRIMARY KEY,
      size INTEGER NOT NULL,
      mime TEXT NOT NULL,
      original_name TEXT NOT NULL DEFAULT '',
      created_by TEXT,
      created_at TEXT NOT NULL
    );

    -- One row per (item, locale). status: draft | published | unpublished.
    CREATE TABLE content_items (
      id TEXT NOT NULL,
      locale TEXT NOT NULL,
      category TEXT NOT NULL,
      title TEXT NOT NULL,
      summary TEXT NOT NULL DEFAULT '',
      body TEXT NOT NULL DEFAULT '',
      body_html TEXT NOT NULL DEFAULT '',
      images TEXT NOT NULL DEFAULT '[]',
      valid_from TEXT,
      valid_until TEXT,
      status TEXT NOT NULL CHECK (status IN ('draft', 'published', 'unpublished')),
      version INTEGER NOT NULL DEFAULT 1,
      source TEXT NOT NULL DEFAULT 'cms',
      created_by TEXT,
      updated_by TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      published_at TEXT,
      PRIMARY KEY (id, locale)
    );
    CREATE INDEX content_items_status ON content_items(status, category);

    CREATE TABLE devices (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      community_id TEXT REFERENCES communities(id),
      credential_hash TEXT NOT NULL UNIQUE,
      platform TEXT NOT NULL DEFAULT '',
      app_version TEXT NOT NULL DEFAULT '',
      created_at TEXT NOT NULL,
      last_seen_at TEXT,
      revoked_at TEXT
    );

    -- Pairing codes are short-lived and single-use; only their hash is kept.
    CREATE TABLE pairing_codes (
      code_hash TEXT PRIMARY KEY,
      community_id TEXT REFERENCES communities(id),
      device_name TEXT,
      created_by TEXT,
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      used_at TEXT,
      device_id TEXT REFERENCES devices(id)
    );

    CREATE TABLE audit_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      action TEXT NOT NULL,
      target TEXT NOT NULL DEFAULT '',
      detail TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX audit_log_at ON audit_log(at);
  `,
};
