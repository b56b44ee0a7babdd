import type { Migration } from './index';

/**
 * Visitor real-name registration and access control (issue 6). Identity data is minimal and sealed: ID and phone
 * numbers and the full name are AES-256-GCM ciphertexts (key outside the database); the ID number is also kept
 * as a keyed hash so the watch-list can match it without plain text; the masked name ("王**") and its surname are
 * what pages search and show. A purged visit keeps its row (time, building, unit, status: the statistics) with
 * every personal field emptied.
 */
export const m0005: Migration = {
  version: 5,
  name: '0005-visitors',
  up: /* sql */ `
    CREATE TABLE visits (
      id TEXT PRIMARY KEY,
      -- made once by the kiosk per submit and reused for every retry: exactly one visit per client_ref
      client_ref TEXT NOT NULL UNIQUE,
      device_id TEXT NOT NULL,
      community_id TEXT NOT NULL REFERENCES communities(id),
      building_id TEXT NOT NULL REFERENCES buildings(id),
      unit_id TEXT NOT NULL REFERENCES units(id),
      unit_number TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN
        ('pending-resident', 'pending-clerk', 'approved', 'declined', 'see-guard', 'expired')),
      -- why a visit went to the guard: 'watch-list' | 'deferred' (the kiosk could not reach the server) | null
      guard_reason TEXT CHECK (guard_reason IS NULL OR guard_reason IN ('watch-list', 'deferred')),
      visitor_surname TEXT NOT NULL,
      visitor_name_masked TEXT NOT NULL,
      visitor_name_enc TEXT,
      document_kind TEXT NOT NULL CHECK (document_kind IN ('cn-id', 'mrz-td1', 'mrz-td2', 'mrz-td3')),
      document_number_enc TEXT,
      document_number_hash TEXT,
      document_number_masked TEXT NOT NULL,
      nationality TEXT,
      identity_source TEXT NOT NULL CHECK (identity_source IN ('reader', 'ocr', 'manual')),
      identity_confidence REAL NOT NULL,
      phone_enc TEXT,
      phone_masked TEXT NOT NULL,
      reason TEXT NOT NULL,
      reason_note TEXT,
      companions INTEGER NOT NULL CHECK (companions >= 0),
      plate TEXT,
      consent_version TEXT NOT NULL,
      consent_at TEXT NOT NULL,
      submitted_at TEXT NOT NULL,
      registered_at TEXT NOT NULL,
      deferred INTEGER NOT NULL DEFAULT 0,
      host_resident_id TEXT,
      host_masked TEXT,
      -- when nobody answered by then, the station clerk decides
      resident_deadline TEXT,
      watchlist_id TEXT,
      alert_acknowledged_at TEXT,
      decided_by TEXT,
      decided_at TEXT,
      pass_id TEXT UNIQUE,
      pass_doors TEXT,
      pass_valid_from TEXT,
      pass_valid_to TEXT,
      pass_revoked_at TEXT,
      purged_at TEXT
    );
    -- history search: by time, by building + unit, by surname; each ordered by time for the newest-first page
    CREATE INDEX visits_registered ON visits(community_id, registered_at);
    CREATE INDEX visits_building ON visits(building_id, registered_at);
    CREATE INDEX visits_unit ON visits(building_id, unit_number, registered_at);
    CREATE INDEX visits_surname ON visits(visitor_surname, registered_at);
    CREATE INDEX visits_open ON visits(status, registered_at)
      WHERE status IN ('pending-resident', 'pending-clerk', 'see-guard');

    -- one per resident asked; the link token is HMAC-signed over the id, so it is not stored
    CREATE TABLE visit_confirmations (
      id TEXT PRIMARY KEY,
      visit_id TEXT NOT NULL REFERENCES visits(id),
      resident_id TEXT NOT NULL,
      channel TEXT NOT NULL CHECK (channel IN ('link', 'sms')),
      created_at TEXT NOT NULL,
      expires_at TEXT NOT NULL,
      used_at TEXT,
      answer TEXT CHECK (answer IS NULL OR answer IN ('approve', 'decline'))
    );
    CREATE INDEX visit_confirmations_visit ON visit_confirmations(visit_id);

    CREATE TABLE visitor_watchlist (
      id TEXT PRIMARY KEY,
      community_id TEXT NOT NULL REFERENCES communities(id),
      document_number_hash TEXT NOT NULL,
      document_number_masked TEXT NOT NULL,
      reason TEXT NOT NULL,
      expires_at TEXT,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      removed_by TEXT,
      removed_at TEXT
    );
    CREATE INDEX visitor_watchlist_hash ON visitor_watchlist(document_number_hash);

    -- door controllers authenticate with a per-door secret; only its keyed hash is kept
    CREATE TABLE access_door_secrets (
      door_id TEXT PRIMARY KEY,
      secret_hash TEXT NOT NULL UNIQUE,
      issued_by TEXT NOT NULL,
      issued_at TEXT NOT NULL
    );

    -- residents' real-name access cards; the same physical card as the community card when one is issued
    CREATE TABLE access_cards (
      uid TEXT PRIMARY KEY,
      resident_id TEXT NOT NULL REFERENCES residents(id),
      status TEXT NOT NULL CHECK (status IN ('active', 'blocked')),
      bound_by TEXT NOT NULL,
      bound_at TEXT NOT NULL,
      blocked_by TEXT,
      blocked_at TEXT
    );
    CREATE TABLE access_card_buildings (
      uid TEXT NOT NULL REFERENCES access_cards(uid) ON DELETE CASCADE,
      building_id TEXT NOT NULL REFERENCES buildings(id),
      PRIMARY KEY (uid, building_id)
    );

    CREATE TABLE access_log (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      at TEXT NOT NULL,
      door_id TEXT NOT NULL,
      credential_kind TEXT NOT NULL CHECK (credential_kind IN ('qr', 'card')),
      -- pass id for a QR pass, card uid for a card (null when the token could not be read)
      subject TEXT,
      allow INTEGER NOT NULL CHECK (allow IN (0, 1)),
      reason TEXT NOT NULL
    );
    CREATE INDEX access_log_at ON access_log(at);
  `,
};
