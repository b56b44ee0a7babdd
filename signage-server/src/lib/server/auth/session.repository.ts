import type { Db } from '../db/database';

/** A stored session (the cookie value itself is never stored: `idHash` is its sha256). */
export interface SessionRecord {
  idHash: string;
  userId: string;
  csrfToken: string;
  createdAt: string;
  /** Absolute end of the session, fixed at login. */
  expiresAt: string;
  /** Last request seen; the idle limit counts from here. */
  lastSeenAt: string;
}

interface SessionRow {
  id_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
}

/** SQL of the sessions table. */
export class SessionRepository {
  constructor(private readonly db: Db) {}

  insert(session: SessionRecord): void {
    this.db
      .prepare(
        `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
         VALUES (@idHash, @userId, @csrfToken, @createdAt, @expiresAt, @lastSeenAt)`,
      )
      .run(session);
  }

  find(idHash: string): SessionRecord | null {
    const row = this.db.prepare('SELECT * FROM sessions WHERE id_hash = ?').get(idHash) as
      SessionRow | undefined;
    return row
      ? {
          idHash: row.id_hash,
          userId: row.user_id,
          csrfToken: row.csrf_token,
          createdAt: row.created_at,
          expiresAt: row.expires_at,
          lastSeenAt: row.last_seen_at,
        }
      : null;
  }

  touch(idHash: string, at: string): void {
    this.db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?').run(at, idHash);
  }

  delete(idHash: string): boolean {
    return this.db.prepare('DELETE FROM sessions WHERE id_hash = ?').run(idHash).changes > 0;
  }

  deleteForUser(userId: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE user_id = ?').run(userId).changes;
  }

  /** Drops sessions past their absolute end or idle since before `idleBefore`. */
  deleteExpired(now: string, idleBefore: string): number {
    return this.db
      .prepare('DELETE FROM sessions WHERE expires_at <= ? OR last_seen_at <= ?')
      .run(now, idleBefore).changes;
  }

  countForUser(userId: string): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM sessions WHERE user_id = ?').get(userId) as { n: number }
    ).n;
  }
}
