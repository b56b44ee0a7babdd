import type { Db } from '../db/database';

/** Failed-login bookkeeping for one key ('user:<name>' or 'ip:<address>'). */
export interface ThrottleRecord {
  key: string;
  failures: number;
  firstFailureAt: string;
  lastFailureAt: string;
  lockedUntil: string | null;
}

interface ThrottleRow {
  key: string;
  failures: number;
  first_failure_at: string;
  last_failure_at: string;
  locked_until: string | null;
}

/** SQL of the login_throttle table. */
export class ThrottleRepository {
  constructor(private readonly db: Db) {}

  find(key: string): ThrottleRecord | null {
    const row = this.db.prepare('SELECT * FROM login_throttle WHERE key = ?').get(key) as
      ThrottleRow | undefined;
    return row
      ? {
          key: row.key,
          failures: row.failures,
          firstFailureAt: row.first_failure_at,
          lastFailureAt: row.last_failure_at,
          lockedUntil: row.locked_until,
        }
      : null;
  }

  save(record: ThrottleRecord): void {
    this.db
      .prepare(
        `INSERT INTO login_throttle (key, failures, first_failure_at, last_failure_at, locked_until)
         VALUES (@key, @failures, @firstFailureAt, @lastFailureAt, @lockedUntil)
         ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, first_failure_at = excluded.first_failure_at,
           last_failure_at = excluded.last_failure_at, locked_until = excluded.locked_until`,
      )
      .run(record);
  }

  delete(key: string): boolean {
    return this.db.prepare('DELETE FROM login_throttle WHERE key = ?').run(key).changes > 0;
  }
}
