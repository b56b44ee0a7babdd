import {
  ContentKind,
  Daypart,
  RawPayload,
  Targeting,
  type CategoryId,
  type ContentImage,
  type Locale,
} from '@linli/content';
import { z } from 'zod';
import type { Db } from '../db/database';
import { ContentVersionRepository } from './content-version.repository';
import type {
  ContentFilter,
  ContentRecord,
  ContentSource,
  ContentStatus,
  ListedContent,
  WorkflowState,
} from './content.schema';

/** A `content_items` row as SQLite returns it (also the shape of a version snapshot). */
export interface ContentRow {
  id: string;
  locale: string;
  category: string;
  title: string;
  summary: string;
  body: string;
  body_html: string;
  images: string;
  valid_from: string | null;
  valid_until: string | null;
  status: string;
  version: number;
  source: string;
  created_by: string | null;
  updated_by: string | null;
  created_at: string;
  updated_at: string;
  published_at: string | null;
  dayparts: string;
  priority: number;
  target: string;
  published_version?: number | null;
  kind?: string;
  payload?: string;
}

const EVERY_DEVICE: Targeting = { communities: [], buildings: [], groups: [], tags: [] };
const Dayparts = z.array(Daypart);

/**
 * The stored JSON through its schema: the service only ever writes valid values, so a row that does not parse was
 * edited by hand; it reads as "always, everywhere" (the behaviour before schedules existed) rather than failing
 * every manifest.
 */
function parseJson<T>(json: string, schema: z.ZodType<T>, fallback: T): T {
  try {
    const parsed = schema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : fallback;
  } catch {
    return fallback;
  }
}

/** A row (or a version snapshot) as the record the services use. */
export const toRecord = (row: ContentRow): ContentRecord => ({
  id: row.id,
  locale: row.locale as Locale,
  category: row.category as CategoryId,
  title: row.title,
  summary: row.summary,
  body: row.body,
  bodyHtml: row.body_html,
  images: JSON.parse(row.images) as ContentImage[],
  validFrom: row.valid_from,
  validUntil: row.valid_until,
  status: row.status as ContentStatus,
  version: row.version,
  source: row.source as ContentSource,
  createdBy: row.created_by,
  updatedBy: row.updated_by,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  publishedAt: row.published_at,
  dayparts: parseJson(row.dayparts, Dayparts, []),
  priority: row.priority,
  target: parseJson(row.target, Targeting, EVERY_DEVICE),
  // content kinds (migration 0010); a row or snapshot from before them is a notice
  kind: parseJson(JSON.stringify(row.kind ?? 'notice'), ContentKind, 'notice'),
  payload: parseJson(row.payload ?? '{}', RawPayload, {}),
  publishedVersion: row.published_version ?? null,
});

const toParams = (record: ContentRecord) => ({
  id: record.id,
  locale: record.locale,
  category: record.category,
  title: record.title,
  summary: record.summary,
  body: record.body,
  bodyHtml: record.bodyHtml,
  images: JSON.stringify(record.images),
  validFrom: record.validFrom,
  validUntil: record.validUntil,
  status: record.status,
  version: record.version,
  source: record.source,
  createdBy: record.createdBy,
  updatedBy: record.updatedBy,
  createdAt: record.createdAt,
  updatedAt: record.updatedAt,
  publishedAt: record.publishedAt,
  dayparts: JSON.stringify(record.dayparts),
  priority: record.priority,
  target: JSON.stringify(record.target),
  kind: record.kind,
  payload: JSON.stringify(record.payload),
});

/** Columns a rollback never copies from a snapshot: identity, provenance and workflow bookkeeping. */
const BOOKKEEPING_COLUMNS = new Set([
  'id',
  'locale',
  'status',
  'version',
  'source',
  'created_by',
  'updated_by',
  'created_at',
  'updated_at',
  'published_at',
  'published_version',
]);

