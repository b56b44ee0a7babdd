import { randomUUID } from 'node:crypto';
import type { CacheDatabase } from './cache/cache-database';

/** A sealed batch waiting for the server. */
export interface PlayLogBatch {
  batchId: string;
  attempts: number;
  plays: unknown[];
  touches: unknown[];
}

/** The SQL of the proof-of-play outbox (cache.db, migration 0007). */
export class PlayLogRepository {
  constructor(private readonly db: CacheDatabase) {}

  /** Appends one play or touch (its own small transaction: one row). */
  append(kind: 'play' | 'touch', payload: unknown, createdAt: string): void {
    this.db
      .prepare('INSERT INTO play_log (kind, payload, created_at) VALUES (?, ?, ?)')
      .run(kind, JSON.stringify(payload), createdAt);
  }

  /**
   * The oldest sealed batch that is due, or — when none is sealed — a new batch sealed now from up to `max`
   * unsealed rows. Sealing is one transaction: a row belongs to exactly one batch id from then on, whatever
   * happens to the process, so every retry sends the same rows under the same id.
   */
  nextBatch(now: string, max: number): PlayLogBatch | null {
    return this.db.transaction((): PlayLogBatch | null => {
      const sealed = this.db
        .prepare(
          'SELECT batch_id, attempts, next_attempt_at FROM play_log_batches ORDER BY sealed_at, batch_id LIMIT 1',
        )
        .get() as { batch_id: string; attempts: number; next_attempt_at: string } | undefined;
      if (sealed) {
        if (sealed.next_attempt_at > now) return null;
        return this.load(sealed.batch_id, sealed.attempts);
      }
      const ids = this.db
        .prepare('SELECT id FROM play_log WHERE batch_id IS NULL ORDER BY id LIMIT ?')
        .pluck()
        .all(max) as number[];
      if (ids.length === 0) return null;
      const batchId = randomUUID();
      this.db
        .prepare('INSERT INTO play_log_batches (batch_id, sealed_at, next_attempt_at) VALUES (?, ?, ?)')
        .run(batchId, now, now);
      this.db
        .prepare('UPDATE play_log SET batch_id = ? WHERE batch_id IS NULL AND id <= ?')
        .run(batchId, ids[ids.length - 1]);
      return this.load(batchId, 0);
    })();
  }

  /** The server has the batch: its rows go. */
  delivered(batchId: string): void {
    this.db.prepare('DELETE FROM play_log_batches WHERE batch_id = ?').run(batchId);
  }

  /** A failed attempt: count it and say when to try again. */
  attemptFailed(batchId: string, nextAttemptAt: string, error: string): void {
    this.db
      .prepare(
        'UPDATE play_log_batches SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE batch_id = ?',
      )
      .run(nextAttemptAt, error.slice(0, 500), batchId);
  }

  /** Drops a batch the server refused as malformed (it can never be delivered). */
  discard(batchId: string): void {
    this.delivered(batchId);
  }

  /** When the oldest sealed batch is due, or null when none is sealed. */
  nextDue(): string | null {
    return (
      (this.db
        .prepare('SELECT next_attempt_at FROM play_log_batches ORDER BY sealed_at, batch_id LIMIT 1')
        .pluck()
        .get() as string | undefined) ?? null
    );
  }

  /** Rows not yet delivered (sealed or not). */
  pendingCount(): number {
    return this.db.prepare('SELECT COUNT(*) FROM play_log').pluck().get() as number;
  }

  private load(batchId: string, attempts: number): PlayLogBatch {
    const rows = this.db
      .prepare('SELECT kind, payload FROM play_log WHERE batch_id = ? ORDER BY id')
      .all(batchId) as { kind: 'play' | 'touch'; payload: string }[];
    const plays: unknown[] = [];
    const touches: unknown[] = [];
    for (const row of rows) (row.kind === 'play' ? plays : touches).push(JSON.parse(row.payload));
    return { batchId, attempts, plays, touches };
  }
}
