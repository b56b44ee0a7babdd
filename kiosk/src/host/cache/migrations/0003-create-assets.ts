import type { Migration } from './migration';

/** Assets whose bytes are in assets/<sha256> and were verified against their hash when written. */
export const migration0003: Migration = {
  version: 3,
  name: 'create-assets',
  up: `
    CREATE TABLE assets (
      sha256 TEXT PRIMARY KEY CHECK (length(sha256) = 64),
      size INTEGER NOT NULL CHECK (size >= 0),
      mime TEXT NOT NULL,
      stored_at TEXT NOT NULL
    ) STRICT;
  `,
};
