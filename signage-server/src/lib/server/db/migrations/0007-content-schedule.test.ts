import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0007-content-schedule', () => {
  it('keeps content and devices, giving every row an always-on, untargeted schedule', () => {
    test.migrateTo(6);
    test.db.exec(`
      INSERT INTO content_items (id, locale, category, title, summary, body, body_html, images, status, version,
        source, created_at, updated_at)
        VALUES ('notice', 'zh-CN', 'government', '通知', '', '', '', '[]', 'published', 1, 'cms', 'x', 'x');
      INSERT INTO devices (id, name, credential_hash, platform, app_version, created_at)
        VALUES ('d1', 'Lobby', 'h', 'linux', '0.1.0', '2026-01-01T00:00:00Z');
    `);
    expect(test.migrateTo(7)).toBe(7);
    expect(test.db.prepare('SELECT title, dayparts, priority, target FROM content_items').get()).toEqual({
      title: '通知',
      dayparts: '[]',
      priority: 50,
      target: '{"communities":[],"buildings":[],"groups":[],"tags":[]}',
    });
    expect(test.db.prepare('SELECT name, building_id FROM devices').get()).toEqual({
      name: 'Lobby',
      building_id: null,
    });
    expect(() => test.db.exec(`UPDATE content_items SET priority = 101`)).toThrow(/CHECK/);
  });
});
