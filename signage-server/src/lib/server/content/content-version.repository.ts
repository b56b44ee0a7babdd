import type { Locale } from '@linli/content';
import type { Db } from '../db/database';
import type { ContentVersion, WorkflowState } from './content.schema';

/** A `content_versions` row as stored. */
export interface VersionRow {
  id: string;
  locale: string;
  version: number;
  state: WorkflowState;
  snapshot: string;
  author_id: string | null;
  contributors: string;
  reason: string | null;
  based_on: number | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  submitted_by: string | null;
  reviewed_at: string | null;
  reviewed_by: string | null;
  published_at: string | null;
  published_by: string | null;
}

type NamedRow = VersionRow & {
  author_name: string | null;
  reviewer_name: string | null;
  publisher_name: string | null;
};

/** The user ids stored in `contributors`. */
export function contributorsOf(row: Pick<VersionRow, 'contributors'>): string[] {
  try {
    const parsed = JSON.parse(row.contributors) as unknown;
    return Array.isArray(parsed) ? parsed.filter((value): value is string => typeof value === 'string') : [];
  } catch {
    return [];
  }
}

/** SQL for `content_versions`: the history of each (id, locale), one row per version. */
export class ContentVersionRepository {
  private readonly selectOne;
  private readonly selectAll;
  private readonly selectMax;
  private readonly insertOne;
  private readonly updateOne;

  constructor(db: Db) {
    const named = `SELECT v.*, a.display_name AS author_name, r.display_name AS reviewer_name,
        p.display_name AS publisher_name
      FROM content_versions v
      LEFT JOIN users a ON a.id = v.author_id
      LEFT JOIN users r ON r.id = v.reviewed_by
      LEFT JOIN users p ON p.id = v.published_by`;
    this.selectOne = db.prepare<[string, string, number], NamedRow>(
      `${named} WHERE v.id = ? AND v.locale = ? AND v.version = ?`,
    );
    this.selectAll = db.prepare<[string, string], NamedRow>(
      `${named} WHERE v.id = ? AND v.locale = ? ORDER BY v.version DESC`,
    );
    this.selectMax = db.prepare<[string, string], { n: number | null }>(
      'SELECT max(version) AS n FROM content_versions WHERE id = ? AND locale = ?',
    );
    this.insertOne = db.prepare<VersionRow>(
      `INSERT INTO content_versions (id, locale, version, state, snapshot, author_id, contributors, reason, based_on,
         created_at, updated_at, submitted_at, submitted_by, reviewed_at, reviewed_by, published_at, published_by)
       VALUES (@id, @locale, @version, @state, @snapshot, @author_id, @contributors, @reason, @based_on,
         @created_at, @updated_at, @submitted_at, @submitted_by, @reviewed_at, @reviewed_by, @published_at,
         @published_by)`,
    );
    this.updateOne = db.prepare<VersionRow>(
      `UPDATE content_versions SET state = @state, snapshot = @snapshot, contributors = @contributors,
         reason = @reason, updated_at = @updated_at, submitted_at = @submitted_at, submitted_by = @submitted_by,
         reviewed_at = @reviewed_at, reviewed_by = @reviewed_by, published_at = @published_at,
         published_by = @published_by
       WHERE id = @id AND locale = @locale AND version = @version`,
    );
  }

  get(id: string, locale: string, version: number): NamedRow | null {
    return this.selectOne.get(id, locale, version) ?? null;
  }

  /** Every version of one item in one locale, newest first. */
  list(id: string, locale: string): NamedRow[] {
    return this.selectAll.all(id, locale);
  }

  /** The highest version number so far (0 when none). */
  maxVersion(id: string, locale: string): number {
    return this.selectMax.get(id, locale)?.n ?? 0;
  }

  insert(row: VersionRow): void {
    this.insertOne.run(row);
  }

  update(row: VersionRow): void {
    this.updateOne.run(row);
  }
}

/** A stored row (with its people's names) as the service's version, given how to read its snapshot. */
export function toVersion(
  row: NamedRow,
  read: (snapshot: string) => ContentVersion['record'],
): ContentVersion {
  return {
    id: row.id,
    locale: row.locale as Locale,
    version: row.version,
    state: row.state,
    record: read(row.snapshot),
    authorId: row.author_id,
    authorName: row.author_name,
    contributors: contributorsOf(row),
    reason: row.reason,
    basedOn: row.based_on,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    submittedAt: row.submitted_at,
    reviewedAt: row.reviewed_at,
    reviewedByName: row.reviewer_name,
    publishedAt: row.published_at,
    publishedByName: row.publisher_name,
  };
}

export type { NamedRow };
