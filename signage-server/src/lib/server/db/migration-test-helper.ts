import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { migrate, openDatabase, schemaVersion, type Db } from './database';

/**
 * A database for one migration test (STYLE.md: migrate to N-1, insert, migrate to N, assert), in a temp dir,
 * with a few questions a migration test asks.
 */
export interface MigrationTestDb {
  db: Db;
  /** Applies migrations up to and including `version`. */
  migrateTo(version: number): number;
  version(): number;
  tables(): string[];
  columns(table: string): string[];
  indexes(table: string): string[];
  close(): void;
}

/** Opens an empty database (schema version 0) in a fresh temp dir. */
export function openMigrationTestDb(): MigrationTestDb {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-migration-'));
  const db = openDatabase(path.join(dir, 'linli.db'));
  return {
    db,
    migrateTo: (version) => migrate(db, version),
    version: () => schemaVersion(db),
    tables: () =>
      (
        db
          .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
          )
          .all() as { name: string }[]
      ).map((row) => row.name),
    columns: (table) =>
      (db.pragma(`table_info(${table})`) as { name: string }[]).map((column) => column.name),
    indexes: (table) =>
      (db.pragma(`index_list(${table})`) as { name: string }[]).map((index) => index.name).sort(),
    close() {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
