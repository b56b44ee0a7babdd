import type { Db } from '../db/database';
import type { CardRecord, CardStatus, CardView } from './card.schema';

const VIEW = `
  SELECT c.id, c.uid, c.resident_id AS residentId, c.unit_id AS unitId, c.wallet_account_id AS walletAccountId,
         c.status, c.pin_failures AS pinFailures, c.pin_locked_at AS pinLockedAt, c.daily_limit AS dailyLimit,
         c.replaced_by AS replacedBy, c.issued_at AS issuedAt, c.updated_at AS updatedAt,
         r.name AS holderName, u.number AS unitNumber, b.name AS buildingName, b.community_id AS communityId,
         a.balance
  FROM cards c
  JOIN residents r ON r.id = c.resident_id
  JOIN units u ON u.id = c.unit_id
  JOIN buildings b ON b.id = u.building_id
  JOIN ledger_accounts a ON a.id = c.wallet_account_id`;

const RECORD = `
  SELECT id, uid, resident_id AS residentId, unit_id AS unitId, wallet_account_id AS walletAccountId, status,
         pin_hash AS pinHash, pin_failures AS pinFailures, pin_locked_at AS pinLockedAt, daily_limit AS dailyLimit,
         id_number_hash AS idNumberHash, replaced_by AS replacedBy, issued_at AS issuedAt, updated_at AS updatedAt
  FROM cards`;

/** SQL of cards. */
export class CardRepository {
  private readonly statements;

  constructor(readonly db: Db) {
    this.statements = {
      byId: db.prepare(`${RECORD} WHERE id = ?`),
      byUid: db.prepare(`${RECORD} WHERE uid = ?`),
      viewById: db.prepare(`${VIEW} WHERE c.id = ?`),
      insert: db.prepare(
        `INSERT INTO cards (id, uid, resident_id, unit_id, wallet_account_id, status, pin_hash, pin_failures,
           daily_limit, id_number_hash, issued_at, updated_at)
         VALUES (@id, @uid, @residentId, @unitId, @walletAccountId, 'active', @pinHash, 0, @dailyLimit,
           @idNumberHash, @issuedAt, @updatedAt)`,
      ),
      setStatus: db.prepare('UPDATE cards SET status = ?, replaced_by = ?, updated_at = ? WHERE id = ?'),
      pinFailed: db.prepare(
        `UPDATE cards SET pin_failures = pin_failures + 1,
           pin_locked_at = CASE WHEN pin_failures + 1 >= ? THEN ? ELSE pin_locked_at END, updated_at = ?
         WHERE id = ? RETURNING pin_failures AS failures`,
      ),
      setDailyLimit: db.prepare('UPDATE cards SET daily_limit = ?, updated_at = ? WHERE id = ?'),
      pinReset: db.prepare(
        'UPDATE cards SET pin_failures = 0, pin_locked_at = NULL, updated_at = ? WHERE id = ? AND pin_failures > 0',
      ),
      resident: db.prepare(
        `SELECT r.id, r.unit_id AS unitId, r.name, r.phone_hash AS phoneHash, b.community_id AS communityId
         FROM residents r JOIN units u ON u.id = r.unit_id JOIN buildings b ON b.id = u.building_id WHERE r.id = ?`,
      ),
      activeByResidentsAndIdHash: db.prepare(
        `SELECT c.id FROM cards c JOIN residents r ON r.id = c.resident_id
         WHERE r.phone_hash = ? AND c.id_number_hash = ? AND c.status = 'active'`,
      ),
    };
  }

  get(id: string): CardRecord | null {
    return (this.statements.byId.get(id) as CardRecord | undefined) ?? null;
  }

  getByUid(uid: string): CardRecord | null {
    return (this.statements.byUid.get(uid) as CardRecord | undefined) ?? null;
  }

  view(id: string): CardView | null {
    return (this.statements.viewById.get(id) as CardView | undefined) ?? null;
  }

  /** Cards matching a UID, holder name or unit number (newest first), for the station's search. */
  search(query: string, limit = 50): CardView[] {
    const like = `%${query.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    return this.db
      .prepare(
        `${VIEW} WHERE ? = '' OR c.uid LIKE ? ESCAPE '\\' OR r.name LIKE ? ESCAPE '\\' OR u.number LIKE ? ESCAPE '\\'
         ORDER BY c.issued_at DESC, c.id LIMIT ?`,
      )
      .all(query, like, like, like, limit) as CardView[];
  }

  insert(card: Omit<CardRecord, 'status' | 'pinFailures' | 'pinLockedAt' | 'replacedBy'>): void {
    this.statements.insert.run(card);
  }

  setStatus(id: string, status: CardStatus, replacedBy: string | null, at: string): void {
    this.statements.setStatus.run(status, replacedBy, at, id);
  }

  /** Counts a wrong PIN; locks the card at `maxFailures`. Returns the failures so far. */
  pinFailed(id: string, maxFailures: number, at: string): number {
    return (this.statements.pinFailed.get(maxFailures, at, at, id) as { failures: number }).failures;
  }

  setDailyLimit(id: string, dailyLimit: number, at: string): void {
    this.statements.setDailyLimit.run(dailyLimit, at, id);
  }

  pinReset(id: string, at: string): void {
    this.statements.pinReset.run(at, id);
  }

  resident(
    id: string,
  ): { id: string; unitId: string; name: string; phoneHash: string | null; communityId: string } | null {
    return (
      (this.statements.resident.get(id) as
        | { id: string; unitId: string; name: string; phoneHash: string | null; communityId: string }
        | undefined) ?? null
    );
  }

  activeCardsByIdentity(phoneHash: string, idNumberHash: string): string[] {
    return (this.statements.activeByResidentsAndIdHash.all(phoneHash, idNumberHash) as { id: string }[]).map(
      (row) => row.id,
    );
  }

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM cards').get() as { n: number }).n;
  }

  /** The first residents of a community (by id), for demo data. */
  firstResidents(communityId: string, limit: number): { id: string; unitId: string }[] {
    return this.db
      .prepare(
        `SELECT r.id, r.unit_id AS unitId FROM residents r JOIN units u ON u.id = r.unit_id
         JOIN buildings b ON b.id = u.building_id WHERE b.community_id = ? AND r.role = 'owner'
         ORDER BY r.id LIMIT ?`,
      )
      .all(communityId, limit) as { id: string; unitId: string }[];
  }

  /** The newest cards of a household. */
  ofUnit(unitId: string): CardView[] {
    return this.db.prepare(`${VIEW} WHERE c.unit_id = ? ORDER BY c.issued_at DESC`).all(unitId) as CardView[];
  }
}
