import type { Db } from '../db/database';
import type { VisitRecord, VisitSearch, WatchlistEntry } from './visitor.schema';

interface VisitRow {
  id: string;
  client_ref: string;
  device_id: string;
  community_id: string;
  building_id: string;
  unit_id: string;
  unit_number: string;
  status: VisitRecord['status'];
  guard_reason: VisitRecord['guardReason'];
  visitor_surname: string;
  visitor_name_masked: string;
  visitor_name_enc: string | null;
  document_kind: VisitRecord['documentKind'];
  document_number_enc: string | null;
  document_number_hash: string | null;
  document_number_masked: string;
  nationality: string | null;
  identity_source: VisitRecord['identitySource'];
  identity_confidence: number;
  phone_enc: string | null;
  phone_masked: string;
  reason: VisitRecord['reason'];
  reason_note: string | null;
  companions: number;
  plate: string | null;
  consent_version: string;
  consent_at: string;
  submitted_at: string;
  registered_at: string;
  deferred: number;
  host_resident_id: string | null;
  host_masked: string | null;
  resident_deadline: string | null;
  watchlist_id: string | null;
  alert_acknowledged_at: string | null;
  decided_by: string | null;
  decided_at: string | null;
  pass_id: string | null;
  pass_doors: string | null;
  pass_valid_from: string | null;
  pass_valid_to: string | null;
  pass_revoked_at: string | null;
  purged_at: string | null;
}

const toVisit = (r: VisitRow): VisitRecord => ({
  id: r.id,
  clientRef: r.client_ref,
  deviceId: r.device_id,
  communityId: r.community_id,
  buildingId: r.building_id,
  unitId: r.unit_id,
  unitNumber: r.unit_number,
  status: r.status,
  guardReason: r.guard_reason,
  visitorSurname: r.visitor_surname,
  visitorNameMasked: r.visitor_name_masked,
  visitorNameEnc: r.visitor_name_enc,
  documentKind: r.document_kind,
  documentNumberEnc: r.document_number_enc,
  documentNumberHash: r.document_number_hash,
  documentNumberMasked: r.document_number_masked,
  nationality: r.nationality,
  identitySource: r.identity_source,
  identityConfidence: r.identity_confidence,
  phoneEnc: r.phone_enc,
  phoneMasked: r.phone_masked,
  reason: r.reason,
  reasonNote: r.reason_note,
  companions: r.companions,
  plate: r.plate,
  consentVersion: r.consent_version,
  consentAt: r.consent_at,
  submittedAt: r.submitted_at,
  registeredAt: r.registered_at,
  deferred: r.deferred === 1,
  hostResidentId: r.host_resident_id,
  hostMasked: r.host_masked,
  residentDeadline: r.resident_deadline,
  watchlistId: r.watchlist_id,
  alertAcknowledgedAt: r.alert_acknowledged_at,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  passId: r.pass_id,
  passDoors: r.pass_doors ? (JSON.parse(r.pass_doors) as string[]) : null,
  passValidFrom: r.pass_valid_from,
  passValidTo: r.pass_valid_to,
  passRevokedAt: r.pass_revoked_at,
  purgedAt: r.purged_at,
});

/** A confirmation request sent to one resident of the visited unit. */
export interface ConfirmationRecord {
  id: string;
  visitId: string;
  residentId: string;
  channel: 'link' | 'sms';
  createdAt: string;
  expiresAt: string;
  usedAt: string | null;
  answer: 'approve' | 'decline' | null;
}

/** SQL of visits, resident confirmations and the watch-list (the only place with their SQL). */
export class VisitorRepository {
  constructor(readonly db: Db) {}

  insertVisit(v: VisitRecord): void {
    this.db
      .prepare(
        `INSERT INTO visits (id, client_ref, device_id, community_id, building_id, unit_id, unit_number, status,
           guard_reason, visitor_surname, visitor_name_masked, visitor_name_enc, document_kind, document_number_enc,
           document_number_hash, document_number_masked, nationality, identity_source, identity_confidence,
           phone_enc, phone_masked, reason, reason_note, companions, plate, consent_version, consent_at,
           submitted_at, registered_at, deferred, host_resident_id, host_masked, resident_deadline, watchlist_id)
         VALUES (@id, @clientRef, @deviceId, @communityId, @buildingId, @unitId, @unitNumber, @status,
           @guardReason, @visitorSurname, @visitorNameMasked, @visitorNameEnc, @documentKind, @documentNumberEnc,
           @documentNumberHash, @documentNumberMasked, @nationality, @identitySource, @identityConfidence,
           @phoneEnc, @phoneMasked, @reason, @reasonNote, @companions, @plate, @consentVersion, @consentAt,
           @submittedAt, @registeredAt, @deferredInt, @hostResidentId, @hostMasked, @residentDeadline, @watchlistId)`,
      )
      .run({ ...v, deferredInt: v.deferred ? 1 : 0 });
  }

  get(id: string): VisitRecord | null {
    const row = this.db.prepare('SELECT * FROM visits WHERE id = ?').get(id) as VisitRow | undefined;
    return row ? toVisit(row) : null;
  }

