import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { AuditService } from '../audit/audit.service';
import { VisitorRepository } from './visitor.repository';

/** Default days a visit keeps its identity data (LINLI_RETENTION_VISITOR_DAYS); the consent text states it. */
export const DEFAULT_VISITOR_RETENTION_DAYS = 90;

/**
 * Anonymises visits registered more than `days` ago (every personal field emptied, the confirmation links
 * deleted; time, building, unit and outcome stay for statistics) and deletes watch-list entries that ended that
 * long ago. Audit entries are kept: they hold masked data only. One transaction.
 */
export function purgeVisitors(db: Db, clock: Clock, days: number): { visits: number; watchlist: number } {
  const repository = new VisitorRepository(db);
  const audit = new AuditService(db, clock);
  const now = clock.now();
  const before = new Date(now.getTime() - days * 86_400_000).toISOString();
  return db
    .transaction(() => {
      const visits = repository.purgeBefore(before, now.toISOString());
      const watchlist = repository.purgeWatchlistBefore(before);
      if (visits > 0 || watchlist > 0)
        audit.record({ actor: null, action: 'visitor.purge', detail: { visits, watchlist, before, days } });
      return { visits, watchlist };
    })
    .immediate();
}
