import { DeviceAlertV1 } from '@linli/content';
import type { CacheDatabase } from './cache/cache-database';

/** All SQL of the kiosk's stored alerts (cache.db, migration 0006). */
export class AlertRepository {
  constructor(private readonly db: CacheDatabase) {}

  /** Replaces the stored set with the server's latest one, in one transaction (never half of each). */
  replaceAll(alerts: readonly DeviceAlertV1[], receivedAt: string): void {
    const insert = this.db.prepare(
      'INSERT INTO alerts (id, alert, expires_at, received_at) VALUES (?, ?, ?, ?)',
    );
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM alerts').run();
      for (const alert of alerts) insert.run(alert.id, JSON.stringify(alert), alert.expiresAt, receivedAt);
    })();
  }

  /** The stored alerts, oldest raised first; a row that no longer parses (older schema) is skipped. */
  list(): DeviceAlertV1[] {
    const rows = this.db.prepare('SELECT alert FROM alerts').all() as { alert: string }[];
    return rows
      .flatMap((row) => {
        const parsed = DeviceAlertV1.safeParse(JSON.parse(row.alert));
        return parsed.success ? [parsed.data] : [];
      })
      .sort((a, b) => a.raisedAt.localeCompare(b.raisedAt));
  }
}
