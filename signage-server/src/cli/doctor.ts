// `linli doctor`: the checks an operator runs when something is off, each with what to do about it.
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../lib/server/clock';
import { openDatabase, schemaVersion } from '../lib/server/db/database';
import { migrations } from '../lib/server/db/migrations/index';
import { DATABASE_FILE } from './backup';

/** One doctor finding. */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

/** Free space below which the database (WAL growth, backups) is at risk. */
export const MIN_FREE_BYTES = 512 * 1024 * 1024;

/** Runs every check against a data directory; never throws. */
export function runDoctor(dataDir: string, clock: Clock): DoctorCheck[] {
  const checks: DoctorCheck[] = [];
  const add = (name: string, run: () => { ok: boolean; detail: string }) => {
    try {
      checks.push({ name, ...run() });
    } catch (error) {
      checks.push({ name, ok: false, detail: (error as Error).message });
    }
  };

  add('data directory', () => {
    const stat = fs.statSync(dataDir);
    fs.accessSync(dataDir, fs.constants.R_OK | fs.constants.W_OK);
    const worldWritable = (stat.mode & 0o002) !== 0;
    return worldWritable
      ? { ok: false, detail: `${dataDir} is world-writable: chmod o-w ${dataDir}` }
      : { ok: true, detail: `${dataDir} is writable by this user` };
  });
  add('key files', () => {
    const dir = path.join(dataDir, 'keys');
    const bad: string[] = [];
    for (const name of ['manifest-ed25519.pem', 'data.key', 'hash.key']) {
      const file = path.join(dir, name);
      if (!fs.existsSync(file)) bad.push(`${name} missing`);
      else if ((fs.statSync(file).mode & 0o077) !== 0) bad.push(`${name} readable by others (chmod 600)`);
    }
    return bad.length
      ? {
          ok: false,
          detail: `${bad.join(', ')}; without data.key the personal data cannot be read: restore it from a backup`,
        }
      : { ok: true, detail: 'present, mode 600' };
  });
  add('disk space', () => {
    const stat = fs.statfsSync(dataDir);
    const free = stat.bavail * stat.bsize;
    const mb = Math.round(free / 1024 / 1024);
    return free < MIN_FREE_BYTES
      ? { ok: false, detail: `${mb} MB free: free space or move ${dataDir}` }
      : { ok: true, detail: `${mb} MB free` };
  });
  add('database', () => {
    const file = path.join(dataDir, DATABASE_FILE);
    if (!fs.existsSync(file))
      return { ok: false, detail: `${file} missing: start the server once or restore a backup` };
    const db = openDatabase(file);
    try {
      const check = db.pragma('quick_check', { simple: true });
      const version = schemaVersion(db);
      if (check !== 'ok')
        return { ok: false, detail: `integrity: ${String(check)}: restore the latest backup` };
      if (version !== migrations.length)
        return {
          ok: false,
          detail: `schema ${version}, this build expects ${migrations.length}: run linli migrate`,
        };
      return { ok: true, detail: `schema ${version}, integrity ok` };
    } finally {
      db.close();
    }
  });
  add('clock', () => {
    // Time is stored in UTC and drives sessions, schedules and retention: a clock behind the newest recorded
    // event (a dead RTC battery on a mini-PC) breaks all three.
    const now = clock.now();
    const file = path.join(dataDir, DATABASE_FILE);
    let newest: string | null = null;
    if (fs.existsSync(file)) {
      const db = openDatabase(file);
      try {
        newest = db.prepare('SELECT MAX(at) FROM audit_log').pluck().get() as string | null;
      } finally {
        db.close();
      }
    }
    if (newest && Date.parse(newest) > now.getTime() + 60_000)
      return {
        ok: false,
        detail: `clock ${now.toISOString()} is behind the last audit entry ${newest}: enable NTP (timedatectl set-ntp true)`,
      };
    return { ok: true, detail: `${now.toISOString()} (UTC)` };
  });
  return checks;
}
