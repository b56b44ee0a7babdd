import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0004-fleet', () => {
  it('keeps devices, gives them a group and tags, and adds heartbeats and commands with their guards', () => {
    test.migrateTo(3);
    test.db.exec(`
      INSERT INTO devices (id, name, credential_hash, platform, app_version, created_at)
        VALUES ('d1', 'Lobby', 'h', 'linux', '0.1.0', '2026-01-01T00:00:00Z');
    `);
    expect(test.migrateTo(4)).toBe(4);
    expect(test.db.prepare('SELECT name, device_group, tags FROM devices').get()).toEqual({
      name: 'Lobby',
      device_group: null,
      tags: '[]',
    });
    expect(test.tables()).toEqual(expect.arrayContaining(['device_heartbeats', 'device_commands']));
    test.db.exec(`
      INSERT INTO device_heartbeats (device_id, received_at, interval_ms, report, state_changed_at)
        VALUES ('d1', 'x', 30000, '{}', 'x');
      INSERT INTO device_commands (id, device_id, kind, issued_by, issued_at, state)
        VALUES ('c1', 'd1', 'identify', 'admin', 'x', 'pending');
    `);
    expect(test.db.prepare('SELECT state FROM device_heartbeats').pluck().get()).toBe('online');
    const insertCommand = (kind: string, state: string, screenshot: Buffer | null = null) =>
      test.db
        .prepare(
          `INSERT INTO device_commands (id, device_id, kind, issued_by, issued_at, state, screenshot)
           VALUES (?, 'd1', ?, 'admin', 'x', ?, ?)`,
        )
        .run(`c-${kind}-${state}`, kind, state, screenshot);
    expect(() => insertCommand('format-disk', 'pending')).toThrow(/CHECK/);
    expect(() => insertCommand('identify', 'lost')).toThrow(/CHECK/);
    expect(() => insertCommand('identify', 'acked', Buffer.from('png'))).toThrow(/CHECK/);
    expect(() => insertCommand('screenshot', 'acked', Buffer.from('png'))).not.toThrow();
    expect(() =>
      test.db
        .prepare(
          "INSERT INTO device_heartbeats (device_id, received_at, interval_ms, report, state_changed_at) VALUES ('nope', 'x', 0, '{}', 'x')",
        )
        .run(),
    ).toThrow(/CHECK|FOREIGN/);
    expect(test.indexes('device_commands')).toEqual(
      expect.arrayContaining(['device_commands_device', 'device_commands_open']),
    );
  });
});
