import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0001-initial', () => {
  it('takes an empty database (version 0) to the foundation schema (version 1)', () => {
    expect(test.version()).toBe(0);
    expect(test.tables()).toEqual([]);
    expect(test.migrateTo(1)).toBe(1);
    expect(test.tables()).toEqual([
      'assets',
      'audit_log',
      'buildings',
      'communities',
      'content_items',
      'devices',
      'pairing_codes',
      'residents',
      'sessions',
      'units',
      'users',
    ]);
    expect(test.columns('residents')).toEqual(
      expect.arrayContaining(['unit_id', 'name', 'phone_enc', 'phone_hash', 'role']),
    );
  });

  it('enforces the registry’s constraints', () => {
    test.migrateTo(1);
    const { db } = test;
    db.prepare(
      "INSERT INTO communities (id, name, created_at) VALUES ('c', '社区', '2026-01-01T00:00:00Z')",
    ).run();
    db.prepare(
      "INSERT INTO buildings (id, community_id, code, name, floors) VALUES ('b', 'c', '1', '1号楼', 6)",
    ).run();
    expect(() =>
      db
        .prepare(
          "INSERT INTO buildings (id, community_id, code, name, floors) VALUES ('b2', 'c', '1', 'dup', 6)",
        )
        .run(),
    ).toThrow(/UNIQUE/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO buildings (id, community_id, code, name, floors) VALUES ('b3', 'nope', '2', 'x', 6)",
        )
        .run(),
    ).toThrow(/FOREIGN KEY/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO units (id, building_id, number, floor, area_m2, type) VALUES ('u', 'b', '1', 1, 0, 'residential')",
        )
        .run(),
    ).toThrow(/CHECK/);
    expect(() =>
      db
        .prepare(
          "INSERT INTO units (id, building_id, number, floor, area_m2, type) VALUES ('u', 'b', '1', 1, 50, 'villa')",
        )
        .run(),
    ).toThrow(/CHECK/);
  });

  it('is applied once: migrating again changes nothing', () => {
    test.migrateTo(1);
    expect(test.migrateTo(1)).toBe(1);
    expect(test.version()).toBe(1);
  });
});
