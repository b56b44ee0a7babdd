import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSignedUpUser, createTestCore, type TestCore } from '../testing/core.fixture';
import { hashToken, SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from './auth.service';

const HOUR = 60 * 60 * 1000;
let core: TestCore;

beforeEach(async () => {
  core = createTestCore();
  await createSignedUpUser(core, 'editor1', ['editor'], 'editor password 1');
});
afterEach(() => core.cleanup());

const login = (username: string, password: string, address = '10.0.0.1', previousToken?: string) =>
  core.auth.login({ username, password, address, previousToken });

const sessionCount = () => (core.db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number }).n;

describe('login', () => {
  it('signs in with the right password and stores only the sha256 of the session token', async () => {
    const result = await login('editor1', 'editor password 1');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value.user).toMatchObject({ username: 'editor1', roles: ['editor'] });
    expect(Buffer.from(result.value.token, 'base64url')).toHaveLength(32);
    const rows = core.db.prepare('SELECT id_hash FROM sessions').all() as { id_hash: string }[];
    expect(rows).toEqual([{ id_hash: hashToken(result.value.token) }]);
    expect(core.auth.resolveSession(result.value.token)?.username).toBe('editor1');
  });

  it('accepts the username in any case', async () => {
    expect((await login('EDITOR1', 'editor password 1')).ok).toBe(true);
  });

  it('answers an unknown user exactly like a wrong password', async () => {
    const unknown = await login('nobody', 'whatever password');
    const wrong = await login('editor1', 'whatever password');
    expect(unknown).toEqual(wrong);
    expect(unknown).toMatchObject({ ok: false, error: { kind: 'invalid-credentials' } });
  });

  it('locks a username after 5 failures for 15 minutes, even for the right password, then lets it in', async () => {
    for (let i = 1; i <= 4; i++) {
      expect(await login('editor1', `wrong ${i}`)).toMatchObject({
        ok: false,
        error: { kind: 'invalid-credentials' },
      });
    }
    expect(await login('editor1', 'wrong 5')).toMatchObject({
      ok: false,
      error: { kind: 'locked', params: { minutes: 15 } },
    });
    expect(await login('editor1', 'editor password 1')).toMatchObject({
      ok: false,
      error: { kind: 'locked' },
    });
    core.clock.advance(14 * 60_000);
    expect(await login('editor1', 'editor password 1')).toMatchObject({
      ok: false,
      error: { kind: 'locked', params: { minutes: 1 } },
    });
    core.clock.advance(60_000);
    expect((await login('editor1', 'editor password 1')).ok).toBe(true);
  });

  it('locks unknown usernames the same way, so lockout does not reveal who exists', async () => {
    const known: unknown[] = [];
    const unknown: unknown[] = [];
    for (let i = 0; i < 6; i++) known.push(await login('editor1', 'bad password', `10.0.1.${i}`));
    for (let i = 0; i < 6; i++) unknown.push(await login('ghost', 'bad password', `10.0.2.${i}`));
    expect(unknown).toEqual(known);
  });

  it('lets one wrong password not count against the lock after a success', async () => {
    for (let i = 0; i < 4; i++) await login('editor1', 'bad password');
    expect((await login('editor1', 'editor password 1')).ok).toBe(true);
    expect(await login('editor1', 'bad password')).toMatchObject({ error: { kind: 'invalid-credentials' } });
  });

  it('throttles one address spraying many usernames', async () => {
    for (let i = 0; i < 19; i++) {
      expect(await login(`user${i}`, 'bad password', '192.0.2.7')).toMatchObject({
        error: { kind: 'invalid-credentials' },
      });
    }
    expect(await login('user19', 'bad password', '192.0.2.7')).toMatchObject({
      error: { kind: 'address-throttled' },
    });
    // the real user from that address is refused too, from another address they get in
    expect(await login('editor1', 'editor password 1', '192.0.2.7')).toMatchObject({
      error: { kind: 'address-throttled' },
    });
    expect((await login('editor1', 'editor password 1', '198.51.100.1')).ok).toBe(true);
  });

  it('refuses a disabled account that knows its password, and records every attempt in the audit log', async () => {
    const editor = core.users.list().find((u) => u.username === 'editor1')!;
    core.db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(editor.id);
    expect(await login('editor1', 'editor password 1')).toMatchObject({
      ok: false,
      error: { kind: 'disabled' },
    });
    await login('editor1', 'nope nope');
    const actions = core.audit.list({ page: 1 }).entries.map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['auth.login-refused', 'auth.login-failed']));
  });
});

