// Retention: what `linli purge` (and the daily linli-purge.timer of the Debian package) removes.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Clock } from '../lib/server/clock';
import type { Db } from '../lib/server/db/database';
import { DEFAULT_VISITOR_RETENTION_DAYS, purgeVisitors } from '../lib/server/visitors/visitor-retention';
import { purgeStats } from '../lib/server/stats/stats-retention';
import { DEFAULT_STATS_RETENTION_DAYS } from '../lib/server/stats/stats.service';

/** Retention settings from /etc/linli/linli.env (LINLI_RETENTION_*). */
export const RetentionPolicy = z.object({
  /** Audit entries older than this many days are deleted (default 3 years: long enough for a dispute). */
  auditDays: z.coerce
    .number()
    .int()
    .min(30)
    .default(3 * 365),
  /** Automatic pre-upgrade backups kept in <dataDir>/backups (newest first). */
  backupsKept: z.coerce.number().int().min(1).default(3),
  /** Visits keep their identity data this many days (LINLI_RETENTION_VISITOR_DAYS), then are anonymised. */
  visitorDays: z.coerce.number().int().min(1).max(3650).default(DEFAULT_VISITOR_RETENTION_DAYS),
  /** Plays and touches are kept this many days (LINLI_STATS_RETENTION_DAYS), for the proof-of-play reports. */
  statsDays: z.coerce.number().int().min(1).max(3650).default(DEFAULT_STATS_RETENTION_DAYS),
});
export type RetentionPolicy = z.infer<typeof RetentionPolicy>;

/** What a purge removed. */
export interface PurgeReport {
  expiredSessions: number;
  expiredPairingCodes: number;
  auditEntries: number;
  oldBackups: string[];
  /** Visits anonymised and ended watch-list entries deleted. */
  visitors: { visits: number; watchlist: number };
  /** Proof-of-play records deleted. */
  stats: { plays: number; touches: number; batches: number };
}

/**
 * Deletes what is past its retention: expired sessions and pairing codes, audit entries older than the policy,
 * and all but the newest automatic backups. One transaction for the database part, so a purge is all or nothing.
 */
export function purgeExpired(db: Db, dataDir: string, policy: RetentionPolicy, clock: Clock): PurgeReport {
  const now = clock.now();
  const auditBefore = new Date(now.getTime() - policy.auditDays * 86_400_000).toISOString();
  const at = now.toISOString();
  const report = db
    .transaction(() => ({
      expiredSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(at).changes,
      // a used code is kept with its device (it records who enrolled it); only unused, expired ones go
      expiredPairingCodes: db
        .prepare('DELETE FROM pairing_codes WHERE used_at IS NULL AND expires_at <= ?')
        .run(at).changes,
      auditEntries: db.prepare('DELETE FROM audit_log WHERE at < ?').run(auditBefore).changes,
    }))
    .immediate();
  const backupsDir = path.join(dataDir, 'backups');
  const automatic = fs.existsSync(backupsDir)
    ? fs
        .readdirSync(backupsDir)
        .filter((name) => /^pre-upgrade-.*\.tar\.gz$/.test(name))
        .sort()
        .reverse()
    : [];
  const oldBackups = automatic.slice(policy.backupsKept);
  for (const name of oldBackups) fs.rmSync(path.join(backupsDir, name));
  // its own transaction: visitor purges are audited, and the audit purge above must not take that entry
  const visitors = purgeVisitors(db, clock, policy.visitorDays);
  const stats = purgeStats(db, clock, policy.statsDays);
  return { ...report, oldBackups, visitors, stats };
}
