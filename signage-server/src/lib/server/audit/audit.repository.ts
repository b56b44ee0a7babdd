import type { Db } from '../db/database';
import type { AuditEntry } from './audit.schema';

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  target: string;
  detail: string;
}

/** Filters for listing; `action` matches a prefix ('auth.' lists every login event). */
export interface AuditFilter {
  actor?: string;
  actionPrefix?: string;
  limit: number;
  offset: number;
}

/** SQL of the audit log. Append-only: there is deliberately no update or delete. */
export class AuditRepository {
  constructor(private readonly db: Db) {}

  insert(entry: Omit<AuditEntry, 'id'>): number {
    const result = this.db
      .prepare('INSERT INTO audit_log (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)')
      .run(entry.at, entry.actor, entry.action, entry.target, JSON.stringify(entry.detail));
    return Number(result.lastInsertRowid);
  }

  list(filter: AuditFilter): { entries: AuditEntry[]; total: number } {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.actor) {
      where.push('actor = ? COLLATE NOCASE');
      params.push(filter.actor);
    }
    if (filter.actionPrefix) {
      // escape LIKE wildcards so a filter of '%' does not match everything
      where.push("action LIKE ? ESCAPE '\\'");
      params.push(`${filter.actionPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM audit_log ${clause}`).get(...params) as { n: number }
    ).n;
    const rows = this.db
      .prepare(`SELECT * FROM audit_log ${clause} ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(...params, filter.limit, filter.offset) as AuditRow[];
    return { entries: rows.map(toEntry), total };
  }
}

function toEntry(row: AuditRow): AuditEntry {
  let detail: Record<string, unknown> = {};
  try {
    detail = JSON.parse(row.detail) as Record<string, unknown>;
  } catch {
    detail = { raw: row.detail };
  }
  return { id: row.id, at: row.at, actor: row.actor, action: row.action, target: row.target, detail };
}
