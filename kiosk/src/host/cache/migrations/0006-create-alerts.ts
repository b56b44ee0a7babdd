import type { Migration } from './migration';

/**
 * Emergency alerts (issue 4): the device's active set as the server last sent it, so a kiosk restarted during a
 * fire alarm shows it again at once, before (or without) reaching the server. `expires_at` is the server's
 * instant; the host compares it with its server-corrected clock, so an alert also ends on a kiosk left offline.
 */
export const migration0006: Migration = {
  version: 6,
  name: 'create-alerts',
  up: `
    CREATE TABLE alerts (
      id TEXT PRIMARY KEY,
      alert TEXT NOT NULL CHECK (json_valid(alert)),
      expires_at TEXT NOT NULL,
      received_at TEXT NOT NULL
    ) STRICT;
  `,
};
