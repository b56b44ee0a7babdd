import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../lib/server/clock';
import { migrate, openDatabase, schemaVersion } from '../lib/server/db/database';
import { migrations } from '../lib/server/db/migrations/index';
import { loadKeys } from '../lib/server/keys';
import { countRows, createBackup, readBackupManifest, restoreBackup } from './backup';

const serverDir = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(serverDir, '..', 'node_modules', '.bin', 'tsx');
const temps: string[] = [];
function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-backup-test-'));
  temps.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A data directory with a migrated database, keys and one asset file. */
function seededDataDir(): string {
  const dataDir = tempDir();
  const db = openDatabase(path.join(dataDir, 'linli.db'));
  migrate(db);
  db.close();
  loadKeys(dataDir);
  fs.mkdirSync(path.join(dataDir, 'assets', 'ab'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'assets', 'ab', 'abcdef'), 'poster bytes');
  return dataDir;
}

describe('backup and restore', () => {
  it('round-trips database, assets and keys, and moves the old data aside', async () => {
    const dataDir = seededDataDir();
    const file = path.join(tempDir(), 'nightly.tar.gz');
    const clock = new ManualClock();
    const backup = await createBackup({ dataDir, file, clock, serverVersion: 'test' });
    expect(backup.ok).toBe(true);
    expect(fs.statSync(file).mode & 0o077).toBe(0);

    const target = tempDir();
    fs.writeFileSync(path.join(target, 'linli.db'), 'old database');
    const restored = restoreBackup({ dataDir: target, file, clock });
    if (!restored.ok) throw new Error(restored.error.message);
    const db = openDatabase(path.join(target, 'linli.db'));
    expect(schemaVersion(db)).toBe(migrations.length);
    db.close();
    expect(fs.readFileSync(path.join(target, 'assets', 'ab', 'abcdef'), 'utf8')).toBe('poster bytes');
    expect(fs.readFileSync(path.join(target, 'keys', 'data.key'))).toEqual(
      fs.readFileSync(path.join(dataDir, 'keys', 'data.key')),
    );
    expect(fs.readFileSync(path.join(restored.value.movedAside!, 'linli.db'), 'utf8')).toBe('old database');
  });

  it('refuses a backup from a newer schema and leaves the data directory alone', async () => {
    const dataDir = seededDataDir();
    const file = path.join(tempDir(), 'from-the-future.tar.gz');
    const clock = new ManualClock();
    expect((await createBackup({ dataDir, file, clock, serverVersion: 'test' })).ok).toBe(true);
    const target = tempDir();
    fs.writeFileSync(path.join(target, 'linli.db'), 'current database');
    const restored = restoreBackup({ dataDir: target, file, clock, knownSchema: migrations.length - 1 });
    expect(restored.ok ? null : restored.error.kind).toBe('newer-schema');
    expect(fs.readdirSync(target)).toEqual(['linli.db']);
    expect(fs.readFileSync(path.join(target, 'linli.db'), 'utf8')).toBe('current database');
  });

  it('rejects a file that is not a backup', () => {
    const file = path.join(tempDir(), 'random.tar.gz');
    fs.writeFileSync(file, 'not a tar');
    const read = readBackupManifest(file);
    expect(read.ok ? null : read.error.kind).toBe('not-a-backup');
  });

  it('takes a consistent backup through the CLI while another process writes, and restores it', async () => {
    const dataDir = seededDataDir();
    // node --import tsx (not the tsx binary) so that killing the child kills the writer itself
    const writer = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/load-writer.fixture.ts', path.join(dataDir, 'linli.db')],
      {
        cwd: serverDir,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      await new Promise<void>((resolve) => writer.stdout.once('data', () => resolve()));
      // let the writer get well into its stream of transactions before the snapshot
      await new Promise((resolve) => setTimeout(resolve, 500));
      const file = path.join(tempDir(), 'under-load.tar.gz');
      const cli = spawnSync(tsx, ['src/cli/linli.ts', 'backup', file], {
        cwd: serverDir,
        env: { ...process.env, LINLI_DATA_DIR: dataDir, LINLI_LOG_LEVEL: 'warn' },
        encoding: 'utf8',
      });
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      writer.kill('SIGKILL');

      const target = tempDir();
      const restoreRun = spawnSync(tsx, ['src/cli/linli.ts', 'restore', file], {
        cwd: serverDir,
        env: { ...process.env, LINLI_DATA_DIR: target, LINLI_LOG_LEVEL: 'warn' },
        encoding: 'utf8',
      });
      expect(restoreRun.status).toBe(0);
      const manifest = readBackupManifest(file);
      if (!manifest.ok) throw new Error(manifest.error.message);
      const restored = openDatabase(path.join(target, 'linli.db'));
      const counts = countRows(restored);
      const content = restored
        .prepare("SELECT COUNT(*) FROM content_items WHERE id LIKE 'load-%'")
        .pluck()
        .get();
      const buildings = restored
        .prepare("SELECT COUNT(*) FROM buildings WHERE id LIKE 'load-%'")
        .pluck()
        .get();
      const highest = restored
        .prepare("SELECT MAX(CAST(substr(id, 6) AS INTEGER)) FROM content_items WHERE id LIKE 'load-%'")
        .pluck()
        .get();
      restored.close();
      // the restored database is exactly the snapshot the manifest describes…
      expect(counts).toEqual(manifest.value.rowCounts);
      // …the writer was running during it (and kept going afterwards)…
      expect(content).toBeGreaterThan(10);
      const live = openDatabase(path.join(dataDir, 'linli.db'));
      expect(
        live.prepare("SELECT COUNT(*) FROM content_items WHERE id LIKE 'load-%'").pluck().get(),
      ).toBeGreaterThan(content as number);
      live.close();
      // …and it holds whole transactions only: every content row has its building, without gaps
      expect(buildings).toBe(content);
      expect(highest).toBe(content);
    } finally {
      writer.kill('SIGKILL');
    }
  }, 60_000);
});
