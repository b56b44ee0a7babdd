import type { Db } from '../db/database';

/** One access log row, as the writer thread and `appendLog` insert it. */
export const ACCESS_LOG_INSERT_SQL =
  'INSERT INTO access_log (at, door_id, credential_kind, subject, allow, reason) VALUES (?, ?, ?, ?, ?, ?)';
/** Values per row in `AccessLogRows`. */
export const ACCESS_LOG_ROW_WIDTH = 6;
/**
 * Buffered access log rows, flat (`[atMs, doorId, kind, subject, allow 0|1, reason, …]`): one array of
 * primitives per batch is cheap to fill on the request path and to copy to the writer thread.
 */
export type AccessLogRows = (string | number | null)[];

/** A resident's access card binding. */
export interface AccessCardRecord {
  uid: string;
  residentId: string;
  status: 'active' | 'blocked';
  boundBy: string;
  boundAt: string;
  blockedBy: string | null;
  blockedAt: string | null;
  buildingIds: string[];
}

/** One door decision. */
export interface AccessLogEntry {
  id?: number;
  at: string;
  doorId: string;
  credentialKind: 'qr' | 'card';
  subject: string | null;
  allow: boolean;
  reason: string;
}

/** SQL of door secrets, access cards and the access log. */
export class AccessRepository {
  private readonly insertLog;
  private readonly cardStatement;
  private readonly cardBuildingsStatement;
  private readonly passHolderStatement;
  private readonly residentPlaceStatement;

  constructor(readonly db: Db) {
    this.insertLog = db.prepare(ACCESS_LOG_INSERT_SQL);
    this.cardStatement = db.prepare('SELECT * FROM access_cards WHERE uid = ?');
    this.cardBuildingsStatement = db.prepare(
      'SELECT building_id FROM access_card_buildings WHERE uid = ? ORDER BY building_id',
    );
    this.passHolderStatement = db.prepare(
      'SELECT visitor_name_masked AS nameMasked, pass_valid_to AS validTo FROM visits WHERE pass_id = ?',
    );
    this.residentPlaceStatement = db.prepare(
      `SELECT b.community_id AS communityId, r.name FROM residents r JOIN units u ON u.id = r.unit_id
         JOIN buildings b ON b.id = u.building_id WHERE r.id = ?`,
    );
  }

  doorSecrets(): { doorId: string; secretHash: string }[] {
    return this.db
      .prepare('SELECT door_id AS doorId, secret_hash AS secretHash FROM access_door_secrets')
      .all() as { doorId: string; secretHash: string }[];
  }

  setDoorSecret(doorId: string, secretHash: string, by: string, at: string): void {
    this.db
      .prepare(
        `INSERT INTO access_door_secrets (door_id, secret_hash, issued_by, issued_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (door_id) DO UPDATE SET secret_hash = excluded.secret_hash, issued_by = excluded.issued_by,
           issued_at = excluded.issued_at`,
      )
      .run(doorId, secretHash, by, at);
  }

  doorSecretIssued(): Map<string, string> {
    const rows = this.db.prepare('SELECT door_id, issued_at FROM access_door_secrets').all() as {
      door_id: string;
      issued_at: string;
    }[];
    return new Map(rows.map((r) => [r.door_id, r.issued_at]));
  }

  card(uid: string): AccessCardRecord | null {
    const row = this.cardStatement.get(uid) as Record<string, string | null> | undefined;
    if (!row) return null;
    return {
      uid: row.uid!,
      residentId: row.resident_id!,
      status: row.status as AccessCardRecord['status'],
      boundBy: row.bound_by!,
      boundAt: row.bound_at!,
      blockedBy: row.blocked_by ?? null,
      blockedAt: row.blocked_at ?? null,
      buildingIds: this.cardBuildingsStatement.pluck().all(uid) as string[],
    };
  }

