import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrations, type Migration } from './migrations/index';

/** The server's SQLite handle. Only repositories run SQL on it (DESIGN.md: keep the PostgreSQL path open). */
export type Db = Database.Database;

/**
 * Opens (creating if needed) the server database in WAL mode. `synchronous=FULL` because the same file will
 * hold money and identities: a committed transaction must survive power loss.
 */
export function openDatabase(file: string): Db {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** The schema version: the number of the last applied migration (0 for an empty database). */
export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Applies pending migrations up to `target` (default: all). Each migration runs in its own transaction together
 * with the bump of `user_version`, so a failing migration leaves the database at the previous version.
 */
export function migrate(db: Db, target = migrations.length, list: readonly Migration[] = migrations): number {
  let version = schemaVersion(db);
  if (version > list.length) {
    throw new Error(
      `database schema ${version} is newer than this server (${list.length}): upgrade the server`,
    );
  }
  for (const migration of list.slice(version, target)) {
    if (migration.version !== version + 1) {
      throw new Error(
        `migration ${migration.name} is numbered ${migration.version}, expected ${version + 1}`,
      );
    }
    db.transaction(() => {
      db.exec(migration.up);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    version = migration.version;
  }
  return version;
}
