// Backups of a Linli data directory: the database through SQLite's online backup API (consistent while the
// server writes), the content-addressed assets and the key store, in one gzip'd tar with a manifest.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import type { Clock } from '../lib/server/clock';
import { openDatabase, schemaVersion, type Db } from '../lib/server/db/database';
import { migrations } from '../lib/server/db/migrations/index';
import { err, ok, type Result } from '../lib/server/result';

/** The database file inside a data directory. */
export const DATABASE_FILE = 'linli.db';

/** What every backup archive carries as `backup.json`. */
export const BackupManifest = z.object({
  format: z.literal('linli-backup'),
  formatVersion: z.literal(1),
  createdAt: z.iso.datetime(),
  serverVersion: z.string(),
  schemaVersion: z.number().int().min(0),
  /** Rows per table at the moment of the snapshot: restore checks them, operators compare them. */
  rowCounts: z.record(z.string(), z.number().int().min(0)),
  assetFiles: z.number().int().min(0),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

export type BackupFailureKind = 'no-database' | 'not-a-backup' | 'newer-schema' | 'corrupt' | 'io';

/** Rows in every user table, by name. */
export function countRows(db: Db): Record<string, number> {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
  // table names come from sqlite_master itself, quoted: not user input
  return Object.fromEntries(
    tables.map((name) => [
      name,
      db
        .prepare(`SELECT COUNT(*) FROM "${name.replace(/"/g, '""')}"`)
        .pluck()
        .get() as number,
    ]),
  );
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    .length;
}

/**
 * Writes a backup of `dataDir` to `file`. The database snapshot comes first: assets are immutable and written
 * before the row that names them, so every asset the snapshot references is already on disk when the asset folder
 * is copied afterwards (later uploads may ride along; they are harmless). The archive appears atomically (rename)
 * and is readable only by its owner, because it holds the keys.
 */
export async function createBackup(options: {
  dataDir: string;
  file: string;
  clock: Clock;
  serverVersion: string;
}): Promise<Result<BackupManifest, BackupFailureKind>> {
  const databaseFile = path.join(options.dataDir, DATABASE_FILE);
  if (!fs.existsSync(databaseFile)) return err('no-database', `no database at ${databaseFile}`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-backup-'));
  try {
    const source = openDatabase(databaseFile);
    try {
      await source.backup(path.join(staging, DATABASE_FILE));
    } finally {
      source.close();
    }
    const snapshot = openDatabase(path.join(staging, DATABASE_FILE));
    let manifest: BackupManifest;
    try {
      // fold the WAL into the file so the archive holds one self-contained database file
      snapshot.pragma('journal_mode = DELETE');
      const check = snapshot.pragma('quick_check', { simple: true });
      if (check !== 'ok') return err('corrupt', `the snapshot failed its integrity check: ${String(check)}`);
      for (const folder of ['assets', 'keys']) {
        const from = path.join(options.dataDir, folder);
        if (fs.existsSync(from)) fs.cpSync(from, path.join(staging, folder), { recursive: true });
      }
      manifest = {
        format: 'linli-backup',
        formatVersion: 1,
        createdAt: options.clock.now().toISOString(),
        serverVersion: options.serverVersion,
        schemaVersion: schemaVersion(snapshot),
        rowCounts: countRows(snapshot),
        assetFiles: countFiles(path.join(staging, 'assets')),
      };
    } finally {
      snapshot.close();
    }
    fs.writeFileSync(path.join(staging, 'backup.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const target = path.resolve(options.file);
    const partial = `${target}.partial`;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    execFileSync('tar', ['-czf', partial, '-C', staging, '.'], { stdio: ['ignore', 'ignore', 'pipe'] });
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, target);
    return ok(manifest);
  } catch (error) {
    return err('io', (error as Error).message);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Reads `backup.json` from an archive without unpacking the rest. */
export function readBackupManifest(file: string): Result<BackupManifest, BackupFailureKind> {
  let text: string;
  try {
    text = execFileSync('tar', ['-xzOf', file, './backup.json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }).toString();
  } catch {
    return err('not-a-backup', `${file} is not a Linli backup (no backup.json)`);
  }
  try {
    const parsed = BackupManifest.safeParse(JSON.parse(text));
    return parsed.success ? ok(parsed.data) : err('not-a-backup', `${file}: backup.json is not valid`);
  } catch {
    return err('not-a-backup', `${file}: backup.json is not JSON`);
  }
}

/**
 * Restores a backup into `dataDir`. Refuses a backup whose schema is newer than this build (its data would be
 * misread); an older schema is migrated by the next start. What was in `dataDir` is moved aside to
 * `pre-restore-<time>/`, never deleted. The server must be stopped while this runs.
 */
export function restoreBackup(options: {
  dataDir: string;
  file: string;
  clock: Clock;
  knownSchema?: number;
}): Result<{ manifest: BackupManifest; movedAside: string | null }, BackupFailureKind> {
  const knownSchema = options.knownSchema ?? migrations.length;
  const read = readBackupManifest(options.file);
  if (!read.ok) return read;
  const manifest = read.value;
  if (manifest.schemaVersion > knownSchema) {
    return err(
      'newer-schema',
      `the backup has schema ${manifest.schemaVersion}, this server knows ${knownSchema}: install the newer Linli first`,
    );
  }
  const unpacked = fs.mkdtempSync(path.join(options.dataDir, '.restore-'));
  try {
    execFileSync('tar', ['-xzf', options.file, '-C', unpacked, '--no-same-owner'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const db = openDatabase(path.join(unpacked, DATABASE_FILE));
    try {
      if (db.pragma('quick_check', { simple: true }) !== 'ok')
        return err('corrupt', 'the database in the backup is damaged');
      if (schemaVersion(db) !== manifest.schemaVersion)
        return err('corrupt', 'backup.json does not match its database');
      // an empty WAL file would be left behind otherwise; the live server reopens in WAL mode itself
      db.pragma('journal_mode = DELETE');
    } finally {
      db.close();
    }
    const stamp = options.clock.now().toISOString().replace(/[:.]/g, '-');
    const aside = path.join(options.dataDir, `pre-restore-${stamp}`);
    let moved = false;
    for (const name of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, 'assets', 'keys']) {
      const current = path.join(options.dataDir, name);
      if (!fs.existsSync(current)) continue;
      fs.mkdirSync(aside, { recursive: true, mode: 0o700 });
      fs.renameSync(current, path.join(aside, name));
      moved = true;
    }
    for (const name of [DATABASE_FILE, 'assets', 'keys']) {
      const from = path.join(unpacked, name);
      if (fs.existsSync(from)) fs.renameSync(from, path.join(options.dataDir, name));
    }
    return ok({ manifest, movedAside: moved ? aside : null });
  } catch (error) {
    return err('io', (error as Error).message);
  } finally {
    fs.rmSync(unpacked, { recursive: true, force: true });
  }
}
