import type { RatingSummary } from '@linli/content';
import type { Db } from '../db/database';

/** SQL for `provider_ratings`: one row per resident rating. */
export class RatingRepository {
  private readonly insertOne;
  private readonly countSince;
  private readonly summaryOf;
  private readonly summaries;
  private readonly insertKeyedStatement;
  private readonly byKey;

  constructor(db: Db) {
    this.insertOne = db.prepare(
      'INSERT INTO provider_ratings (item_id, device_id, score, created_at) VALUES (?, ?, ?, ?)',
    );
    this.insertKeyedStatement = db.prepare(
      `INSERT INTO provider_ratings (item_id, device_id, score, created_at, idempotency_key)
       VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
    );
    this.byKey = db.prepare<[string, string], { item_id: string; score: number }>(
      'SELECT item_id, score FROM provider_ratings WHERE device_id = ? AND idempotency_key = ?',
    );
    this.countSince = db.prepare<[string, string], { n: number }>(
      'SELECT count(*) AS n FROM provider_ratings WHERE device_id = ? AND created_at > ?',
    );
    this.summaryOf = db.prepare<[string], { n: number; average: number | null }>(
      'SELECT count(*) AS n, avg(score) AS average FROM provider_ratings WHERE item_id = ?',
    );
    this.summaries = db.prepare<[], { item_id: string; n: number; average: number }>(
      'SELECT item_id, count(*) AS n, avg(score) AS average FROM provider_ratings GROUP BY item_id',
    );
  }

  insert(itemId: string, deviceId: string, score: number, at: string): void {
    this.insertOne.run(itemId, deviceId, score, at);
  }

  /** Stores a rating with its idempotency key; false when that device sent the key before (nothing written). */
  insertKeyed(itemId: string, deviceId: string, score: number, at: string, key: string): boolean {
    return this.insertKeyedStatement.run(itemId, deviceId, score, at, key).changes === 1;
  }

  /** The rating a device sent with `key`, if any. */
  getByKey(deviceId: string, key: string): { itemId: string; score: number } | null {
    const row = this.byKey.get(deviceId, key);
    return row ? { itemId: row.item_id, score: row.score } : null;
  }

  /** How many ratings a device sent after `since`. */
  countByDeviceSince(deviceId: string, since: string): number {
    return this.countSince.get(deviceId, since)?.n ?? 0;
  }

  summary(itemId: string): RatingSummary | null {
    const row = this.summaryOf.get(itemId);
    return row && row.n > 0 && row.average !== null ? toSummary(row.n, row.average) : null;
  }

  /** The ratings of every rated card. */
  all(): Map<string, RatingSummary> {
    return new Map(this.summaries.all().map((row) => [row.item_id, toSummary(row.n, row.average)]));
  }
}

// one decimal is what screens show; rounding here keeps manifests from changing for invisible differences
const toSummary = (count: number, average: number): RatingSummary => ({
  count,
  average: Math.round(average * 10) / 10,
});
