import type { Db } from '../db/database';
import type { Role } from '../auth/roles';

/** A user row as services use it (the password hash never leaves the auth and user services). */
export interface UserRecord {
  id: string;
  username: string;
  displayName: string;
  passwordHash: string;
  roles: Role[];
  disabled: boolean;
  mustChangePassword: boolean;
  createdAt: string;
  updatedAt: string;
  passwordChangedAt: string | null;
}

/** A user as the users page lists it, with the lockout state of their username. */
export interface UserSummary extends Omit<UserRecord, 'passwordHash'> {
  lockedUntil: string | null;
  failedLogins: number;
}

interface UserRow {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  roles: string;
  disabled: number;
  must_change_password: number;
  created_at: string;
  updated_at: string;
  password_changed_at: string | null;
}

function toRecord(row: UserRow): UserRecord {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    passwordHash: row.password_hash,
    roles: JSON.parse(row.roles) as Role[],
    disabled: row.disabled === 1,
    mustChangePassword: row.must_change_password === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    passwordChangedAt: row.password_changed_at,
  };
}

/** SQL of the users table. */
export class UserRepository {
  constructor(private readonly db: Db) {}

  count(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM users').get() as { n: number }).n;
  }

  findById(id: string): UserRecord | null {
    const row = this.db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Case-insensitive (the column is COLLATE NOCASE). */
  findByUsername(username: string): UserRecord | null {
    const row = this.db.prepare('SELECT * FROM users WHERE username = ?').get(username) as
      UserRow | undefined;
    return row ? toRecord(row) : null;
  }

  /** Every user with the lockout state of their username, ordered by username. */
  list(): UserSummary[] {
    const rows = this.db
      .prepare(
        `SELECT u.*, t.locked_until AS locked_until, coalesce(t.failures, 0) AS failures
         FROM users u LEFT JOIN login_throttle t ON t.key = 'user:' || lower(u.username)
         ORDER BY u.username COLLATE NOCASE`,
      )
      .all() as (UserRow & { locked_until: string | null; failures: number })[];
    return rows.map((row) => {
      const { passwordHash: _hash, ...rest } = toRecord(row);
      return { ...rest, lockedUntil: row.locked_until, failedLogins: row.failures };
    });
  }

  /** Number of enabled users holding the admin role (guards against locking everyone out). */
  countActiveAdmins(): number {
    return (
      this.db
        .prepare(
          `SELECT count(*) AS n FROM users
           WHERE disabled = 0 AND EXISTS (SELECT 1 FROM json_each(users.roles) WHERE value = 'admin')`,
        )
        .get() as { n: number }
    ).n;
  }

  insert(user: UserRecord): void {
    this.db
      .prepare(
        `INSERT INTO users (id, username, display_name, password_hash, roles, disabled, must_change_password,
                            created_at, updated_at, password_changed_at)
         VALUES (@id, @username, @displayName, @passwordHash, @roles, @disabled, @mustChangePassword,
                 @createdAt, @updatedAt, @passwordChangedAt)`,
      )
      .run({
        ...user,
        roles: JSON.stringify(user.roles),
        disabled: user.disabled ? 1 : 0,
        mustChangePassword: user.mustChangePassword ? 1 : 0,
      });
  }

  updatePassword(id: string, passwordHash: string, mustChangePassword: boolean, at: string): void {
    this.db
      .prepare(
        `UPDATE users SET password_hash = ?, must_change_password = ?, password_changed_at = ?, updated_at = ?
         WHERE id = ?`,
      )
      .run(passwordHash, mustChangePassword ? 1 : 0, at, at, id);
  }

  updateProfile(id: string, displayName: string, roles: Role[], at: string): void {
    this.db
      .prepare('UPDATE users SET display_name = ?, roles = ?, updated_at = ? WHERE id = ?')
      .run(displayName, JSON.stringify(roles), at, id);
  }

  setDisabled(id: string, disabled: boolean, at: string): void {
    this.db
      .prepare('UPDATE users SET disabled = ?, updated_at = ? WHERE id = ?')
      .run(disabled ? 1 : 0, at, id);
  }
}
