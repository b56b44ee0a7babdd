import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service';
import { DEFAULT_SCRYPT, generatePassword, hashPassword, type ScryptParams } from '../auth/password';
import type { SessionUser } from '../auth/roles';
import { SessionRepository } from '../auth/session.repository';
import { ThrottleRepository } from '../auth/throttle.repository';
import { usernameKey } from '../auth/throttle';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { err, ok, type Result } from '../result';
import { fieldErrors, type FieldError } from '../validation';
import { UserRepository, type UserRecord, type UserSummary } from './user.repository';
import { CreateUserInput, Password, UpdateUserInput } from './user.schema';

export type UserFailureKind = 'invalid' | 'username-taken' | 'not-found' | 'last-admin' | 'self';

/** A failure of a user operation; `fields` names the form fields at fault when the input was invalid. */
export type UserResult<T> = Result<T, UserFailureKind> & { fields?: Record<string, FieldError> };

/** The one-time password an admin hands over; shown once, never stored in clear. */
export interface OneTimePassword {
  user: UserSummary;
  password: string;
}

export interface UserServiceOptions {
  db: Db;
  clock: Clock;
  audit: AuditService;
  scrypt?: ScryptParams;
}

/**
 * User administration: create with roles, edit, reset password, disable/enable, unlock. Guards that keep the
 * system administrable: nobody disables or demotes themselves, and the last enabled admin stays.
 */
export class UserService {
  private readonly users: UserRepository;
  private readonly sessions: SessionRepository;
  private readonly throttle: ThrottleRepository;
  private readonly scrypt: ScryptParams;

  constructor(private readonly options: UserServiceOptions) {
    this.users = new UserRepository(options.db);
    this.sessions = new SessionRepository(options.db);
    this.throttle = new ThrottleRepository(options.db);
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT;
  }

  list(): UserSummary[] {
    return this.users.list();
  }

  get(id: string): UserSummary | null {
    return this.users.list().find((user) => user.id === id) ?? null;
  }

  /**
   * Creates a user. Without a password a one-time password is generated; either way the user must choose their own
   * at first login, because the admin knows this one.
   */
  async create(input: unknown, actor: SessionUser | string): Promise<UserResult<OneTimePassword>> {
    const parsed = CreateUserInput.safeParse(input);
    if (!parsed.success) return { ...err('invalid', 'invalid user'), fields: fieldErrors(parsed.error) };
    const { username, displayName, roles } = parsed.data;
    if (this.users.findByUsername(username)) {
      return {
        ...err('username-taken', `username ${username} exists`),
        fields: { username: { key: 'users.error.username-taken' } },
      };
    }
    const password = parsed.data.password ?? generatePassword();
    const hash = await hashPassword(password, this.scrypt);
    const at = this.options.clock.now().toISOString();
    const record: UserRecord = {
      id: crypto.randomUUID(),
      username,
      displayName,
      passwordHash: hash,
      roles: [...new Set(roles)],
      disabled: false,
      mustChangePassword: true,
      createdAt: at,
      updatedAt: at,
      passwordChangedAt: at,
    };
    this.options.db
      .transaction(() => {
        this.users.insert(record);
        this.options.audit.record({
          actor,
          action: 'user.create',
          target: `user:${record.id}`,
          detail: { username, roles: record.roles },
        });
      })
      .immediate();
    return ok({ user: this.get(record.id)!, password });
  }

  /** Changes display name and roles. An admin cannot take the admin role from themselves or the last admin. */
  update(id: string, input: unknown, actor: SessionUser): UserResult<UserSummary> {
    const parsed = UpdateUserInput.safeParse(input);
    if (!parsed.success) return { ...err('invalid', 'invalid user'), fields: fieldErrors(parsed.error) };
    const user = this.users.findById(id);
    if (!user) return err('not-found', 'no such user');
    const roles = [...new Set(parsed.data.roles)];
    const losesAdmin = user.roles.includes('admin') && !roles.includes('admin');
    if (losesAdmin && user.id === actor.id) return err('self', 'cannot remove own admin role');
    return this.options.db
      .transaction(() => {
        if (losesAdmin && !user.disabled && this.users.countActiveAdmins() <= 1) {
          return err('last-admin', 'cannot remove the last admin');
        }
        this.users.updateProfile(id, parsed.data.displayName, roles, this.options.clock.now().toISOString());
        this.options.audit.record({
          actor,
          action: 'user.update',
          target: `user:${id}`,
          detail: { username: user.username, roles, previousRoles: user.roles },
        });
        return ok(this.get(id)!);
      })
      .immediate();
  }

