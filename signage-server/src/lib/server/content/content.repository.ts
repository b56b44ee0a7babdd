import { Daypart, Targeting, type CategoryId, type ContentImage, type Locale } from '@linli/content';
import { z } from 'zod';
import type { Db } from '../db/database';
import type { ContentFilter, ContentRecord, ContentSource, ContentStatus } from './content.schema';

interface ContentRow {
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

const toRecord = (row: ContentRow): ContentRecord => ({
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
});

/** SQL for `content_items`: one row per (id, locale). */
export class ContentRepository {
  private readonly selectOne;
  private readonly selectById;
  private readonly selectPublished;
  private readonly insertOne;
  private readonly updateOne;
  private readonly countAll;

  constructor(private readonly db: Db) {
    this.selectOne = db.prepare<[string, string], ContentRow>(
      'SELECT * FROM content_items WHERE id = ? AND locale = ?',
    );
    this.selectById = db.prepare<[string], ContentRow>(
      'SELECT * FROM content_items WHERE id = ? ORDER BY locale',
    );
    this.selectPublished = db.prepare<[], ContentRow>(
      `SELECT * FROM content_items WHERE status = 'published' ORDER BY updated_at DESC, id, locale`,
    );
    this.insertOne = db.prepare(
      `INSERT INTO content_items (id, locale, category, title, summary, body, body_html, images, valid_from,
         valid_until, status, version, source, created_by, updated_by, created_at, updated_at, published_at, dayparts,
         priority, target)
       VALUES (@id, @locale, @category, @title, @summary, @body, @bodyHtml, @images, @validFrom, @validUntil,
         @status, @version, @source, @createdBy, @updatedBy, @createdAt, @updatedAt, @publishedAt, @dayparts,
         @priority, @target)`,
    );
    this.updateOne = db.prepare(
      `UPDATE content_items SET category = @category, title = @title, summary = @summary, body = @body,
         body_html = @bodyHtml, images = @images, valid_from = @validFrom, valid_until = @validUntil,
         status = @status, version = @version, updated_by = @updatedBy, updated_at = @updatedAt,
         published_at = @publishedAt, dayparts = @dayparts, priority = @priority, target = @target
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

  /** Items matching the filter, newest change first. An item matches when any of its locales does. */
  list(filter: ContentFilter): ContentRecord[] {
    const where: string[] = [];
    const params: Record<string, string> = {};
    if (filter.category) {
      where.push('category = @category');
      params.category = filter.category;
    }
    if (filter.status) {
      where.push('status = @status');
      params.status = filter.status;
    }
    if (filter.locale) {
      where.push('locale = @locale');
      params.locale = filter.locale;
    }
    if (filter.q) {
      where.push(`(title LIKE @q ESCAPE '\\' OR id LIKE @q ESCAPE '\\')`);
      params.q = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    const matching = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const rows = this.db
      .prepare<Record<string, string>, ContentRow>(
        `SELECT c.* FROM content_items c
         JOIN (SELECT id, max(updated_at) AS latest FROM content_items ${matching} GROUP BY id) m ON m.id = c.id
         ORDER BY m.latest DESC, c.id, c.locale`,
      )
      .all(params);
    return rows.map(toRecord);
  }

  /** Every published row (screens filter by validity window). */
  listPublished(): ContentRecord[] {
    return this.selectPublished.all().map(toRecord);
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
    return this.db.transaction(fn)();
  }
}