/** A column default as SQLite reports it (`'[]'`, `50`, `NULL`) as a value; expressions read as null. */
function sqlLiteral(literal: string | null): unknown {
  if (literal === null) return null;
  if (/^'.*'$/s.test(literal)) return literal.slice(1, -1).replaceAll("''", "'");
  if (/^-?\d+(\.\d+)?$/.test(literal)) return Number(literal);
  return null;
}

/** SQL for `content_items`: one row per (id, locale). */
export class ContentRepository {
  private readonly selectOne;
  private readonly selectById;
  private readonly selectPublished;
  private readonly insertOne;
  private readonly updateOne;
  private readonly countAll;
  /** The versions of each item (same database, same transactions). */
  readonly versions: ContentVersionRepository;

  constructor(private readonly db: Db) {
    this.versions = new ContentVersionRepository(db);
    this.selectOne = db.prepare<[string, string], ContentRow>(
      'SELECT * FROM content_items WHERE id = ? AND locale = ?',
    );
    this.selectById = db.prepare<[string], ContentRow>(
      'SELECT * FROM content_items WHERE id = ? ORDER BY locale',
    );
    // screens show the published snapshot, not the working row an editor may be changing
    this.selectPublished = db.prepare<[], { snapshot: string; published_at: string | null }>(
      `SELECT v.snapshot, v.published_at FROM content_items c
       JOIN content_versions v ON v.id = c.id AND v.locale = c.locale AND v.version = c.published_version
       ORDER BY v.published_at DESC, c.id, c.locale`,
    );
    this.insertOne = db.prepare(
      `INSERT INTO content_items (id, locale, category, title, summary, body, body_html, images, valid_from,
         valid_until, status, version, source, created_by, updated_by, created_at, updated_at, published_at, dayparts,
         priority, target, kind, payload)
       VALUES (@id, @locale, @category, @title, @summary, @body, @bodyHtml, @images, @validFrom, @validUntil,
         @status, @version, @source, @createdBy, @updatedBy, @createdAt, @updatedAt, @publishedAt, @dayparts,
         @priority, @target, @kind, @payload)`,
    );
    this.updateOne = db.prepare(
      `UPDATE content_items SET category = @category, title = @title, summary = @summary, body = @body,
         body_html = @bodyHtml, images = @images, valid_from = @validFrom, valid_until = @validUntil,
         status = @status, version = @version, updated_by = @updatedBy, updated_at = @updatedAt,
         published_at = @publishedAt, dayparts = @dayparts, priority = @priority, target = @target,
         kind = @kind, payload = @payload
       WHERE id = @id AND locale = @locale`,
    );
    this.countAll = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM content_items');
  }

  get(id: string, locale: string): ContentRecord | null {
    const row = this.selectOne.get(id, locale);
    return row ? toRecord(row) : null;
  }

  /** Every locale of one item. */
  getTranslations(id: string): ContentRecord[] {
    return this.selectById.all(id).map(toRecord);
  }

