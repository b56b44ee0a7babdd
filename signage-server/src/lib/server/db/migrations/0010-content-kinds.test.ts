import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0010-content-kinds', () => {
  it('keeps every item as a notice with an empty payload, and stores ratings 1-5', () => {
    test.migrateTo(9);
    test.db.exec(`
      INSERT INTO content_items (id, locale, category, title, summary, body, body_html, images, status, version,
        source, created_at, updated_at)
        VALUES ('notice', 'zh-CN', 'government', '通知', '', '正文', '<p>正文</p>', '[]', 'published', 1, 'cms', 'x', 'x');
    `);
    expect(test.migrateTo(10)).toBe(10);
    expect(test.db.prepare('SELECT title, body, kind, payload FROM content_items').get()).toEqual({
      title: '通知',
      body: '正文',
      kind: 'notice',
      payload: '{}',
    });
    expect(() => test.db.exec(`UPDATE content_items SET kind = 'script'`)).toThrow(/CHECK/);
    test.db.exec(`UPDATE content_items SET kind = 'provider', payload = '{"provider":"P"}'`);

    const insert = test.db.prepare(
      `INSERT INTO provider_ratings (item_id, device_id, score, created_at) VALUES ('notice', 'd1', ?, 'x')`,
    );
    insert.run(5);
    insert.run(1);
    expect(() => insert.run(6)).toThrow(/CHECK/);
    expect(() => insert.run(0)).toThrow(/CHECK/);
    expect(
      test.db.prepare('SELECT count(*) AS n, avg(score) AS average FROM provider_ratings').get(),
    ).toEqual({
      n: 2,
      average: 3,
    });
    expect(test.indexes('provider_ratings')).toEqual([
      'provider_ratings_device_time',
      'provider_ratings_item',
    ]);
  });
});
