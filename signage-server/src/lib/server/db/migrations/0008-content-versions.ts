import type { Migration } from './index';

/**
 * Content workflow (issue 4): every (id, locale) gets a history of immutable version snapshots with a review state,
 * so an edit of a live item is a new draft while the reviewed version stays on screens. `content_items` keeps the
 * working copy (what the editor edits); `published_version` points at the snapshot screens show (null: nothing
 * live). Existing rows become their current version: published rows live and published, unpublished rows archived,
 * drafts drafts; the author is whoever created the row.
 */
export const m0008: Migration = {
  version: 8,
  name: '0008-content-versions',
  up: /* sql */ `
    CREATE TABLE content_versions (
      id TEXT NOT NULL,
      locale TEXT NOT NULL,
      version INTEGER NOT NULL CHECK (version >= 1),
      state TEXT NOT NULL
        CHECK (state IN ('draft', 'submitted', 'approved', 'rejected', 'published', 'superseded', 'archived')),
      -- the whole content_items row of this version as JSON (SELECT *), so columns added later are kept too
      snapshot TEXT NOT NULL,
      author_id TEXT,
      -- JSON array of the user ids who wrote into this version: none of them may approve it
      contributors TEXT NOT NULL DEFAULT '[]',
      -- why it was rejected, or what a rollback restored
      reason TEXT,
      -- the version a rollback copied
      based_on INTEGER,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      submitted_at TEXT,
      submitted_by TEXT,
      reviewed_at TEXT,
      reviewed_by TEXT,
      published_at TEXT,
      published_by TEXT,
      PRIMARY KEY (id, locale, version),
      FOREIGN KEY (id, locale) REFERENCES content_items(id, locale) ON DELETE CASCADE
    );
    CREATE INDEX content_versions_state ON content_versions(state);

    ALTER TABLE content_items ADD COLUMN published_version INTEGER;

    INSERT INTO content_versions (id, locale, version, state, snapshot, author_id, contributors, created_at,
        updated_at, published_at)
      SELECT c.id, c.locale, c.version,
        CASE c.status WHEN 'published' THEN 'published' WHEN 'unpublished' THEN 'archived' ELSE 'draft' END,
        json_object('id', c.id, 'locale', c.locale, 'category', c.category, 'title', c.title,
          'summary', c.summary, 'body', c.body, 'body_html', c.body_html, 'images', c.images,
          'valid_from', c.valid_from, 'valid_until', c.valid_until, 'status', c.status, 'version', c.version,
          'source', c.source, 'created_by', c.created_by, 'updated_by', c.updated_by, 'created_at', c.created_at,
          'updated_at', c.updated_at, 'published_at', c.published_at, 'dayparts', c.dayparts,
          'priority', c.priority, 'target', c.target),
        c.created_by,
        CASE WHEN c.created_by IS NULL THEN '[]' ELSE json_array(c.created_by) END,
        c.created_at, c.updated_at,
        CASE c.status WHEN 'draft' THEN NULL ELSE c.published_at END
      FROM content_items c;

    UPDATE content_items SET published_version = version WHERE status = 'published';
  `,
};
