import type { Db } from '../db/database';

/** A play as stored, with its calendar day in the device's time zone. */
export interface PlayRow {
  itemId: string | null;
  assetSha256: string | null;
  zone: string;
  startedAt: string;
  durationMs: number;
  day: string;
}
/** A touch as stored. */
export interface TouchRow {
  itemId: string;
  openedAt: string;
  dwellMs: number;
  day: string;
}

/** One row of the report: what one device showed (and residents opened) of one item on one day. */
export interface StatsRow {
  day: string;
  deviceId: string;
  deviceName: string;
  /** The item id, or `asset:<sha256>` for a bare picture. */
  subject: string;
  plays: number;
  playSeconds: number;
  touches: number;
  dwellSeconds: number;
}

/** Which days, devices and items a report covers (days inclusive, YYYY-MM-DD). */
export interface StatsFilter {
  from: string;
  to: string;
  deviceId?: string | undefined;
  subject?: string | undefined;
}

/** The SQL of proof-of-play (the only place with it). */
export class StatsRepository {
  constructor(private readonly db: Db) {}

  /**
   * Stores a batch once: the (device, batch) row and its events in one transaction. False when the batch was
   * stored before (nothing is written again).
   */
  insertBatch(
    deviceId: string,
    batchId: string,
    receivedAt: string,
    plays: readonly PlayRow[],
    touches: readonly TouchRow[],
  ): boolean {
    return this.db
      .transaction(() => {
        const fresh =
          this.db
            .prepare(
              `INSERT INTO stats_batches (device_id, batch_id, received_at, plays, touches) VALUES (?, ?, ?, ?, ?)
             ON CONFLICT (device_id, batch_id) DO NOTHING`,
            )
            .run(deviceId, batchId, receivedAt, plays.length, touches.length).changes > 0;
        if (!fresh) return false;
        const play = this.db.prepare(
          `INSERT INTO play_events (device_id, item_id, asset_sha256, zone, started_at, duration_ms, day)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        );
        for (const row of plays)
          play.run(deviceId, row.itemId, row.assetSha256, row.zone, row.startedAt, row.durationMs, row.day);
        const touch = this.db.prepare(
          'INSERT INTO touch_events (device_id, item_id, opened_at, dwell_ms, day) VALUES (?, ?, ?, ?, ?)',
        );
        for (const row of touches) touch.run(deviceId, row.itemId, row.openedAt, row.dwellMs, row.day);
        return true;
      })
      .immediate();
  }

  /** The earlier answer to a batch received before. */
  batch(deviceId: string, batchId: string): { plays: number; touches: number } | null {
    return (
      (this.db
        .prepare('SELECT plays, touches FROM stats_batches WHERE device_id = ? AND batch_id = ?')
        .get(deviceId, batchId) as { plays: number; touches: number } | undefined) ?? null
    );
  }

  /** Per day, device and item: plays, play time, touches and dwell time. */
  report(filter: StatsFilter, limit: number): StatsRow[] {
    const params = {
      from: filter.from,
      to: filter.to,
      device: filter.deviceId ?? null,
      subject: filter.subject ?? null,
      limit,
    };
    return this.db
      .prepare(
        `WITH events AS (
           SELECT day, device_id, COALESCE(item_id, 'asset:' || asset_sha256) AS subject,
             1 AS plays, duration_ms AS play_ms, 0 AS touches, 0 AS dwell_ms
           FROM play_events WHERE day BETWEEN @from AND @to
           UNION ALL
           SELECT day, device_id, item_id, 0, 0, 1, dwell_ms
           FROM touch_events WHERE day BETWEEN @from AND @to
         )
         SELECT e.day, e.device_id AS deviceId, COALESCE(d.name, e.device_id) AS deviceName, e.subject,
           SUM(e.plays) AS plays, ROUND(SUM(e.play_ms) / 1000.0) AS playSeconds,
           SUM(e.touches) AS touches, ROUND(SUM(e.dwell_ms) / 1000.0) AS dwellSeconds
         FROM events e LEFT JOIN devices d ON d.id = e.device_id
         WHERE (@device IS NULL OR e.device_id = @device) AND (@subject IS NULL OR e.subject = @subject)
         GROUP BY e.day, e.device_id, e.subject
         ORDER BY e.day DESC, plays DESC, e.subject, deviceName
         LIMIT @limit`,
      )
      .all(params) as StatsRow[];
  }

  /** Deletes events (and batch receipts) older than `before` (ISO instant). */
  purgeBefore(before: string): { plays: number; touches: number; batches: number } {
    return this.db
      .transaction(() => ({
        plays: this.db.prepare('DELETE FROM play_events WHERE started_at < ?').run(before).changes,
        touches: this.db.prepare('DELETE FROM touch_events WHERE opened_at < ?').run(before).changes,
        // A receipt outlives its events by the same period: a kiosk's retry that late is long gone.
        batches: this.db.prepare('DELETE FROM stats_batches WHERE received_at < ?').run(before).changes,
      }))
      .immediate();
  }
}