describe('sessions', () => {
  it('rotates: a new login gets a new token and drops the browser’s previous session', async () => {
    const first = await login('editor1', 'editor password 1');
    if (!first.ok) throw new Error('login failed');
    const second = await login('editor1', 'editor password 1', '10.0.0.1', first.value.token);
    if (!second.ok) throw new Error('login failed');
    expect(second.value.token).not.toBe(first.value.token);
    expect(core.auth.resolveSession(first.value.token)).toBeNull();
    expect(core.auth.resolveSession(second.value.token)?.username).toBe('editor1');
    expect(sessionCount()).toBe(1);
  });

  it('keeps sessions of other browsers of the same user', async () => {
    const laptop = await login('editor1', 'editor password 1');
    const phone = await login('editor1', 'editor password 1');
    if (!laptop.ok || !phone.ok) throw new Error('login failed');
    expect(core.auth.resolveSession(laptop.value.token)).not.toBeNull();
    expect(core.auth.resolveSession(phone.value.token)).not.toBeNull();
  });

  it('ends after 12 idle hours', async () => {
    const result = await login('editor1', 'editor password 1');
    if (!result.ok) throw new Error('login failed');
    core.clock.advance(SESSION_IDLE_MS - 60_000);
    expect(core.auth.resolveSession(result.value.token)).not.toBeNull();
    core.clock.advance(SESSION_IDLE_MS - 60_000); // active a minute before: still alive
    expect(core.auth.resolveSession(result.value.token)).not.toBeNull();
    core.clock.advance(SESSION_IDLE_MS);
    expect(core.auth.resolveSession(result.value.token)).toBeNull();
    expect(sessionCount()).toBe(0);
  });

  it('ends 7 days after login however active it was', async () => {
    const result = await login('editor1', 'editor password 1');
    if (!result.ok) throw new Error('login failed');
    for (let elapsed = 0; elapsed < SESSION_ABSOLUTE_MS - 2 * HOUR; elapsed += 2 * HOUR) {
      expect(core.auth.resolveSession(result.value.token)).not.toBeNull();
      core.clock.advance(2 * HOUR);
    }
    core.clock.advance(2 * HOUR);
    expect(core.auth.resolveSession(result.value.token)).toBeNull();
  });

  it('logout deletes the session', async () => {
    const result = await login('editor1', 'editor password 1');
    if (!result.ok) throw new Error('login failed');
    core.auth.logout(result.value.token, result.value.user);
    expect(core.auth.resolveSession(result.value.token)).toBeNull();
    expect(sessionCount()).toBe(0);
  });

  it('ignores forged and oversized tokens', () => {
    expect(core.auth.resolveSession('forged')).toBeNull();
    expect(core.auth.resolveSession('x'.repeat(5000))).toBeNull();
    expect(core.auth.resolveSession(undefined)).toBeNull();
  });
});

describe('changePassword', () => {
  it('needs the current password, then ends the user’s other sessions but keeps this one', async () => {
    const here = await login('editor1', 'editor password 1');
    const elsewhere = await login('editor1', 'editor password 1');
    if (!here.ok || !elsewhere.ok) throw new Error('login failed');
    const user = here.value.user;
    expect(await core.auth.changePassword(user, here.value.token, 'wrong', 'new password 22')).toMatchObject({
      ok: false,
      error: { kind: 'wrong-password' },
    });
    expect(
      await core.auth.changePassword(user, here.value.token, 'editor password 1', 'new password 22'),
    ).toEqual({
      ok: true,
      value: undefined,
    });
    expect(core.auth.resolveSession(here.value.token)).not.toBeNull();
    expect(core.auth.resolveSession(elsewhere.value.token)).toBeNull();
    expect((await login('editor1', 'editor password 1')).ok).toBe(false);
    expect((await login('editor1', 'new password 22')).ok).toBe(true);
  });
});