  getByClientRef(clientRef: string): VisitRecord | null {
    const row = this.db.prepare('SELECT * FROM visits WHERE client_ref = ?').get(clientRef) as
      VisitRow | undefined;
    return row ? toVisit(row) : null;
  }

  /** Visits whose resident did not answer in time go to the clerk; returns how many moved. */
  moveOverdueToClerk(now: string): number {
    return this.db
      .prepare(
        "UPDATE visits SET status = 'pending-clerk' WHERE status = 'pending-resident' AND resident_deadline <= ?",
      )
      .run(now).changes;
  }

  /**
   * Ends visits nobody decided that were registered at or before `cutoff` (the visitor has long left the gate):
   * status `expired`, decided by `system`. Returns their ids, for the audit log.
   */
  expireUndecided(cutoff: string, now: string): string[] {
    const rows = this.db
      .prepare(
        `UPDATE visits SET status = 'expired', decided_by = 'system', decided_at = ?
         WHERE status IN ('pending-resident', 'pending-clerk') AND registered_at <= ?
         RETURNING id`,
      )
      .all(now, cutoff) as { id: string }[];
    return rows.map((row) => row.id);
  }

  /** Visits waiting for someone (resident or clerk) and unacknowledged guard alerts, oldest first. */
  open(communityId: string | null): VisitRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM visits
         WHERE (status IN ('pending-resident', 'pending-clerk')
                OR (status = 'see-guard' AND alert_acknowledged_at IS NULL))
           AND (? IS NULL OR community_id = ?)
         ORDER BY registered_at`,
      )
      .all(communityId, communityId) as VisitRow[];
    return rows.map(toVisit);
  }

  /** Sets a decision and, on approval, the pass; only while the visit is still undecided. */
  decide(
    id: string,
    fromStatuses: readonly string[],
    decision: {
      status: 'approved' | 'declined';
      decidedBy: string;
      decidedAt: string;
      pass: { id: string; doors: string[]; validFrom: string; validTo: string } | null;
    },
  ): boolean {
    const placeholders = fromStatuses.map(() => '?').join(', ');
    return (
      this.db
        .prepare(
          `UPDATE visits SET status = ?, decided_by = ?, decided_at = ?, pass_id = ?, pass_doors = ?,
             pass_valid_from = ?, pass_valid_to = ?, alert_acknowledged_at = coalesce(alert_acknowledged_at, ?)
           WHERE id = ? AND status IN (${placeholders})`,
        )
        .run(
          decision.status,
          decision.decidedBy,
          decision.decidedAt,
          decision.pass?.id ?? null,
          decision.pass ? JSON.stringify(decision.pass.doors) : null,
          decision.pass?.validFrom ?? null,
          decision.pass?.validTo ?? null,
          decision.decidedAt,
          id,
          ...fromStatuses,
        ).changes === 1
    );
  }

  acknowledgeAlert(id: string, at: string): boolean {
    return (
      this.db
        .prepare(
          "UPDATE visits SET alert_acknowledged_at = ? WHERE id = ? AND status = 'see-guard' AND alert_acknowledged_at IS NULL",
        )
        .run(at, id).changes === 1
    );
  }

  revokePass(id: string, at: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE visits SET pass_revoked_at = ? WHERE id = ? AND pass_id IS NOT NULL AND pass_revoked_at IS NULL',
        )
        .run(at, id).changes === 1
    );
  }

  /** Pass ids revoked while they could still open a door (the access service keeps them in memory). */
  revokedPassIds(now: string): string[] {
    return this.db
      .prepare('SELECT pass_id FROM visits WHERE pass_revoked_at IS NOT NULL AND pass_valid_to > ?')
      .pluck()
      .all(now) as string[];
  }

  /**
   * History search, newest first. Every filter is an equality on an indexed column plus the time range, so each
   * combination is served by one index (see 0005-visitors); `limit + 1` rows tell whether there is a next page.
   */
  search(query: VisitSearch & { communityId: string; from: string; to: string }): VisitRecord[] {
    const where = ['community_id = ?', 'registered_at >= ?', 'registered_at < ?'];
    const params: unknown[] = [query.communityId, query.from, query.to];
    if (query.buildingId) {
      where.push('building_id = ?');
      params.push(query.buildingId);
    }
    if (query.unitNumber) {
      where.push('unit_number = ?');
      params.push(query.unitNumber);
    }
    if (query.surname) {
      where.push('visitor_surname = ?');
      params.push(query.surname);
    }
    if (query.status) {
      where.push('status = ?');
      params.push(query.status);
    }
    const rows = this.db
      .prepare(
        `SELECT * FROM visits WHERE ${where.join(' AND ')} ORDER BY registered_at DESC LIMIT ? OFFSET ?`,
      )
      .all(...params, query.limit + 1, query.offset) as VisitRow[];
    return rows.map(toVisit);
  }

  /** Empties every personal field of visits registered before `before`; returns how many were purged. */
  purgeBefore(before: string, at: string): number {
    const ids = this.db
      .prepare('SELECT id FROM visits WHERE registered_at < ? AND purged_at IS NULL')
      .pluck()
      .all(before) as string[];
    if (ids.length === 0) return 0;
    this.db
      .prepare(
        `DELETE FROM visit_confirmations WHERE visit_id IN
           (SELECT id FROM visits WHERE registered_at < ? AND purged_at IS NULL)`,
      )
      .run(before);
    return this.db
      .prepare(
        `UPDATE visits SET visitor_name_enc = NULL, visitor_name_masked = '*', visitor_surname = '',
           document_number_enc = NULL, document_number_hash = NULL, document_number_masked = '*',
           nationality = NULL, phone_enc = NULL, phone_masked = '*', reason_note = NULL, plate = NULL,
           host_resident_id = NULL, host_masked = NULL, purged_at = ?
         WHERE registered_at < ? AND purged_at IS NULL`,
      )
      .run(at, before).changes;
  }

  // confirmations

  insertConfirmation(c: ConfirmationRecord): void {
    this.db
      .prepare(
        `INSERT INTO visit_confirmations (id, visit_id, resident_id, channel, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(c.id, c.visitId, c.residentId, c.channel, c.createdAt, c.expiresAt);
  }

