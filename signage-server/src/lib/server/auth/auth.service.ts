import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import { err, ok, type Result } from '../result';
import { UserRepository, type UserRecord } from '../users/user.repository';
import { DEFAULT_SCRYPT, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password';
import type { SessionUser } from './roles';
import { SessionRepository } from './session.repository';
import { ThrottleRepository } from './throttle.repository';
import {
  ADDRESS_POLICY,
  USERNAME_POLICY,
  addressKey,
  afterFailure,
  lockedUntil,
  usernameKey,
  type ThrottlePolicy,
} from './throttle';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'linli_session';
/** A session ends after 12 hours without a request… */
export const SESSION_IDLE_MS = 12 * 60 * 60 * 1000;
/** …and 7 days after login in any case. */
export const SESSION_ABSOLUTE_MS = 7 * 24 * 60 * 60 * 1000;
/** last_seen_at is written at most this often, so reading pages does not turn into a write per request. */
const TOUCH_INTERVAL_MS = 60_000;

export type LoginFailureKind = 'invalid-credentials' | 'locked' | 'address-throttled' | 'disabled';

/** What a successful login hands to the route: the cookie value (shown to the browser only) and the user. */
export interface LoginSuccess {
  token: string;
  expiresAt: Date;
  user: SessionUser;
}

export interface LoginInput {
  username: string;
  password: string;
  /** Client address, for the per-address throttle and the audit log. */
  address: string;
  /** The session cookie this browser sent, if any: it is dropped, so a login always starts a new session. */
  previousToken?: string | undefined;
}

export interface AuthServiceOptions {
  db: Db;
  clock: Clock;
  audit: AuditService;
  /** Cost of new hashes; tests lower it to stay fast. */
  scrypt?: ScryptParams;
  usernamePolicy?: ThrottlePolicy;
  addressPolicy?: ThrottlePolicy;
}

/** sha256 of a session token: what the database stores instead of the token. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

function toSessionUser(user: UserRecord): SessionUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    roles: user.roles,
    mustChangePassword: user.mustChangePassword,
  };
}

/**
 * Logins, sessions and password changes (DESIGN.md §Security). Failed logins are throttled per username and per
 * client address; the answer for an unknown username is the same as for a wrong password, in content and in work
 * done (a dummy hash is verified), so the login form cannot be used to find out who has an account.
 */
export class AuthService {
  private readonly users: UserRepository;
  private readonly sessions: SessionRepository;
  private readonly throttle: ThrottleRepository;
  private readonly scrypt: ScryptParams;
  private readonly usernamePolicy: ThrottlePolicy;
  private readonly addressPolicy: ThrottlePolicy;
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly options: AuthServiceOptions) {
    this.users = new UserRepository(options.db);
    this.sessions = new SessionRepository(options.db);
    this.throttle = new ThrottleRepository(options.db);
    this.scrypt = options.scrypt ?? DEFAULT_SCRYPT;
    this.usernamePolicy = options.usernamePolicy ?? USERNAME_POLICY;
    this.addressPolicy = options.addressPolicy ?? ADDRESS_POLICY;
  }

  /** Cost parameters new password hashes get (the user service hashes with the same). */
  get scryptParams(): ScryptParams {
    return this.scrypt;
  }

  /** Checks a username and password; on success creates a new session (dropping the browser's previous one). */
  async login(input: LoginInput): Promise<Result<LoginSuccess, LoginFailureKind>> {
    const { clock, audit, db } = this.options;
    const now = clock.now();
    const username = input.username.trim();
    const userKey = usernameKey(username);
    const ipKey = addressKey(input.address);
    const detail = { address: input.address };

    const addressLock = lockedUntil(this.throttle.find(ipKey), now);
    if (addressLock) {
      audit.record({ actor: username || '-', action: 'auth.login-refused', target: ipKey, detail });
      return err(
        'address-throttled',
        'too many failed logins from this address',
        minutesUntil(addressLock, now),
      );
    }
    const userLock = lockedUntil(this.throttle.find(userKey), now);
    if (userLock) {
      audit.record({ actor: username || '-', action: 'auth.login-refused', target: userKey, detail });
      return err('locked', 'username is locked after repeated failures', minutesUntil(userLock, now));
    }

    const user = username ? this.users.findByUsername(username) : null;
    // verify against a dummy hash for unknown users so both paths cost one scrypt
    const valid = await verifyPassword(input.password, user?.passwordHash ?? (await this.getDummyHash()));

    if (!user || !valid) {
      return db
        .transaction(() => {
          const after = clock.now();
          const userRecord = afterFailure(this.throttle.find(userKey), userKey, after, this.usernamePolicy);
          const ipRecord = afterFailure(this.throttle.find(ipKey), ipKey, after, this.addressPolicy);
          this.throttle.save(userRecord);
          this.throttle.save(ipRecord);
          audit.record({
            actor: username || '-',
            action: 'auth.login-failed',
            target: userKey,
            detail: { ...detail, failures: userRecord.failures, locked: userRecord.lockedUntil !== null },
          });
          if (userRecord.lockedUntil) {
            return err(
              'locked',
              'username locked now',
              minutesUntil(new Date(userRecord.lockedUntil), after),
            );
          }
          if (ipRecord.lockedUntil) {
            return err(
              'address-throttled',
              'address blocked now',
              minutesUntil(new Date(ipRecord.lockedUntil), after),
            );
          }
          return err('invalid-credentials', 'wrong username or password');
        })
        .immediate();
    }

    if (user.disabled) {
      // only someone who knows the password learns that the account exists but is disabled
      audit.record({ actor: user.username, action: 'auth.login-refused', target: `user:${user.id}`, detail });
      return err('disabled', 'account disabled');
    }

    // rehash outside the transaction (async), then write it with the session
    const rehashed = needsRehash(user.passwordHash, this.scrypt)
      ? await hashPassword(input.password, this.scrypt)
      : null;
    const token = crypto.randomBytes(32).toString('base64url');
    const created = clock.now();
    const expiresAt = new Date(created.getTime() + SESSION_ABSOLUTE_MS);
    db.transaction(() => {
      if (input.previousToken) this.sessions.delete(hashToken(input.previousToken));
      this.sessions.deleteExpired(
        created.toISOString(),
        new Date(created.getTime() - SESSION_IDLE_MS).toISOString(),
      );
      this.sessions.insert({
        idHash: hashToken(token),
        userId: user.id,
        csrfToken: crypto.randomBytes(32).toString('base64url'),
        createdAt: created.toISOString(),
        expiresAt: expiresAt.toISOString(),
        lastSeenAt: created.toISOString(),
      });
      this.throttle.delete(userKey);
      if (rehashed)
        this.users.updatePassword(
          user.id,
          rehashed,
          user.mustChangePassword,
          user.passwordChangedAt ?? created.toISOString(),
        );
      audit.record({ actor: user.username, action: 'auth.login', target: `user:${user.id}`, detail });
    }).immediate();
    return ok({ token, expiresAt, user: toSessionUser(user) });
  }

  /** The user of a session cookie, or null when unknown, expired (idle or absolute) or the user is disabled. */
  resolveSession(token: string | undefined): SessionUser | null {
    if (!token || token.length > 200) return null;
    const idHash = hashToken(token);
    const session = this.sessions.find(idHash);
    if (!session) return null;
    const now = this.options.clock.now();
    const idleSince = now.getTime() - new Date(session.lastSeenAt).getTime();
    if (new Date(session.expiresAt) <= now || idleSince >= SESSION_IDLE_MS) {
      this.sessions.delete(idHash);
      return null;
    }
    const user = this.users.findById(session.userId);
    if (!user || user.disabled) {
      this.sessions.delete(idHash);
      return null;
    }
    if (idleSince >= TOUCH_INTERVAL_MS) this.sessions.touch(idHash, now.toISOString());
    return toSessionUser(user);
  }

  /** Ends a session (logout). */
  logout(token: string | undefined, user: SessionUser | null): void {
    if (!token) return;
    const removed = this.sessions.delete(hashToken(token));
    if (removed && user)
      this.options.audit.record({ actor: user, action: 'auth.logout', target: `user:${user.id}` });
  }

  /**
   * Changes the signed-in user's own password after checking the current one. Every other session of the user
   * ends (a changed password must lock out whoever else knew the old one); the current one stays.
   */
  async changePassword(
    user: SessionUser,
    currentToken: string | undefined,
    currentPassword: string,
    newPassword: string,
  ): Promise<Result<void, 'wrong-password' | 'same-password' | 'not-found'>> {
    const record = this.users.findById(user.id);
    if (!record) return err('not-found', 'user no longer exists');
    if (!(await verifyPassword(currentPassword, record.passwordHash))) {
      this.options.audit.record({
        actor: user,
        action: 'user.password-change-failed',
        target: `user:${user.id}`,
      });
      return err('wrong-password', 'current password is wrong');
    }
    if (currentPassword === newPassword) return err('same-password', 'new password equals the current one');
    const hash = await hashPassword(newPassword, this.scrypt);
    const { db, clock, audit } = this.options;
    db.transaction(() => {
      const at = clock.now().toISOString();
      this.users.updatePassword(user.id, hash, false, at);
      const keep = currentToken ? this.sessions.find(hashToken(currentToken)) : null;
      this.sessions.deleteForUser(user.id);
      if (keep) this.sessions.insert(keep);
      audit.record({ actor: user, action: 'user.password-change', target: `user:${user.id}` });
    }).immediate();
    return ok(undefined);
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= hashPassword(crypto.randomBytes(16).toString('hex'), this.scrypt);
    return this.dummyHash;
  }
}

function minutesUntil(until: Date, now: Date): { minutes: number } {
  return { minutes: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000)) };
}
