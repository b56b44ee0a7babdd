import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/database';
import { schemaVersion } from '../db/database';
import { migrations } from '../db/migrations/index';

/** What /readyz reports: each check and whether all passed. */
export interface Readiness {
  ready: boolean;
  checks: Record<string, { ok: boolean; detail?: string }>;
}

/**
 * Whether this process can serve traffic: the database answers, its schema is exactly this build's (a half-done
 * upgrade is not ready), the data directory is writable and the key files are present. /healthz only says the
 * process is alive; a load balancer or the upgrade script waits for /readyz.
 */
export function checkReadiness(db: Db, dataDir: string): Readiness {
  const checks: Readiness['checks'] = {};
  try {
    db.prepare('SELECT 1').get();
    const version = schemaVersion(db);
    checks.database = { ok: true };
    checks.schema =
      version === migrations.length
        ? { ok: true }
        : { ok: false, detail: `schema ${version}, this build expects ${migrations.length}` };
  } catch (error) {
    checks.database = { ok: false, detail: (error as Error).message };
  }
  try {
    fs.accessSync(dataDir, fs.constants.W_OK);
    checks.dataDir = { ok: true };
  } catch {
    checks.dataDir = { ok: false, detail: 'data directory is not writable' };
  }
  const missing = ['manifest-ed25519.pem', 'data.key', 'hash.key'].filter(
    (name) => !fs.existsSync(path.join(dataDir, 'keys', name)),
  );
  checks.keys = missing.length ? { ok: false, detail: `missing ${missing.join(', ')}` } : { ok: true };
  return { ready: Object.values(checks).every((check) => check.ok), checks };
}