  confirmation(id: string): ConfirmationRecord | null {
    const row = this.db.prepare('SELECT * FROM visit_confirmations WHERE id = ?').get(id) as
      Record<string, string | null> | undefined;
    return row ? toConfirmation(row) : null;
  }

  confirmationsOf(visitId: string): ConfirmationRecord[] {
    return (
      this.db
        .prepare('SELECT * FROM visit_confirmations WHERE visit_id = ? ORDER BY created_at, id')
        .all(visitId) as Record<string, string | null>[]
    ).map(toConfirmation);
  }

  /** Marks every link of a visit used: the first answer decides, the others may no longer. */
  closeConfirmations(
    visitId: string,
    answeredId: string | null,
    answer: 'approve' | 'decline' | null,
    at: string,
  ) {
    this.db
      .prepare(
        `UPDATE visit_confirmations SET used_at = ?, answer = CASE WHEN id = ? THEN ? ELSE NULL END
         WHERE visit_id = ? AND used_at IS NULL`,
      )
      .run(at, answeredId, answer, visitId);
  }

  // watch-list

  activeWatchlistMatch(communityId: string, documentNumberHash: string, now: string): WatchlistEntry | null {
    const row = this.db
      .prepare(
        `SELECT * FROM visitor_watchlist WHERE document_number_hash = ? AND community_id = ?
           AND removed_at IS NULL AND (expires_at IS NULL OR expires_at > ?) LIMIT 1`,
      )
      .get(documentNumberHash, communityId, now) as Record<string, string | null> | undefined;
    return row ? toWatchlist(row) : null;
  }

  listWatchlist(communityId: string): WatchlistEntry[] {
    return (
      this.db
        .prepare(
          'SELECT * FROM visitor_watchlist WHERE community_id = ? AND removed_at IS NULL ORDER BY created_at DESC',
        )
        .all(communityId) as Record<string, string | null>[]
    ).map(toWatchlist);
  }

  insertWatchlist(e: WatchlistEntry): void {
    this.db
      .prepare(
        `INSERT INTO visitor_watchlist (id, community_id, document_number_hash, document_number_masked, reason,
           expires_at, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.id,
        e.communityId,
        e.documentNumberHash,
        e.documentNumberMasked,
        e.reason,
        e.expiresAt,
        e.createdBy,
        e.createdAt,
      );
  }

  removeWatchlist(id: string, by: string, at: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE visitor_watchlist SET removed_by = ?, removed_at = ? WHERE id = ? AND removed_at IS NULL',
        )
        .run(by, at, id).changes === 1
    );
  }

  /** Watch-list entries that ended (expired or removed) before `before` are deleted by the retention job. */
  purgeWatchlistBefore(before: string): number {
    return this.db
      .prepare(
        `DELETE FROM visitor_watchlist WHERE (removed_at IS NOT NULL AND removed_at < ?)
           OR (expires_at IS NOT NULL AND expires_at < ?)`,
      )
      .run(before, before).changes;
  }
}

function toConfirmation(r: Record<string, string | null>): ConfirmationRecord {
  return {
    id: r.id!,
    visitId: r.visit_id!,
    residentId: r.resident_id!,
    channel: r.channel as ConfirmationRecord['channel'],
    createdAt: r.created_at!,
    expiresAt: r.expires_at!,
    usedAt: r.used_at ?? null,
    answer: (r.answer as ConfirmationRecord['answer']) ?? null,
  };
}

function toWatchlist(r: Record<string, string | null>): WatchlistEntry {
  return {
    id: r.id!,
    communityId: r.community_id!,
    documentNumberHash: r.document_number_hash!,
    documentNumberMasked: r.document_number_masked!,
    reason: r.reason!,
    expiresAt: r.expires_at ?? null,
    createdBy: r.created_by!,
    createdAt: r.created_at!,
  };
}
