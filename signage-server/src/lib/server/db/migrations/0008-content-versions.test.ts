import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0008-content-versions', () => {
  it('turns every existing row into its current version: published live, withdrawn archived, drafts drafts', () => {
    test.migrateTo(7);
    test.db.exec(`
      INSERT INTO content_items (id, locale, category, title, summary, body, body_html, images, status, version,
        source, created_by, created_at, updated_at, published_at, priority)
        VALUES
        ('live', 'zh-CN', 'government', '停水', 's', 'b', '<p>b</p>', '[]', 'published', 1, 'cms', 'u1',
          '2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 70),
        ('pack', 'en', 'guide', 'Clinic', '', '', '', '[]', 'published', 1, 'pack', NULL,
          '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', 50),
        ('gone', 'zh-CN', 'legal', '旧', '', '', '', '[]', 'unpublished', 2, 'cms', 'u2',
          '2026-01-01T00:00:00.000Z', '2026-01-03T00:00:00.000Z', '2026-01-02T00:00:00.000Z', 50),
        ('idea', 'zh-CN', 'legal', '草稿', '', '', '', '[]', 'draft', 1, 'cms', 'u1',
          '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', NULL, 50);
    `);
    expect(test.migrateTo(8)).toBe(8);
    expect(test.columns('content_items')).toContain('published_version');
    expect(test.db.prepare('SELECT id, published_version FROM content_items ORDER BY id').all()).toEqual([
      { id: 'gone', published_version: null },
      { id: 'idea', published_version: null },
      { id: 'live', published_version: 1 },
      { id: 'pack', published_version: 1 },
    ]);
    const versions = test.db
      .prepare(
        'SELECT id, version, state, author_id, contributors, published_at, snapshot FROM content_versions ORDER BY id',
      )
      .all() as { id: string; snapshot: string }[];
    expect(versions.map(({ snapshot: _, ...rest }) => rest)).toEqual([
      {
        id: 'gone',
        version: 2,
        state: 'archived',
        author_id: 'u2',
        contributors: '["u2"]',
        published_at: '2026-01-02T00:00:00.000Z',
      },
      { id: 'idea', version: 1, state: 'draft', author_id: 'u1', contributors: '["u1"]', published_at: null },
      {
        id: 'live',
        version: 1,
        state: 'published',
        author_id: 'u1',
        contributors: '["u1"]',
        published_at: '2026-01-02T00:00:00.000Z',
      },
      {
        id: 'pack',
        version: 1,
        state: 'published',
        author_id: null,
        contributors: '[]',
        published_at: '2026-01-01T00:00:00.000Z',
      },
    ]);
    // the snapshot is the row as SELECT * reads it, so the repository maps it like a live row
    const live = JSON.parse(versions.find((v) => v.id === 'live')!.snapshot) as Record<string, unknown>;
    const row = test.db.prepare(`SELECT * FROM content_items WHERE id = 'live'`).get() as Record<
      string,
      unknown
    >;
    const { published_version: _, ...columns } = row;
    expect(live).toEqual(columns);

    expect(() => test.db.exec(`UPDATE content_versions SET state = 'lost' WHERE id = 'live'`)).toThrow(
      /CHECK/,
    );
    expect(() =>
      test.db
        .exec(`INSERT INTO content_versions (id, locale, version, state, snapshot, created_at, updated_at)
        VALUES ('live', 'zh-CN', 1, 'draft', '{}', 'x', 'x')`),
    ).toThrow(/UNIQUE|PRIMARY/);
  });
});
