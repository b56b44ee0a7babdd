import type { CacheDatabase } from './cache/cache-database';

/** A rating waiting in the outbox. */
export interface PendingRating {
  clientRef: string;
  itemId: string;
  score: number;
  attempts: number;
}

/** All SQL of the ratings outbox (cache.db, migration 0008). */
export class RatingOutboxRepository {
  constructor(private readonly db: CacheDatabase) {}

  add(rating: { clientRef: string; itemId: string; score: number }, now: string): void {
    this.db
      .prepare(
        `INSERT INTO rating_outbox (client_ref, item_id, score, created_at, next_attempt_at)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(rating.clientRef, rating.itemId, rating.score, now, now);
  }

  get(clientRef: string): PendingRating | null {
    const row = this.db
      .prepare(
        `SELECT client_ref AS clientRef, item_id AS itemId, score, attempts FROM rating_outbox
         WHERE client_ref = ?`,
      )
      .get(clientRef) as PendingRating | undefined;
    return row ?? null;
  }

  /** The ratings due at `now`, oldest first. */
  due(now: string, limit: number): PendingRating[] {
    return this.db
      .prepare(
        `SELECT client_ref AS clientRef, item_id AS itemId, score, attempts FROM rating_outbox
         WHERE next_attempt_at <= ? ORDER BY created_at, client_ref LIMIT ?`,
      )
      .all(now, limit) as PendingRating[];
  }

  /** The earliest time a rating is due, or null when the outbox is empty. */
  nextDue(): string | null {
    const due = this.db.prepare('SELECT min(next_attempt_at) FROM rating_outbox').pluck().get() as
      string | null;
    return due ?? null;
  }

  pendingCount(): number {
    return this.db.prepare('SELECT count(*) FROM rating_outbox').pluck().get() as number;
  }

  /** The server has it (or refused it for good): it leaves the outbox. */
  remove(clientRef: string): void {
    this.db.prepare('DELETE FROM rating_outbox WHERE client_ref = ?').run(clientRef);
  }

  attemptFailed(clientRef: string, nextAttemptAt: string, error: string): void {
    this.db
      .prepare(
        `UPDATE rating_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
         WHERE client_ref = ?`,
      )
      .run(nextAttemptAt, error.slice(0, 500), clientRef);
  }
}
