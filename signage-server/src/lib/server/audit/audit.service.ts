import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { AuditRepository } from './audit.repository';
import type { AuditEntry, AuditQuery, AuditRecord } from './audit.schema';

/** Entries per audit page. */
export const AUDIT_PAGE_SIZE = 50;

/**
 * The audit trail: who did what to which object, when. Every privileged action records here (logins, user and
 * role changes, registry edits, imports, content publishing, device enrolment). Write it inside the same
 * transaction as the change it describes where there is one, so a rolled-back change leaves no false entry.
 */
export class AuditService {
  private readonly repository: AuditRepository;

  constructor(
    db: Db,
    private readonly clock: Clock,
  ) {
    this.repository = new AuditRepository(db);
  }

  /** Appends one entry; returns its id. */
  record({ actor, action, target = '', detail = {} }: AuditRecord): number {
    const name = actor === null ? 'system' : typeof actor === 'string' ? actor : actor.username;
    return this.repository.insert({
      at: this.clock.now().toISOString(),
      actor: name,
      action,
      target,
      detail,
    });
  }

  /** A page of entries, newest first. */
  list(query: AuditQuery): { entries: AuditEntry[]; total: number; page: number; pages: number } {
    const page = query.page;
    const { entries, total } = this.repository.list({
      actor: query.actor || undefined,
      actionPrefix: query.action || undefined,
      limit: AUDIT_PAGE_SIZE,
      offset: (page - 1) * AUDIT_PAGE_SIZE,
    });
    return { entries, total, page, pages: Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE)) };
  }
}
