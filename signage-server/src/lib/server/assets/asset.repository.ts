import type { Db } from '../db/database';
import {
  MEDIA_MIME_KINDS,
  type AssetRecord,
  type AssetUser,
  type LibraryEntry,
  type LibraryFilter,
  type MediaMime,
} from './asset.schema';

interface AssetRow {
  sha256: string;
  size: number;
  mime: string;
  original_name: string;
  created_by: string | null;
  created_at: string;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  codec: string | null;
  preview_sha256: string | null;
  alt_text: string;
  updated_at: string | null;
}

const toRecord = (row: AssetRow): AssetRecord => ({
  sha256: row.sha256,
  size: row.size,
  // rows are only written by the service, after magic-byte detection
  mime: row.mime as MediaMime,
  originalName: row.original_name,
  createdBy: row.created_by,
  createdAt: row.created_at,
  width: row.width,
  height: row.height,
  durationMs: row.duration_ms,
  codec: row.codec,
  previewSha256: row.preview_sha256,
  altText: row.alt_text,
  updatedAt: row.updated_at,
});

const SHA256_IN_TEXT = /[0-9a-f]{64}/g;
/** Version states whose content is on screens or may still get there: their assets must not be deleted. */
const LIVE_VERSION_STATES = "'draft', 'submitted', 'approved', 'published'";

/**
 * SQL for the `assets` table (metadata of content-addressed bytes) and the questions about who uses an asset.
 * Content items name assets by sha256 in their `images` JSON, in Markdown bodies and (once content types add it)
 * in a `payload` JSON column; playlists (when that table exists) in `playlist_entries.asset_sha256`. The hash is
 * 64 hex digits, so finding it anywhere in that text is exact enough and needs no knowledge of each JSON shape.
 */
export class AssetRepository {
  private readonly selectOne;
  private readonly insertOne;

  constructor(private readonly db: Db) {
    this.selectOne = db.prepare<[string], AssetRow>('SELECT * FROM assets WHERE sha256 = ?');
    // The first upload of equal bytes keeps its name and uploader; later ones are the same asset.
    this.insertOne = db.prepare(
      `INSERT INTO assets (sha256, size, mime, original_name, created_by, created_at, width, height, duration_ms,
         codec, preview_sha256, alt_text, updated_at)
       VALUES (@sha256, @size, @mime, @originalName, @createdBy, @createdAt, @width, @height, @durationMs,
         @codec, @previewSha256, @altText, @updatedAt)
       ON CONFLICT (sha256) DO NOTHING`,
    );
  }

  get(sha256: string): AssetRecord | null {
    const row = this.selectOne.get(sha256);
    return row ? toRecord(row) : null;
  }

  /** The records of these hashes that exist (order not kept). */
  getMany(hashes: readonly string[]): AssetRecord[] {
    if (hashes.length === 0) return [];
    const rows = this.db
      .prepare<string[], AssetRow>(
        `SELECT * FROM assets WHERE sha256 IN (${hashes.map(() => '?').join(',')})`,
      )
      .all(...hashes);
    return rows.map(toRecord);
  }

  /** Inserts the record unless those bytes are already known; true when this call inserted it. */
  insert(record: AssetRecord): boolean {
    return this.insertOne.run(record).changes === 1;
  }

  /** The library, newest first, with uploader names and usage counts. */
  list(filter: LibraryFilter, limit = 500): LibraryEntry[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit };
    if (filter.kind) {
      const mimes = Object.entries(MEDIA_MIME_KINDS)
        .filter(([, kind]) => kind === filter.kind)
        .map(([mime]) => mime);
      where.push(`a.mime IN (${mimes.map((_, i) => `@mime${i}`).join(',')})`);
      mimes.forEach((mime, i) => (params[`mime${i}`] = mime));
    }
    if (filter.q) {
      // a name search is a substring search; escape LIKE's wildcards so "50%" finds "50%"
      where.push(`(a.original_name LIKE @q ESCAPE '\\' OR a.alt_text LIKE @q ESCAPE '\\')`);
      params.q = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const rows = this.db
      .prepare<Record<string, string | number>, AssetRow & { uploader_name: string | null }>(
        `SELECT a.*, u.display_name AS uploader_name FROM assets a LEFT JOIN users u ON u.id = a.created_by
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY a.created_at DESC, a.sha256 LIMIT @limit`,
      )
      .all(params);
    const counts = this.usageCounts();
    return rows.map((row) => ({
      ...toRecord(row),
      uploaderName: row.uploader_name,
      usageCount: counts.get(row.sha256) ?? 0,
    }));
  }

  /** The display name of a user id (the uploader), or null. */
  userName(userId: string): string | null {
    const row = this.db
      .prepare<[string], { display_name: string }>('SELECT display_name FROM users WHERE id = ?')
      .get(userId);
    return row?.display_name ?? null;
  }

