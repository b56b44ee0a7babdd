import { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

/**
 * `linli purge`'s part for proof-of-play: deletes plays and touches older than `days` (audited `stats.purge`).
 * The running server does the same once a day (StatsService.start).
 */
export function purgeStats(
  db: Db,
  clock: Clock,
  days: number,
): { plays: number; touches: number; batches: number } {
  const service = new StatsService(
    new StatsRepository(db),
    { timeZoneOfDevice: () => 'UTC' },
    new AuditService(db, clock),
    clock,
    days,
  );
  return service.purge();
}
