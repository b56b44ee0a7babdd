import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0009-media-library', () => {
  it('keeps every asset, with no metadata or preview yet and an empty alt text', () => {
    test.migrateTo(8);
    test.db.exec(`
      INSERT INTO assets (sha256, size, mime, original_name, created_by, created_at)
        VALUES ('${'a'.repeat(64)}', 1234, 'image/png', '公告.png', NULL, '2026-11-01T00:00:00.000Z');
    `);
    expect(test.migrateTo(9)).toBe(9);
    expect(test.db.prepare('SELECT * FROM assets').get()).toEqual({
      sha256: 'a'.repeat(64),
      size: 1234,
      mime: 'image/png',
      original_name: '公告.png',
      created_by: null,
      created_at: '2026-11-01T00:00:00.000Z',
      width: null,
      height: null,
      duration_ms: null,
      codec: null,
      preview_sha256: null,
      alt_text: '',
      updated_at: null,
    });
    expect(test.indexes('assets')).toEqual(expect.arrayContaining(['assets_created', 'assets_mime']));
    expect(() => test.db.exec(`UPDATE assets SET width = 0`)).toThrow(/CHECK/);
  });
});
