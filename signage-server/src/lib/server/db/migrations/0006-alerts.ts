import type { Migration } from './index';

/**
 * Emergency alerts (issue 4). An alert belongs to one community and reaches all of its devices, or only those in
 * the buildings, device groups or with the tags it names. It ends when cleared or, failing that, at `expires_at`: an alarm nobody clears
 * must not hold every lobby screen forever. IoT gateways raise alerts through webhook sources whose bearer token is
 * kept only as its sha256; `(source_id, external_id)` is unique so a gateway's retry never raises a second alert.
 */
export const m0006: Migration = {
  version: 6,
  name: '0006-alerts',
  up: /* sql */ `
    CREATE TABLE alert_sources (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      community_id TEXT NOT NULL REFERENCES communities(id),
      token_hash TEXT NOT NULL UNIQUE,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      last_used_at TEXT,
      revoked_by TEXT,
      revoked_at TEXT
    );

    CREATE TABLE alerts (
      id TEXT PRIMARY KEY,
      community_id TEXT NOT NULL REFERENCES communities(id),
      kind TEXT NOT NULL CHECK (kind IN ('fire', 'gas', 'flood', 'bin-full', 'emission', 'other')),
      severity TEXT NOT NULL CHECK (severity IN ('critical', 'warning', 'info')),
      title_zh TEXT NOT NULL,
      title_en TEXT NOT NULL,
      body_zh TEXT NOT NULL,
      body_en TEXT NOT NULL,
      -- JSON arrays: building ids, and lower-case group and tag labels; all empty: every device of the community
      target_buildings TEXT NOT NULL DEFAULT '[]',
      target_groups TEXT NOT NULL DEFAULT '[]',
      target_tags TEXT NOT NULL DEFAULT '[]',
      raised_at TEXT NOT NULL,
      -- the user's name, or for a webhook the source's name
      raised_by TEXT NOT NULL,
      source_id TEXT REFERENCES alert_sources(id),
      external_id TEXT,
      expires_at TEXT NOT NULL,
      cleared_at TEXT,
      cleared_by TEXT,
      -- set once the server has announced (and audited) that the alert ran out uncleared
      expiry_noted_at TEXT,
      CHECK (external_id IS NULL OR source_id IS NOT NULL),
      CHECK ((cleared_at IS NULL) = (cleared_by IS NULL)),
      CHECK (expires_at > raised_at)
    );
    CREATE UNIQUE INDEX alerts_external ON alerts(source_id, external_id) WHERE external_id IS NOT NULL;
    CREATE INDEX alerts_open ON alerts(expires_at) WHERE cleared_at IS NULL;
    CREATE INDEX alerts_raised ON alerts(community_id, raised_at);
  `,
};
