import type { Migration } from './index';

/**
 * Playlists, layouts and proof-of-play (issue 4). A playlist is an ordered list of content items or bare assets,
 * each with a duration and a transition; a layout is a screen template whose zones each name a playlist, targeted
 * like content (JSON Targeting) with a priority: a device runs the highest-priority layout targeted at it.
 * Kiosks report plays and touches in batches; `stats_batches` keeps every (device, batch id) once, so a batch a
 * kiosk sends again after a lost answer is never counted twice. `day` is the play's calendar day in the device's
 * community time zone, fixed at receipt, so the per-day reports are plain GROUP BYs.
 */
export const m0011: Migration = {
  version: 11,
  name: '0011-playlists-layouts-stats',
  up: /* sql */ `
    CREATE TABLE playlists (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE playlist_entries (
      playlist_id TEXT NOT NULL REFERENCES playlists(id) ON DELETE CASCADE,
      position INTEGER NOT NULL CHECK (position >= 0),
      item_id TEXT,
      asset_sha256 TEXT,
      duration_seconds INTEGER NOT NULL CHECK (duration_seconds BETWEEN 2 AND 3600),
      transition TEXT NOT NULL CHECK (transition IN ('fade', 'slide', 'none')),
      PRIMARY KEY (playlist_id, position),
      CHECK ((item_id IS NULL) <> (asset_sha256 IS NULL))
    );
    CREATE INDEX playlist_entries_asset ON playlist_entries(asset_sha256) WHERE asset_sha256 IS NOT NULL;

    CREATE TABLE layouts (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      template TEXT NOT NULL CHECK (template IN ('full', 'main-ticker', 'main-column-clock')),
      priority INTEGER NOT NULL DEFAULT 50 CHECK (priority BETWEEN 0 AND 100),
      -- JSON {communities, buildings, groups, tags}; every list empty: every device.
      target TEXT NOT NULL DEFAULT '{"communities":[],"buildings":[],"groups":[],"tags":[]}',
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_by TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE TABLE layout_zones (
      layout_id TEXT NOT NULL REFERENCES layouts(id) ON DELETE CASCADE,
      zone TEXT NOT NULL CHECK (zone IN ('main', 'ticker', 'column')),
      playlist_id TEXT NOT NULL REFERENCES playlists(id),
      PRIMARY KEY (layout_id, zone)
    );

    CREATE TABLE stats_batches (
      device_id TEXT NOT NULL REFERENCES devices(id),
      batch_id TEXT NOT NULL,
      received_at TEXT NOT NULL,
      plays INTEGER NOT NULL,
      touches INTEGER NOT NULL,
      PRIMARY KEY (device_id, batch_id)
    );
    CREATE INDEX stats_batches_received ON stats_batches(received_at);
    CREATE TABLE play_events (
      id INTEGER PRIMARY KEY,
      device_id TEXT NOT NULL REFERENCES devices(id),
      item_id TEXT,
      asset_sha256 TEXT,
      zone TEXT NOT NULL CHECK (zone IN ('main', 'ticker', 'column', 'attract')),
      started_at TEXT NOT NULL,
      duration_ms INTEGER NOT NULL CHECK (duration_ms >= 0),
      day TEXT NOT NULL,
      CHECK ((item_id IS NULL) <> (asset_sha256 IS NULL))
    );
    CREATE INDEX play_events_day ON play_events(day);
    CREATE INDEX play_events_started ON play_events(started_at);
    CREATE TABLE touch_events (
      id INTEGER PRIMARY KEY,
      device_id TEXT NOT NULL REFERENCES devices(id),
      item_id TEXT NOT NULL,
      opened_at TEXT NOT NULL,
      dwell_ms INTEGER NOT NULL CHECK (dwell_ms >= 0),
      day TEXT NOT NULL
    );
    CREATE INDEX touch_events_day ON touch_events(day);
    CREATE INDEX touch_events_opened ON touch_events(opened_at);
  `,
};
