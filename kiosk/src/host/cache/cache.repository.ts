import type { Statement } from 'better-sqlite3';
import type { CacheDatabase } from './cache-database';

/** The stored enrolment. */
export interface DeviceRecord {
  deviceId: string;
  credential: string;
  serverUrl: string;
  serverPublicKey: string;
  communityId: string | null;
  enrolledAt: string;
}

/** The stored current manifest, as the signed bytes it arrived in. */
export interface ManifestRecord {
  version: string;
  etag: string | null;
  body: Buffer;
  signature: string;
  generatedAt: string;
  appliedAt: string;
}

/** A verified asset file in the cache. */
export interface AssetRecord {
  sha256: string;
  size: number;
  mime: string;
  storedAt: string;
}

/** One language version of an item as the search index holds it (plain text, no markup). */
export interface SearchEntry {
  itemId: string;
  locale: string;
  category: string;
  title: string;
  summary: string;
  body: string;
}

/** A search index row that matched, best first. */
export type SearchRow = SearchEntry;

/** All SQL of the kiosk cache. Services call these methods and never write SQL themselves. */
export class CacheRepository {
  /** Statements a sync runs once per asset (hundreds in a cold sync), prepared on first use and kept. */
  private readonly statements = new Map<string, Statement>();

  constructor(private readonly db: CacheDatabase) {}

  private prepared(sql: string): Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  getDevice(): DeviceRecord | null {
    const row = this.db
      .prepare(
        `SELECT device_id AS deviceId, credential, server_url AS serverUrl, server_public_key AS serverPublicKey,
                community_id AS communityId, enrolled_at AS enrolledAt FROM device WHERE id = 1`,
      )
      .get() as DeviceRecord | undefined;
    return row ?? null;
  }

