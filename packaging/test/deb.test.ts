// Builds the real packages, installs them with dpkg into a throwaway root (no container: dpkg --root with
// --force-script-chrootless runs the maintainer scripts against that root, which they honour through DPKG_ROOT),
// and runs the installed server. There is no systemd as PID 1 here, so the test starts the server the way the
// unit does: node <app dir>/server.js with the unit's environment.
// Speed: the server's staged tree is cached by a hash of its inputs (LINLI_DEB_CACHE, default <tmp>/linli-deb-cache),
// N and N+1 are built side by side, both N+1 packages come from one build (their migration fails only on a marker
// row), and the packages are compressed with gzip -1. A run with unchanged sources builds nothing with vite.
import { execFile, execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const packaging = path.resolve(import.meta.dirname, '..');
const arch = execFileSync('dpkg', ['--print-architecture']).toString().trim();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-deb-test-'));
const dist = path.join(work, 'dist');
const root = path.join(work, 'root');
const running: ChildProcess[] = [];
const cache = process.env.LINLI_DEB_CACHE ?? path.join(os.tmpdir(), 'linli-deb-cache');
const migrationN1 = path.join(packaging, 'test/fixtures/migration-n1.ts');
/** The community whose presence makes the N+1 migration fail (see fixtures/migration-n1.ts). */
const FAIL_MARKER = 'linli-test-fail-upgrade';

/** Runs build-deb.sh without blocking, so two builds can run side by side; resolves to the server .deb. */
function build(version: string, args: string[] = []): Promise<string> {
  const script = path.join(packaging, 'build-deb.sh');
  const argv = [script, '--out', dist, '--version', version, '--cache', cache, '--fast', ...args];
  return new Promise((resolve, reject) => {
    execFile('bash', argv, { maxBuffer: 16 * 1024 * 1024 }, (error, _stdout, stderr) => {
      if (error) reject(new Error(`build-deb.sh ${version} failed: ${stderr}`));
      else resolve(path.join(dist, `linli-server_${version}_${arch}.deb`));
    });
  });
}

function dpkgInstall(deb: string) {
  return spawnSync('dpkg', ['--root', root, '--force-depends', '--force-script-chrootless', '-i', deb], {
    encoding: 'utf8',
  });
}

function packageStatus(name: string): string {
  return execFileSync('dpkg-query', [
    '--admindir',
    path.join(root, 'var/lib/dpkg'),
    '-W',
    '-f=${Status} ${Version}',
    name,
  ])
    .toString()
    .trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Starts the installed server as linli-server.service would: which release runs is decided by rollback.env. */
async function startInstalledServer(): Promise<{ url: string; appDir: string; stop: () => Promise<void> }> {
  const rollback = path.join(root, 'var/lib/linli/rollback.env');
  const appDir = fs.existsSync(rollback)
    ? /^LINLI_APP_DIR=(.+)$/m.exec(fs.readFileSync(rollback, 'utf8'))![1]!
    : '/usr/lib/linli/server';
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, appDir, 'server.js')], {
    cwd: path.join(root, 'var/lib/linli'),
    env: {
      PATH: process.env.PATH,
      LINLI_DATA_DIR: path.join(root, 'var/lib/linli'),
      LINLI_HOST: '127.0.0.1',
      LINLI_PORT: String(port),
      LINLI_SEED_DEMO: 'false',
      LINLI_ADMIN_PASSWORD: 'installed-admin-pw',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', () => output.includes('listening on') && resolve());
    child.once('exit', (code) => reject(new Error(`installed server exited ${code}:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    appDir,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function database<T>(read: (db: Database.Database) => T): T {
  const db = new Database(path.join(root, 'var/lib/linli/linli.db'));
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('Debian packages', () => {
  let releaseN = '';
  let failingN1 = '';
  let goodN1 = '';
  /** The schema of release N, read from its installed CLI. */
  let schemaN = 0;

  beforeAll(async () => {
    const n1 = ['--server-only', '--extra-migration', migrationN1];
    [releaseN, failingN1] = await Promise.all([build('1.0.0'), build('1.0.1', n1)]);
    // the same staged tree as 1.0.1, from the cache: only the version differs
    goodN1 = await build('1.0.2', n1);
    fs.mkdirSync(path.join(root, 'var/lib/dpkg/updates'), { recursive: true });
    fs.mkdirSync(path.join(root, 'var/lib/dpkg/info'), { recursive: true });
    fs.mkdirSync(path.join(root, 'etc'), { recursive: true });
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/status'), '');
    fs.writeFileSync(path.join(root, 'var/lib/dpkg/available'), '');
  });

  afterAll(() => {
    for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('installs both packages into a test root, and the installed server answers /healthz', async () => {
    const kiosk = path.join(dist, `linli-kiosk_1.0.0_${arch}.deb`);
    for (const deb of [releaseN, kiosk]) {
      const result = dpkgInstall(deb);
      expect(result.status, result.stderr).toBe(0);
    }
    expect(packageStatus('linli-server')).toBe('install ok installed 1.0.0');
    expect(packageStatus('linli-kiosk')).toBe('install ok installed 1.0.0');
    expect(fs.readFileSync(path.join(root, 'etc/passwd'), 'utf8')).toMatch(/^linli:x:\d+:\d+:/m);
    expect(fs.existsSync(path.join(root, 'lib/systemd/system/linli-server.service'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'lib/systemd/system/linli-kiosk.service'))).toBe(true);
    expect(fs.existsSync(path.join(root, 'etc/linli/kiosk.env'))).toBe(true);

    const server = await startInstalledServer();
    try {
      const health = await fetch(`${server.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await server.stop();
    }
    // the installed CLI works against the installed data directory
    const status = spawnSync(
      process.execPath,
      [path.join(root, 'usr/lib/linli/server/cli/linli.mjs'), 'status'],
      {
        env: { PATH: process.env.PATH, LINLI_DATA_DIR: path.join(root, 'var/lib/linli') },
        encoding: 'utf8',
      },
    );
    expect(status.status, status.stderr).toBe(0);
    const installed = JSON.parse(status.stdout) as {
      schemaVersion: number;
      latestSchema: number;
      pending: string[];
    };
    expect(installed.pending).toEqual([]);
    schemaN = installed.latestSchema;
    expect(installed.schemaVersion).toBe(schemaN);
    // a record that must survive every upgrade below
    database((db) =>
      db
        .prepare(
          "INSERT INTO communities (id, name, created_at) VALUES ('keep', '幸福里', '2026-01-01T00:00:00.000Z')",
        )
        .run(),
    );
  });

  it('a failing migration in N+1 leaves version N running on its intact data', async () => {
    database((db) =>
      db
        .prepare(
          "INSERT INTO communities (id, name, created_at) VALUES (?, 'marker', '2026-01-01T00:00:00.000Z')",
        )
        .run(FAIL_MARKER),
    );
    const result = dpkgInstall(failingN1);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/migration failed/);
    expect(packageStatus('linli-server')).toMatch(/half-configured 1\.0\.1$/);

    database((db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(schemaN);
      expect(db.prepare("SELECT name FROM communities WHERE id = 'keep'").pluck().get()).toBe('幸福里');
      // the migration's first statement succeeded before its second failed: the rollback took it back too
      expect(
        db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'upgrade_probe'").pluck().get(),
      ).toBe(0);
    });
    const backups = fs.readdirSync(path.join(root, 'var/lib/linli/backups'));
    expect(backups.some((name) => /^pre-upgrade-1\.0\.0-.*\.tar\.gz$/.test(name))).toBe(true);

    const server = await startInstalledServer();
    try {
      expect(server.appDir).toBe('/var/lib/linli/releases/1.0.0');
      const ready = await fetch(`${server.url}/readyz`);
      // the old release expects schema N and finds it
      expect(ready.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  it('N+1 with a good migration migrates once, and the new version runs on the kept data', async () => {
    // the operator fixes the data the migration tripped over, then installs again
    database((db) => db.prepare('DELETE FROM communities WHERE id = ?').run(FAIL_MARKER));
    const result = dpkgInstall(goodN1);
    expect(result.status, result.stderr).toBe(0);
    expect(packageStatus('linli-server')).toBe('install ok installed 1.0.2');
    expect(fs.existsSync(path.join(root, 'var/lib/linli/rollback.env'))).toBe(false);
    database((db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(schemaN + 1);
      expect(db.prepare("SELECT name FROM communities WHERE id = 'keep'").pluck().get()).toBe('幸福里');
      expect(
        db.prepare("SELECT COUNT(*) FROM sqlite_master WHERE name = 'upgrade_probe'").pluck().get(),
      ).toBe(1);
    });
    const server = await startInstalledServer();
    try {
      expect(server.appDir).toBe('/usr/lib/linli/server');
      const ready = await fetch(`${server.url}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready', checks: { schema: { ok: true } } });
    } finally {
      await server.stop();
    }
  });
});
