import type { AlertKind, AlertSeverity } from '@linli/content';
import type { Db } from '../db/database';
import type { AlertRecord, AlertSourceRecord } from './alert.schema';

interface AlertRow {
  id: string;
  community_id: string;
  community_name: string | null;
  kind: AlertKind;
  severity: AlertSeverity;
  title_zh: string;
  title_en: string;
  body_zh: string;
  body_en: string;
  target_buildings: string;
  target_groups: string;
  target_tags: string;
  raised_at: string;
  raised_by: string;
  source_id: string | null;
  source_name: string | null;
  external_id: string | null;
  expires_at: string;
  cleared_at: string | null;
  cleared_by: string | null;
  expiry_noted_at: string | null;
}

interface SourceRow {
  id: string;
  name: string;
  community_id: string;
  community_name: string | null;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  revoked_by: string | null;
  revoked_at: string | null;
}

/** A JSON array of strings; anything else (a hand-edited row) reads as empty. */
function labels(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

const toAlert = (row: AlertRow): AlertRecord => ({
  id: row.id,
  communityId: row.community_id,
  communityName: row.community_name,
  kind: row.kind,
  severity: row.severity,
  title: { 'zh-CN': row.title_zh, en: row.title_en },
  body: { 'zh-CN': row.body_zh, en: row.body_en },
  targetBuildings: labels(row.target_buildings),
  targetGroups: labels(row.target_groups),
  targetTags: labels(row.target_tags),
  raisedAt: row.raised_at,
  raisedBy: row.raised_by,
  sourceId: row.source_id,
  sourceName: row.source_name,
  externalId: row.external_id,
  expiresAt: row.expires_at,
  clearedAt: row.cleared_at,
  clearedBy: row.cleared_by,
  expiryNotedAt: row.expiry_noted_at,
});

const toSource = (row: SourceRow): AlertSourceRecord => ({
  id: row.id,
  name: row.name,
  communityId: row.community_id,
  communityName: row.community_name,
  createdBy: row.created_by,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedBy: row.revoked_by,
  revokedAt: row.revoked_at,
});

const SELECT_ALERTS = `SELECT a.*, c.name AS community_name, s.name AS source_name FROM alerts a
  LEFT JOIN communities c ON c.id = a.community_id LEFT JOIN alert_sources s ON s.id = a.source_id`;
const SELECT_SOURCES = `SELECT s.*, c.name AS community_name FROM alert_sources s
  LEFT JOIN communities c ON c.id = s.community_id`;

/** A new alert's row. */
export interface NewAlert {
  id: string;
  communityId: string;
  kind: AlertKind;
  severity: AlertSeverity;
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
  targetBuildings: string[];
  targetGroups: string[];
  targetTags: string[];
  raisedAt: string;
  raisedBy: string;
  sourceId: string | null;
  externalId: string | null;
  expiresAt: string;
}

/** SQL for `alerts` and `alert_sources`. */
export class AlertRepository {
  constructor(private readonly db: Db) {}

  insert(alert: NewAlert): void {
    this.db
      .prepare(
        `INSERT INTO alerts (id, community_id, kind, severity, title_zh, title_en, body_zh, body_en, target_buildings,
           target_groups, target_tags, raised_at, raised_by, source_id, external_id, expires_at)
         VALUES (@id, @communityId, @kind, @severity, @titleZh, @titleEn, @bodyZh, @bodyEn, @targetBuildings,
           @targetGroups, @targetTags, @raisedAt, @raisedBy, @sourceId, @externalId, @expiresAt)`,
      )
      .run({
        ...alert,
        targetBuildings: JSON.stringify(alert.targetBuildings),
        targetGroups: JSON.stringify(alert.targetGroups),
        targetTags: JSON.stringify(alert.targetTags),
      });
  }

  get(id: string): AlertRecord | null {
    const row = this.db.prepare<[string], AlertRow>(`${SELECT_ALERTS} WHERE a.id = ?`).get(id);
    return row ? toAlert(row) : null;
  }

  getByExternalId(sourceId: string, externalId: string): AlertRecord | null {
    const row = this.db
      .prepare<[string, string], AlertRow>(`${SELECT_ALERTS} WHERE a.source_id = ? AND a.external_id = ?`)
      .get(sourceId, externalId);
    return row ? toAlert(row) : null;
  }

  /** Alerts neither cleared nor past their expiry at `now`, oldest first. */
  listActive(now: string): AlertRecord[] {
    return this.db
      .prepare<[string], AlertRow>(
        `${SELECT_ALERTS} WHERE a.cleared_at IS NULL AND a.expires_at > ? ORDER BY a.raised_at, a.rowid`,
      )
      .all(now)
      .map(toAlert);
  }

  /** The newest alerts (any state), for the history list. */
  listRecent(limit: number): AlertRecord[] {
    return this.db
      .prepare<[number], AlertRow>(`${SELECT_ALERTS} ORDER BY a.raised_at DESC, a.rowid DESC LIMIT ?`)
      .all(limit)
      .map(toAlert);
  }

  /** Uncleared alerts whose expiry has passed and was not yet announced. */
  listUnnotedExpired(now: string): AlertRecord[] {
    return this.db
      .prepare<[string], AlertRow>(
        `${SELECT_ALERTS} WHERE a.cleared_at IS NULL AND a.expiry_noted_at IS NULL AND a.expires_at <= ?`,
      )
      .all(now)
      .map(toAlert);
  }

  /** The earliest expiry among uncleared alerts still to be announced, or null. */
  nextExpiry(): string | null {
    return (
      this.db
        .prepare<[], { at: string | null }>(
          'SELECT min(expires_at) AS at FROM alerts WHERE cleared_at IS NULL AND expiry_noted_at IS NULL',
        )
        .get()?.at ?? null
    );
  }

  /** Clears an open alert; false when it was already cleared. */
  clear(id: string, at: string, by: string): boolean {
    return (
      this.db
        .prepare('UPDATE alerts SET cleared_at = ?, cleared_by = ? WHERE id = ? AND cleared_at IS NULL')
        .run(at, by, id).changes === 1
    );
  }

  noteExpiry(id: string, at: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE alerts SET expiry_noted_at = ? WHERE id = ? AND cleared_at IS NULL AND expiry_noted_at IS NULL',
        )
        .run(at, id).changes === 1
    );
  }

  /** The ids among `ids` that are not buildings of the community. */
  foreignBuildings(communityId: string, ids: readonly string[]): string[] {
    const inCommunity = this.db.prepare('SELECT 1 FROM buildings WHERE id = ? AND community_id = ?');
    return ids.filter((id) => inCommunity.get(id, communityId) === undefined);
  }

  communityExists(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM communities WHERE id = ?').get(id) !== undefined;
  }

  insertSource(source: {
    id: string;
    name: string;
    communityId: string;
    tokenHash: string;
    createdBy: string;
    createdAt: string;
  }): void {
    this.db
      .prepare(
        `INSERT INTO alert_sources (id, name, community_id, token_hash, created_by, created_at)
         VALUES (@id, @name, @communityId, @tokenHash, @createdBy, @createdAt)`,
      )
      .run(source);
  }

  getSource(id: string): AlertSourceRecord | null {
    const row = this.db.prepare<[string], SourceRow>(`${SELECT_SOURCES} WHERE s.id = ?`).get(id);
    return row ? toSource(row) : null;
  }

  /** The source holding this token hash, with the stored hash (for the constant-time comparison). */
  findSourceByTokenHash(tokenHash: string): (AlertSourceRecord & { tokenHash: string }) | null {
    const row = this.db
      .prepare<[string], SourceRow & { token_hash: string }>(`${SELECT_SOURCES} WHERE s.token_hash = ?`)
      .get(tokenHash);
    return row ? { ...toSource(row), tokenHash: row.token_hash } : null;
  }

  listSources(): AlertSourceRecord[] {
    return this.db
      .prepare<[], SourceRow>(`${SELECT_SOURCES} ORDER BY s.revoked_at IS NOT NULL, s.created_at DESC`)
      .all()
      .map(toSource);
  }

  revokeSource(id: string, at: string, by: string): boolean {
    return (
      this.db
        .prepare(
          'UPDATE alert_sources SET revoked_at = ?, revoked_by = ? WHERE id = ? AND revoked_at IS NULL',
        )
        .run(at, by, id).changes === 1
    );
  }

  touchSource(id: string, at: string): void {
    this.db.prepare('UPDATE alert_sources SET last_used_at = ? WHERE id = ?').run(at, id);
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
