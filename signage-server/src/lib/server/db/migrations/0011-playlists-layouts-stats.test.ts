import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0011-playlists-layouts-stats', () => {
  it('keeps the devices and adds playlists, layouts and proof-of-play with their guards', () => {
    test.migrateTo(10);
    test.db.exec(`
      INSERT INTO devices (id, name, credential_hash, created_at) VALUES ('d1', 'lobby', 'h', 'x');
    `);
    expect(test.migrateTo(11)).toBe(11);
    expect(test.db.prepare('SELECT name FROM devices').pluck().get()).toBe('lobby');
    expect(test.tables()).toEqual(
      expect.arrayContaining([
        'playlists',
        'playlist_entries',
        'layouts',
        'layout_zones',
        'stats_batches',
        'play_events',
        'touch_events',
      ]),
    );

    test.db.exec(`INSERT INTO playlists (id, name, created_by, created_at, updated_by, updated_at)
      VALUES ('p', '大堂', 'admin', 'x', 'admin', 'x')`);
    const entry = (
      position: number,
      item: string | null,
      asset: string | null,
      seconds = 10,
      transition = 'fade',
    ) =>
      test.db
        .prepare(
          `INSERT INTO playlist_entries (playlist_id, position, item_id, asset_sha256, duration_seconds, transition)
           VALUES ('p', ?, ?, ?, ?, ?)`,
        )
        .run(position, item, asset, seconds, transition);
    entry(0, 'notice-1', null);
    entry(1, null, 'a'.repeat(64));
    expect(() => entry(2, 'notice-2', 'b'.repeat(64))).toThrow(/CHECK/);
    expect(() => entry(3, null, null)).toThrow(/CHECK/);
    expect(() => entry(4, 'notice-3', null, 1)).toThrow(/CHECK/);
    expect(() => entry(5, 'notice-3', null, 10, 'zoom')).toThrow(/CHECK/);
    expect(() => entry(0, 'notice-4', null)).toThrow(/UNIQUE|PRIMARY/);

    test.db.exec(`INSERT INTO layouts (id, name, template, created_by, created_at, updated_by, updated_at)
      VALUES ('l', '大堂横屏', 'main-ticker', 'admin', 'x', 'admin', 'x')`);
    expect(test.db.prepare('SELECT priority, target FROM layouts').get()).toEqual({
      priority: 50,
      target: '{"communities":[],"buildings":[],"groups":[],"tags":[]}',
    });
    expect(() =>
      test.db.exec(`INSERT INTO layouts (id, name, template, created_by, created_at, updated_by, updated_at)
        VALUES ('l2', 'x', 'split-4', 'admin', 'x', 'admin', 'x')`),
    ).toThrow(/CHECK/);
    test.db.exec(`INSERT INTO layout_zones (layout_id, zone, playlist_id) VALUES ('l', 'main', 'p')`);
    expect(() =>
      test.db.exec(`INSERT INTO layout_zones (layout_id, zone, playlist_id) VALUES ('l', 'ticker', 'nope')`),
    ).toThrow(/FOREIGN/);
    expect(() =>
      test.db.exec(`INSERT INTO layout_zones (layout_id, zone, playlist_id) VALUES ('l', 'sidebar', 'p')`),
    ).toThrow(/CHECK/);
    // deleting a layout takes its zones; deleting the playlist then takes its entries
    test.db.exec(`DELETE FROM layouts WHERE id = 'l'; DELETE FROM playlists WHERE id = 'p'`);
    expect(test.db.prepare('SELECT COUNT(*) FROM playlist_entries').pluck().get()).toBe(0);

    test.db.exec(`INSERT INTO stats_batches (device_id, batch_id, received_at, plays, touches)
      VALUES ('d1', 'b1', 'x', 1, 0)`);
    expect(() =>
      test.db.exec(`INSERT INTO stats_batches (device_id, batch_id, received_at, plays, touches)
        VALUES ('d1', 'b1', 'y', 1, 0)`),
    ).toThrow(/UNIQUE|PRIMARY/);
    const play = (zone: string, item: string | null, asset: string | null, device = 'd1') =>
      test.db
        .prepare(
          `INSERT INTO play_events (device_id, item_id, asset_sha256, zone, started_at, duration_ms, day)
           VALUES (?, ?, ?, ?, '2026-11-25T02:00:00.000Z', 8000, '2026-11-25')`,
        )
        .run(device, item, asset, zone);
    play('main', 'notice-1', null);
    play('attract', null, 'a'.repeat(64));
    expect(() => play('sidebar', 'notice-1', null)).toThrow(/CHECK/);
    expect(() => play('main', null, null)).toThrow(/CHECK/);
    expect(() => play('main', 'notice-1', null, 'ghost')).toThrow(/FOREIGN/);
    expect(test.indexes('play_events')).toEqual(
      expect.arrayContaining(['play_events_day', 'play_events_started']),
    );
  });
});
