import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openMigrationTestDb, type MigrationTestDb } from '../migration-test-helper';

let test: MigrationTestDb;
beforeEach(() => {
  test = openMigrationTestDb();
});
afterEach(() => test.close());

describe('migration 0002-auth-throttle', () => {
  it('keeps existing users (not forced to change password), moves lockouts to login_throttle', () => {
    test.migrateTo(1);
    test.db
      .prepare(
        `INSERT INTO users (id, username, display_name, password_hash, roles, failed_logins, locked_until, created_at, updated_at)
         VALUES ('u1', 'admin', 'Admin', 'scrypt$…', '["admin"]', 3, NULL, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')`,
      )
      .run();
    test.db
      .prepare(
        `INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at)
         VALUES ('h', 'u1', 't', '2026-01-01T00:00:00Z', '2026-01-08T00:00:00Z', '2026-01-01T00:00:00Z')`,
      )
      .run();

    expect(test.migrateTo(2)).toBe(2);

    expect(
      test.db.prepare('SELECT username, roles, must_change_password, password_changed_at FROM users').all(),
    ).toEqual([
      { username: 'admin', roles: '["admin"]', must_change_password: 0, password_changed_at: null },
    ]);
    expect(test.columns('users')).not.toContain('failed_logins');
    expect(test.columns('users')).not.toContain('locked_until');
    expect(test.db.prepare('SELECT count(*) AS n FROM sessions').get()).toEqual({ n: 1 });
    expect(test.tables()).toContain('login_throttle');
    expect(test.columns('login_throttle')).toEqual([
      'key',
      'failures',
      'first_failure_at',
      'last_failure_at',
      'locked_until',
    ]);
    expect(test.indexes('residents')).toContain('residents_phone_hash');
    expect(test.indexes('audit_log')).toEqual(
      expect.arrayContaining(['audit_log_actor', 'audit_log_action']),
    );
  });

  it('rejects a negative failure count', () => {
    test.migrateTo(2);
    expect(() =>
      test.db
        .prepare(
          "INSERT INTO login_throttle VALUES ('user:x', -1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', NULL)",
        )
        .run(),
    ).toThrow(/CHECK/);
  });
});