  /**
   * Items matching the filter, newest change first, with the workflow state of each working version. An item
   * matches when any of its locales does. `now` decides which live versions have expired.
   */
  list(filter: ContentFilter, now: string): ListedContent[] {
    const where: string[] = [];
    const params: Record<string, string> = {};
    if (filter.category) {
      where.push('c.category = @category');
      params.category = filter.category;
    }
    if (filter.status === 'expired') {
      where.push(`w.state = 'published' AND c.valid_until IS NOT NULL AND c.valid_until <= @now`);
      params.now = now;
    } else if (filter.status) {
      where.push('w.state = @status');
      params.status = filter.status;
    }
    if (filter.locale) {
      where.push('c.locale = @locale');
      params.locale = filter.locale;
    }
    if (filter.q) {
      where.push(`(c.title LIKE @q ESCAPE '\\' OR c.id LIKE @q ESCAPE '\\')`);
      params.q = `%${filter.q.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
    }
    const matching = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const working =
      'LEFT JOIN content_versions w ON w.id = c.id AND w.locale = c.locale AND w.version = c.version';
    const rows = this.db
      .prepare<Record<string, string>, ContentRow & { workflow_state: string | null }>(
        `SELECT c.*, w2.state AS workflow_state FROM content_items c
         LEFT JOIN content_versions w2 ON w2.id = c.id AND w2.locale = c.locale AND w2.version = c.version
         JOIN (SELECT c.id, max(c.updated_at) AS latest FROM content_items c ${working} ${matching} GROUP BY c.id) m
           ON m.id = c.id
         ORDER BY m.latest DESC, c.id, c.locale`,
      )
      .all(params);
    return rows.map((row) => ({
      ...toRecord(row),
      // a row written around the service (fixtures, hand edits) has no version: it reads as a draft
      state: (row.workflow_state ?? 'draft') as WorkflowState,
    }));
  }

  /** The live version of every item that has one (screens filter by validity window). */
  listPublished(): ContentRecord[] {
    return this.selectPublished.all().map((row) => ({
      ...this.fromSnapshot(row.snapshot),
      status: 'published' as const,
      publishedAt: row.published_at,
    }));
  }

  /** The whole row as JSON, kept in a version (every column, so ones added later are kept too). */
  snapshot(id: string, locale: string): string {
    const row = this.selectOne.get(id, locale);
    if (!row) throw new Error(`no content row ${id}/${locale}`);
    const { published_version: _live, ...columns } = row;
    return JSON.stringify(columns);
  }

  /**
   * A snapshot as a record. Columns added after the snapshot was taken take their column default, as the row
   * itself did when the column was added.
   */
  fromSnapshot(snapshot: string): ContentRecord {
    return toRecord({ ...this.columnDefaults(), ...(JSON.parse(snapshot) as ContentRow) });
  }

  /**
   * Puts a snapshot's content back into the working row (a rollback), column by column, leaving the row's
   * identity and bookkeeping alone. Generic over columns, so content columns added later are restored too.
   */
  restoreContent(
    id: string,
    locale: string,
    snapshot: string,
    stamp: { version: number; updatedBy: string | null; updatedAt: string },
  ): void {
    const saved = JSON.parse(snapshot) as Record<string, unknown>;
    const columns = Object.keys(this.columnDefaults()).filter(
      (column) => !BOOKKEEPING_COLUMNS.has(column) && column in saved,
    );
    const values: Record<string, unknown> = { id, locale, ...stamp };
    columns.forEach((column, i) => (values[`c${i}`] = saved[column]));
    this.db
      .prepare(
        `UPDATE content_items SET ${columns.map((column, i) => `"${column}" = @c${i}`).join(', ')},
           version = @version, updated_by = @updatedBy, updated_at = @updatedAt
         WHERE id = @id AND locale = @locale`,
      )
      .run(values);
  }

  /** Which version screens show (null: none) and the row's on-screen status. */
  setLive(
    id: string,
    locale: string,
    version: number | null,
    status: ContentStatus,
    publishedAt: string | null,
  ): void {
    this.db
      .prepare(
        `UPDATE content_items SET published_version = ?, status = ?, published_at = coalesce(?, published_at)
         WHERE id = ? AND locale = ?`,
      )
      .run(version, status, publishedAt, id, locale);
  }

  private defaults: Record<string, unknown> | undefined;

  /** Each column's default value (from the schema), read once. */
  private columnDefaults(): Record<string, unknown> {
    if (!this.defaults) {
      const columns = this.db.pragma('table_info(content_items)') as {
        name: string;
        dflt_value: string | null;
      }[];
      this.defaults = Object.fromEntries(
        columns.map((column) => [column.name, sqlLiteral(column.dflt_value)]),
      );
    }
    return this.defaults;
  }

  count(): number {
    return this.countAll.get()?.n ?? 0;
  }

  insert(record: ContentRecord): void {
    this.insertOne.run(toParams(record));
  }

  update(record: ContentRecord): void {
    this.updateOne.run(toParams(record));
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
