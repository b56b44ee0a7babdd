import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0005-visitors', () => {
  it('keeps the registry and adds visits, watch-list, doors, access cards and the access log with guards', () => {
    test.migrateTo(4);
    test.db.exec(`
      INSERT INTO communities (id, name, created_at) VALUES ('c', '幸福里', 'x');
      INSERT INTO buildings (id, community_id, code, name, floors) VALUES ('b2', 'c', '2', '2号楼', 11);
      INSERT INTO units (id, building_id, number, floor, area_m2, type) VALUES ('u', 'b2', '1-0301', 3, 80, 'residential');
      INSERT INTO residents (id, unit_id, name, role, created_at, updated_at) VALUES ('r', 'u', '王建国', 'owner', 'x', 'x');
    `);
    expect(test.migrateTo(5)).toBe(5);
    expect(test.db.prepare('SELECT name FROM residents').pluck().get()).toBe('王建国');
    expect(test.tables()).toEqual(
      expect.arrayContaining([
        'visits',
        'visit_confirmations',
        'visitor_watchlist',
        'access_door_secrets',
        'access_cards',
        'access_card_buildings',
        'access_log',
      ]),
    );
    const insertVisit = (id: string, clientRef: string, status: string) =>
      test.db
        .prepare(
          `INSERT INTO visits (id, client_ref, device_id, community_id, building_id, unit_id, unit_number, status,
             visitor_surname, visitor_name_masked, document_kind, document_number_masked, identity_source,
             identity_confidence, phone_masked, reason, companions, consent_version, consent_at, submitted_at,
             registered_at)
           VALUES (?, ?, 'd', 'c', 'b2', 'u', '1-0301', ?, '张', '张*', 'cn-id', '110105********002X', 'reader',
             1, '138****0001', 'friend', 0, 'v1', 'x', 'x', 'x')`,
        )
        .run(id, clientRef, status);
    insertVisit('v1', 'ref-1', 'pending-resident');
    expect(() => insertVisit('v2', 'ref-1', 'pending-resident')).toThrow(/UNIQUE/);
    expect(() => insertVisit('v3', 'ref-3', 'waiting')).toThrow(/CHECK/);
    expect(() =>
      test.db
        .prepare(
          "INSERT INTO access_log (at, door_id, credential_kind, allow, reason) VALUES ('x', 'd', 'face', 1, 'ok')",
        )
        .run(),
    ).toThrow(/CHECK/);
    test.db.exec(`
      INSERT INTO access_cards (uid, resident_id, status, bound_by, bound_at) VALUES ('04A1', 'r', 'active', 'clerk', 'x');
      INSERT INTO access_card_buildings (uid, building_id) VALUES ('04A1', 'b2');
    `);
    expect(() =>
      test.db.prepare("INSERT INTO access_card_buildings (uid, building_id) VALUES ('04A1', 'nope')").run(),
    ).toThrow(/FOREIGN/);
    expect(test.indexes('visits')).toEqual(
      expect.arrayContaining(['visits_registered', 'visits_unit', 'visits_surname', 'visits_open']),
    );
  });
});
