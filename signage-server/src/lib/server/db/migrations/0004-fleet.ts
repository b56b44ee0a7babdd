import type { Migration } from './index';

/**
 * The fleet view (issue 5): the latest heartbeat of each kiosk, its online/offline state as last announced,
 * groups and tags for content targeting, and remote commands with their acknowledgements. Screenshots live in
 * the database beside their command (a few hundred KB each, capped), so a backup holds them and no file path
 * is ever guessable.
 */
export const m0004: Migration = {
  version: 4,
  name: '0004-fleet',
  up: /* sql */ `
    -- The group a kiosk belongs to (one) and its tags (any), as JSON array of strings: content targeting reads them.
    ALTER TABLE devices ADD COLUMN device_group TEXT;
    ALTER TABLE devices ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';

    -- One row per device: only the latest heartbeat is kept (history belongs to metrics, not to SQLite).
    CREATE TABLE device_heartbeats (
      device_id TEXT PRIMARY KEY REFERENCES devices(id),
      received_at TEXT NOT NULL,
      interval_ms INTEGER NOT NULL CHECK (interval_ms > 0),
      report TEXT NOT NULL,
      -- 'online' | 'offline' as last announced (logged and audited on change), so a restart does not re-announce
      state TEXT NOT NULL DEFAULT 'online' CHECK (state IN ('online', 'offline')),
      state_changed_at TEXT NOT NULL
    );

    CREATE TABLE device_commands (
      id TEXT PRIMARY KEY,
      device_id TEXT NOT NULL REFERENCES devices(id),
      kind TEXT NOT NULL CHECK (kind IN ('reload-content', 'restart-app', 'identify', 'screenshot')),
      issued_by TEXT NOT NULL,
      issued_at TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'delivered', 'acked', 'failed')),
      delivered_at TEXT,
      finished_at TEXT,
      result TEXT,
      screenshot BLOB,
      CHECK (screenshot IS NULL OR kind = 'screenshot')
    );
    CREATE INDEX device_commands_device ON device_commands(device_id, issued_at);
    CREATE INDEX device_commands_open ON device_commands(device_id, state) WHERE state IN ('pending', 'delivered');
  `,
};