  /** Binds (or re-binds) a card to a resident and exactly these buildings, active. */
  bindCard(uid: string, residentId: string, buildingIds: string[], by: string, at: string): void {
    this.db
      .prepare(
        `INSERT INTO access_cards (uid, resident_id, status, bound_by, bound_at) VALUES (?, ?, 'active', ?, ?)
         ON CONFLICT (uid) DO UPDATE SET resident_id = excluded.resident_id, status = 'active',
           bound_by = excluded.bound_by, bound_at = excluded.bound_at, blocked_by = NULL, blocked_at = NULL`,
      )
      .run(uid, residentId, by, at);
    this.db.prepare('DELETE FROM access_card_buildings WHERE uid = ?').run(uid);
    const insert = this.db.prepare('INSERT INTO access_card_buildings (uid, building_id) VALUES (?, ?)');
    for (const buildingId of buildingIds) insert.run(uid, buildingId);
  }

  setCardStatus(uid: string, status: 'active' | 'blocked', by: string, at: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE access_cards SET status = ?, blocked_by = CASE WHEN ? = 'blocked' THEN ? END,
             blocked_at = CASE WHEN ? = 'blocked' THEN ? END WHERE uid = ? AND status <> ?`,
        )
        .run(status, status, by, status, at, uid, status).changes === 1
    );
  }

  /** Cards bound to residents of one community, with the holder's name and unit for the station. */
  cardsOfCommunity(communityId: string): (AccessCardRecord & { residentName: string; unitLabel: string })[] {
    const rows = this.db
      .prepare(
        `SELECT ac.uid, r.name AS resident_name, b.name || ' ' || u.number AS unit_label
         FROM access_cards ac JOIN residents r ON r.id = ac.resident_id JOIN units u ON u.id = r.unit_id
           JOIN buildings b ON b.id = u.building_id
         WHERE b.community_id = ? ORDER BY ac.bound_at DESC`,
      )
      .all(communityId) as { uid: string; resident_name: string; unit_label: string }[];
    return rows.map((row) => ({
      ...this.card(row.uid)!,
      residentName: row.resident_name,
      unitLabel: row.unit_label,
    }));
  }

  /**
   * Writes buffered log rows in one transaction on this connection. The server writes them from a worker thread
   * instead (`AccessLogWriter`); this is for in-memory databases and for when that thread fails.
   */
  appendLog(rows: AccessLogRows): void {
    if (rows.length === 0) return;
    this.db
      .transaction(() => {
        for (let i = 0; i < rows.length; i += ACCESS_LOG_ROW_WIDTH)
          this.insertLog.run(
            new Date(rows[i] as number).toISOString(),
            rows[i + 1],
            rows[i + 2],
            rows[i + 3],
            rows[i + 4],
            rows[i + 5],
          );
      })
      .immediate();
  }

  listLog(filter: { doorId?: string; limit: number; offset: number }): AccessLogEntry[] {
    const rows = this.db
      .prepare(`SELECT * FROM access_log WHERE (? IS NULL OR door_id = ?) ORDER BY id DESC LIMIT ? OFFSET ?`)
      .all(filter.doorId ?? null, filter.doorId ?? null, filter.limit, filter.offset) as Record<
      string,
      string | number | null
    >[];
    return rows.map((r) => ({
      id: Number(r.id),
      at: String(r.at),
      doorId: String(r.door_id),
      credentialKind: r.credential_kind as 'qr' | 'card',
      subject: r.subject === null ? null : String(r.subject),
      allow: r.allow === 1,
      reason: String(r.reason),
    }));
  }

  /** Masked visitor name of a pass, for the door's display. */
  passHolder(passId: string): { nameMasked: string; validTo: string } | null {
    const row = this.passHolderStatement.get(passId) as { nameMasked: string; validTo: string } | undefined;
    return row ?? null;
  }

  /** A resident's community and name (for gates and the door's display). */
  residentPlace(residentId: string): { communityId: string; name: string } | null {
    const row = this.residentPlaceStatement.get(residentId) as
      { communityId: string; name: string } | undefined;
    return row ?? null;
  }
}
