import type { Migration } from './migration';

/** The enrolment: one row. The credential is kept in clear because the kiosk must present it; the file is 0600. */
export const migration0001: Migration = {
  version: 1,
  name: 'create-device',
  up: `
    CREATE TABLE device (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      device_id TEXT NOT NULL,
      credential TEXT NOT NULL,
      server_url TEXT NOT NULL,
      server_public_key TEXT NOT NULL,
      community_id TEXT,
      enrolled_at TEXT NOT NULL
    ) STRICT;
  `,
};
