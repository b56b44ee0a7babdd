import Database from 'better-sqlite3';
import { chmodSync, existsSync } from 'node:fs';
import { migrations as allMigrations, type Migration } from './migrations/index';

/** The kiosk's local SQLite database. */
export type CacheDatabase = Database.Database;

/** Opens (creating if needed) the cache database with the pragmas the kiosk relies on. Does not migrate. */
export function openCacheDatabase(file: string): CacheDatabase {
  const isNew = file !== ':memory:' && !existsSync(file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // FULL: the database holds the device's identity (credential); a power cut must not lose or tear it.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  if (isNew) chmodSync(file, 0o600);
  return db;
}

/** The schema version the database is at (0 for a new one). */
export function schemaVersion(db: CacheDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the schema to `target` (default: latest). Each migration runs in its own transaction together with the
 * version bump, so a crash leaves the database at a whole version, never between two.
 */
export function migrate(
  db: CacheDatabase,
  target?: number,
  migrations: readonly Migration[] = allMigrations,
): number {
  const latest = migrations.at(-1)?.version ?? 0;
  const goal = target ?? latest;
  const current = schemaVersion(db);
  if (current > latest) {
    throw new Error(
      `cache schema ${current} is newer than this kiosk understands (${latest}); update the kiosk`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > goal) continue;
    db.transaction(() => {
      db.exec(migration.up);
      db.pragma(`user_version = ${migration.version}`);
    })();
  }
  return schemaVersion(db);
}
