import type { CacheDatabase } from './cache/cache-database';

/** A registration waiting in the outbox. `payload` is the VisitorRegistrationV1 JSON (with personal data). */
export interface PendingRegistration {
  clientRef: string;
  payload: string;
  deferred: boolean;
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
}

/** How one client_ref stands in the outbox. */
export type OutboxState =
  | { state: 'pending'; deferred: boolean; attempts: number; lastError: string | null }
  | { state: 'delivered'; visitId: string; deliveredAt: string };

/** All SQL of the visitor outbox (cache.db, migration 0005). */
export class VisitorOutboxRepository {
  constructor(private readonly db: CacheDatabase) {
    // Freed pages and cells are zeroed, so a delivered visitor's ID number does not linger in the file's free space.
    db.pragma('secure_delete = ON');
  }

  add(entry: { clientRef: string; payload: string; createdAt: string }): void {
    this.db
      .prepare(
        `INSERT INTO visitor_outbox (client_ref, payload, state, created_at, next_attempt_at)
         VALUES (?, ?, 'pending', ?, ?)`,
      )
      .run(entry.clientRef, entry.payload, entry.createdAt, entry.createdAt);
  }

  get(clientRef: string): OutboxState | null {
    const row = this.db
      .prepare(
        `SELECT state, deferred, attempts, last_error AS lastError, visit_id AS visitId, delivered_at AS deliveredAt
         FROM visitor_outbox WHERE client_ref = ?`,
      )
      .get(clientRef) as
      | {
          state: 'pending' | 'delivered';
          deferred: number;
          attempts: number;
          lastError: string | null;
          visitId: string | null;
          deliveredAt: string | null;
        }
      | undefined;
    if (!row) return null;
    return row.state === 'pending'
      ? { state: 'pending', deferred: row.deferred === 1, attempts: row.attempts, lastError: row.lastError }
      : { state: 'delivered', visitId: row.visitId ?? '', deliveredAt: row.deliveredAt ?? '' };
  }

  pending(clientRef: string): PendingRegistration | null {
    const row = this.db
      .prepare(
        `SELECT client_ref AS clientRef, payload, deferred, attempts, created_at AS createdAt,
                next_attempt_at AS nextAttemptAt
         FROM visitor_outbox WHERE client_ref = ? AND state = 'pending'`,
      )
      .get(clientRef) as (Omit<PendingRegistration, 'deferred'> & { deferred: number }) | undefined;
    return row ? { ...row, deferred: row.deferred === 1 } : null;
  }

  /** Pending registrations whose next attempt is due, oldest first. */
  due(now: string, limit: number): string[] {
    return (
      this.db
        .prepare(
          `SELECT client_ref AS clientRef FROM visitor_outbox
           WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY created_at, client_ref LIMIT ?`,
        )
        .all(now, limit) as { clientRef: string }[]
    ).map((row) => row.clientRef);
  }

  /** When the next pending registration is due, or null when none waits. */
  nextDue(): string | null {
    const row = this.db
      .prepare(`SELECT MIN(next_attempt_at) AS next FROM visitor_outbox WHERE state = 'pending'`)
      .get() as { next: string | null };
    return row.next;
  }

  countPending(): number {
    return (
      this.db.prepare(`SELECT COUNT(*) AS n FROM visitor_outbox WHERE state = 'pending'`).get() as {
        n: number;
      }
    ).n;
  }

  attemptFailed(
    clientRef: string,
    update: { deferred: boolean; nextAttemptAt: string; error: string },
  ): void {
    this.db
      .prepare(
        `UPDATE visitor_outbox SET attempts = attempts + 1, deferred = MAX(deferred, ?), next_attempt_at = ?,
                last_error = ? WHERE client_ref = ? AND state = 'pending'`,
      )
      .run(update.deferred ? 1 : 0, update.nextAttemptAt, update.error.slice(0, 300), clientRef);
  }

  /**
   * The server has the visit: the personal data leaves the outbox in the same statement, and the WAL is
   * checkpointed and truncated, so no copy of the old page stays in `cache.db-wal` either.
   */
  delivered(clientRef: string, visitId: string, at: string): void {
    this.db
      .prepare(
        `UPDATE visitor_outbox SET state = 'delivered', payload = NULL, visit_id = ?, delivered_at = ?,
                attempts = attempts + 1, last_error = NULL WHERE client_ref = ? AND state = 'pending'`,
      )
      .run(visitId, at, clientRef);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** The server refused the registration itself: nothing of it is kept. */
  remove(clientRef: string): void {
    this.db.prepare(`DELETE FROM visitor_outbox WHERE client_ref = ?`).run(clientRef);
    this.db.pragma('wal_checkpoint(TRUNCATE)');
  }

  /** Forgets delivered entries older than `before` (they only served the waiting screen). */
  purgeDelivered(before: string): number {
    return this.db
      .prepare(`DELETE FROM visitor_outbox WHERE state = 'delivered' AND delivered_at < ?`)
      .run(before).changes;
  }
}