  /** Stores the enrolment. There is one per cache; enrolling again replaces it and forgets the old content. */
  saveDevice(device: DeviceRecord): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM manifest').run();
      this.db
        .prepare(
          `INSERT INTO device (id, device_id, credential, server_url, server_public_key, community_id, enrolled_at)
           VALUES (1, @deviceId, @credential, @serverUrl, @serverPublicKey, @communityId, @enrolledAt)
           ON CONFLICT (id) DO UPDATE SET device_id = excluded.device_id, credential = excluded.credential,
             server_url = excluded.server_url, server_public_key = excluded.server_public_key,
             community_id = excluded.community_id, enrolled_at = excluded.enrolled_at`,
        )
        .run(device);
    })();
  }

  getManifest(): ManifestRecord | null {
    const row = this.db
      .prepare(
        `SELECT version, etag, body, signature, generated_at AS generatedAt, applied_at AS appliedAt
         FROM manifest WHERE id = 1`,
      )
      .get() as ManifestRecord | undefined;
    return row ?? null;
  }

  /** Records a new ETag for the current manifest (the server answered 200 with the same version). */
  updateManifestEtag(etag: string | null): void {
    this.db.prepare('UPDATE manifest SET etag = ? WHERE id = 1').run(etag);
  }

  /**
   * Switches to a new manifest. This transaction is the switch: it refuses unless every asset the manifest names
   * is recorded as present, so a kiosk never shows a manifest with missing images, and a crash leaves either the
   * old manifest or the new one, never a mix.
   */
  switchManifest(
    manifest: ManifestRecord,
    assetShas: readonly string[],
    searchEntries: readonly SearchEntry[] = [],
  ): { ok: true } | { ok: false; missing: string[] } {
    return this.db.transaction(() => {
      const has = this.db.prepare('SELECT 1 FROM assets WHERE sha256 = ?').pluck();
      const missing = assetShas.filter((sha) => !has.get(sha));
      if (missing.length > 0) return { ok: false as const, missing };
      // The search index switches in the same transaction: search never finds what the kiosk does not show.
      this.replaceSearchIndex(manifest.version, searchEntries);
      this.db
        .prepare(
          `INSERT INTO manifest (id, version, etag, body, signature, generated_at, applied_at)
           VALUES (1, @version, @etag, @body, @signature, @generatedAt, @appliedAt)
           ON CONFLICT (id) DO UPDATE SET version = excluded.version, etag = excluded.etag, body = excluded.body,
             signature = excluded.signature, generated_at = excluded.generated_at, applied_at = excluded.applied_at`,
        )
        .run(manifest);
      return { ok: true as const };
    })();
  }

  getAsset(sha256: string): AssetRecord | null {
    const row = this.prepared(
      'SELECT sha256, size, mime, stored_at AS storedAt FROM assets WHERE sha256 = ?',
    ).get(sha256) as AssetRecord | undefined;
    return row ?? null;
  }

  listAssets(): AssetRecord[] {
    return this.db
      .prepare('SELECT sha256, size, mime, stored_at AS storedAt FROM assets ORDER BY sha256')
      .all() as AssetRecord[];
  }

  /** Records an asset whose file was written and verified. */
  addAsset(asset: AssetRecord): void {
    this.prepared(
      `INSERT INTO assets (sha256, size, mime, stored_at) VALUES (@sha256, @size, @mime, @storedAt)
       ON CONFLICT (sha256) DO UPDATE SET size = excluded.size, mime = excluded.mime, stored_at = excluded.stored_at`,
    ).run(asset);
  }

  /** Records many assets in one transaction (one disk flush for a whole batch of downloads). */
  addAssets(assets: readonly AssetRecord[]): void {
    this.db.transaction(() => assets.forEach((asset) => this.addAsset(asset)))();
  }

  /** Forgets assets (their files are removed by the caller after this commits). */
  removeAssets(sha256s: readonly string[]): void {
    const remove = this.db.prepare('DELETE FROM assets WHERE sha256 = ?');
    this.db.transaction(() => sha256s.forEach((sha) => remove.run(sha)))();
  }

  /** The manifest version the search index was built from, or null if it was never built. */
  searchIndexVersion(): string | null {
    const version = this.db.prepare('SELECT manifest_version FROM search_meta WHERE id = 1').pluck().get() as
      string | undefined;
    return version ?? null;
  }

  /** Rebuilds the search index for a manifest version (used on start when the index lags the manifest). */
  rebuildSearchIndex(manifestVersion: string, entries: readonly SearchEntry[]): void {
    this.db.transaction(() => this.replaceSearchIndex(manifestVersion, entries))();
  }

  /**
   * Finds index rows containing every term (case-insensitive), best first. With every term at least three
   * characters long the FTS5 trigram index answers, ranked by bm25 with title hits weighing most; otherwise a
   * trigram index cannot help and LIKE scans the (small: one kiosk's content) table instead.
   */
  searchItems(terms: readonly string[], limit: number): { method: 'fts' | 'like'; rows: SearchRow[] } {
    const columns = `item_id AS itemId, locale, category, title, summary, body`;
    if (terms.every((term) => [...term].length >= 3)) {
      // Each term as an FTS5 string (double quotes doubled): no query syntax from a resident reaches FTS5.
      const match = terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' AND ');
      const rows = this.db
        .prepare(
          `SELECT ${columns} FROM search_index WHERE search_index MATCH ?
           ORDER BY bm25(search_index, 0, 0, 0, 10.0, 4.0, 1.0) LIMIT ?`,
        )
        .all(match, limit) as SearchRow[];
      return { method: 'fts', rows };
    }
    const patterns = terms.map((term) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    const where = patterns
      .map(
        (_, i) =>
          `(title LIKE @p${i} ESCAPE '\\' OR summary LIKE @p${i} ESCAPE '\\' OR body LIKE @p${i} ESCAPE '\\')`,
      )
      .join(' AND ');
    const parameters = Object.fromEntries(patterns.map((pattern, i) => [`p${i}`, pattern]));
    const rows = this.db
      .prepare(
        `SELECT ${columns} FROM search_index WHERE ${where}
         ORDER BY (title LIKE @p0 ESCAPE '\\') DESC, (summary LIKE @p0 ESCAPE '\\') DESC, rowid LIMIT @limit`,
      )
      .all({ ...parameters, limit }) as SearchRow[];
    return { method: 'like', rows };
  }

  private replaceSearchIndex(manifestVersion: string, entries: readonly SearchEntry[]): void {
    this.db.prepare('DELETE FROM search_index').run();
    const insert = this.db.prepare(
      `INSERT INTO search_index (item_id, locale, category, title, summary, body)
       VALUES (@itemId, @locale, @category, @title, @summary, @body)`,
    );
    for (const entry of entries) insert.run(entry);
    this.db
      .prepare(
        `INSERT INTO search_meta (id, manifest_version) VALUES (1, ?)
         ON CONFLICT (id) DO UPDATE SET manifest_version = excluded.manifest_version`,
      )
      .run(manifestVersion);
  }
}