  /** Sets a new one-time password, ends the user's sessions and clears a lockout. */
  async resetPassword(id: string, actor: SessionUser | string): Promise<UserResult<OneTimePassword>> {
    const user = this.users.findById(id);
    if (!user) return err('not-found', 'no such user');
    const password = generatePassword();
    const hash = await hashPassword(password, this.scrypt);
    this.options.db
      .transaction(() => {
        this.users.updatePassword(id, hash, true, this.options.clock.now().toISOString());
        this.sessions.deleteForUser(id);
        this.throttle.delete(usernameKey(user.username));
        this.options.audit.record({
          actor,
          action: 'user.reset-password',
          target: `user:${id}`,
          detail: { username: user.username },
        });
      })
      .immediate();
    return ok({ user: this.get(id)!, password });
  }

  /** Disables (ending every session at once) or re-enables a user. */
  setDisabled(id: string, disabled: boolean, actor: SessionUser): UserResult<UserSummary> {
    const user = this.users.findById(id);
    if (!user) return err('not-found', 'no such user');
    if (disabled && user.id === actor.id) return err('self', 'cannot disable yourself');
    return this.options.db
      .transaction(() => {
        if (
          disabled &&
          !user.disabled &&
          user.roles.includes('admin') &&
          this.users.countActiveAdmins() <= 1
        ) {
          return err('last-admin', 'cannot disable the last admin');
        }
        this.users.setDisabled(id, disabled, this.options.clock.now().toISOString());
        if (disabled) this.sessions.deleteForUser(id);
        this.options.audit.record({
          actor,
          action: disabled ? 'user.disable' : 'user.enable',
          target: `user:${id}`,
          detail: { username: user.username },
        });
        return ok(this.get(id)!);
      })
      .immediate();
  }

  /** Lifts a lockout of the user's name before it runs out. */
  unlock(id: string, actor: SessionUser): UserResult<UserSummary> {
    const user = this.users.findById(id);
    if (!user) return err('not-found', 'no such user');
    this.options.db
      .transaction(() => {
        this.throttle.delete(usernameKey(user.username));
        this.options.audit.record({
          actor,
          action: 'user.unlock',
          target: `user:${id}`,
          detail: { username: user.username },
        });
      })
      .immediate();
    return ok(this.get(id)!);
  }

  /**
   * First start: when there is no user at all, creates `admin` with the configured password (trusted: no forced
   * change) or a generated one-time password (must be changed at first login). Returns the generated password so
   * the caller can print it once; null when nothing was created or the password came from configuration.
   */
  async ensureFirstAdmin(
    configuredPassword?: string,
  ): Promise<{ created: boolean; generatedPassword: string | null }> {
    if (this.users.count() > 0) return { created: false, generatedPassword: null };
    if (configuredPassword !== undefined && !Password.safeParse(configuredPassword).success) {
      throw new Error('LINLI_ADMIN_PASSWORD must be 8–200 characters');
    }
    const password = configuredPassword ?? generatePassword();
    const hash = await hashPassword(password, this.scrypt);
    const at = this.options.clock.now().toISOString();
    const created = this.options.db
      .transaction(() => {
        // re-check inside the transaction: two processes starting on one data dir must not both create it
        if (this.users.count() > 0) return false;
        const id = crypto.randomUUID();
        this.users.insert({
          id,
          username: 'admin',
          displayName: '系统管理员',
          passwordHash: hash,
          roles: ['admin'],
          disabled: false,
          mustChangePassword: configuredPassword === undefined,
          createdAt: at,
          updatedAt: at,
          passwordChangedAt: at,
        });
        this.options.audit.record({
          actor: 'system',
          action: 'user.create',
          target: `user:${id}`,
          detail: {
            username: 'admin',
            roles: ['admin'],
            firstStart: true,
            passwordFrom: configuredPassword ? 'env' : 'generated',
          },
        });
        return true;
      })
      .immediate();
    return { created, generatedPassword: created && configuredPassword === undefined ? password : null };
  }
}