  /**
   * Everything that uses this asset: content items (any locale, any status) and playlists. An item counts when its
   * working row names the asset, and also when a version that is on screens or on its way there does (published,
   * approved, submitted, draft): an editor's new draft may drop an image that the published version still shows.
   * Superseded, rejected and archived versions do not hold an asset; rolling back to one whose asset was deleted
   * is refused.
   */
  usage(sha256: string): AssetUser[] {
    const columns = this.contentColumns();
    const live = this.hasTable('content_versions')
      ? ` OR EXISTS (SELECT 1 FROM content_versions v WHERE v.id = c.id AND v.locale = c.locale
           AND v.state IN (${LIVE_VERSION_STATES}) AND instr(v.snapshot, @sha) > 0)`
      : '';
    const users: AssetUser[] = this.db
      .prepare<{ sha: string }, { id: string; locale: string; title: string; status: string }>(
        `SELECT c.id, c.locale, c.title, c.status FROM content_items c
         WHERE ${columns.map((column) => `instr(c.${column}, @sha) > 0`).join(' OR ')}${live}
         ORDER BY c.id, c.locale`,
      )
      .all({ sha: sha256 })
      .map((row) => ({ kind: 'content' as const, ...row }));
    if (this.hasTable('playlist_entries')) {
      const playlists = this.db
        .prepare<[string], { id: string; name: string }>(
          `SELECT DISTINCT p.id, p.name FROM playlist_entries e JOIN playlists p ON p.id = e.playlist_id
           WHERE e.asset_sha256 = ? ORDER BY p.name`,
        )
        .all(sha256);
      for (const p of playlists)
        users.push({ kind: 'playlist', id: p.id, locale: null, title: p.name, status: null });
    }
    return users;
  }

  /**
   * How many content items and playlists use each asset, in one pass over the text (the library shows a count
   * on every card; a query per card would scan content_items once per asset).
   */
  usageCounts(): Map<string, number> {
    const users = new Map<string, Set<string>>();
    const add = (sha: string, user: string) => {
      let set = users.get(sha);
      if (!set) users.set(sha, (set = new Set()));
      set.add(user);
    };
    const columns = this.contentColumns();
    const rows = this.db
      .prepare<[], { id: string; locale: string; text: string }>(
        `SELECT id, locale, ${columns.map((c) => `coalesce(${c}, '')`).join(` || ' ' || `)} AS text
         FROM content_items`,
      )
      .iterate();
    for (const row of rows) {
      for (const match of row.text.matchAll(SHA256_IN_TEXT)) add(match[0], `c:${row.id}/${row.locale}`);
    }
    if (this.hasTable('content_versions')) {
      const versions = this.db
        .prepare<[], { id: string; locale: string; snapshot: string }>(
          `SELECT id, locale, snapshot FROM content_versions WHERE state IN (${LIVE_VERSION_STATES})`,
        )
        .iterate();
      for (const row of versions) {
        for (const match of row.snapshot.matchAll(SHA256_IN_TEXT)) add(match[0], `c:${row.id}/${row.locale}`);
      }
    }
    if (this.hasTable('playlist_entries')) {
      const entries = this.db
        .prepare<[], { playlist_id: string; asset_sha256: string }>(
          'SELECT DISTINCT playlist_id, asset_sha256 FROM playlist_entries WHERE asset_sha256 IS NOT NULL',
        )
        .all();
      for (const entry of entries) add(entry.asset_sha256, `p:${entry.playlist_id}`);
    }
    return new Map([...users].map(([sha, set]) => [sha, set.size]));
  }

  /** Changes the editable texts; false when the asset does not exist. */
  update(sha256: string, changes: { name: string; altText: string; updatedAt: string }): boolean {
    return (
      this.db
        .prepare(
          `UPDATE assets SET original_name = @name, alt_text = @altText, updated_at = @updatedAt
           WHERE sha256 = @sha256`,
        )
        .run({ sha256, ...changes }).changes === 1
    );
  }

  /** Removes the row; true when it existed. */
  delete(sha256: string): boolean {
    return this.db.prepare('DELETE FROM assets WHERE sha256 = ?').run(sha256).changes === 1;
  }

  /** True when any asset row still names this preview (equal thumbnails are stored once). */
  previewInUse(previewSha256: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM assets WHERE preview_sha256 = ? LIMIT 1').get(previewSha256);
  }

  /** Runs `work` in one transaction. */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  // The columns are looked up per call: migrations of other features (0010 payload) may add one, and the
  // lookup is a cheap pragma compared with the scan that follows.
  private contentColumns(): string[] {
    const present = new Set(
      (this.db.pragma('table_info(content_items)') as { name: string }[]).map((c) => c.name),
    );
    return ['images', 'body', 'payload'].filter((column) => present.has(column));
  }

  private hasTable(name: string): boolean {
    return !!this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name);
  }
}
