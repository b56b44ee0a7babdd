import type { Migration } from './migration';

/**
 * The current manifest: one row, replaced atomically. The raw signed bytes are kept with their signature so the
 * cache is verified again against the pinned key on every start, not trusted because it is on disk.
 */
export const migration0002: Migration = {
  version: 2,
  name: 'create-manifest',
  up: `
    CREATE TABLE manifest (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      version TEXT NOT NULL,
      etag TEXT,
      body BLOB NOT NULL,
      signature TEXT NOT NULL,
      generated_at TEXT NOT NULL,
      applied_at TEXT NOT NULL
    ) STRICT;
  `,
};
