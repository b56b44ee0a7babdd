import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSignedUpUser, createTestCore, SYSTEM_ADMIN, type TestCore } from '../testing/core.fixture';

let core: TestCore;
beforeEach(() => {
  core = createTestCore();
});
afterEach(() => core.cleanup());

const login = (username: string, password: string) =>
  core.auth.login({ username, password, address: '10.0.0.1' });

describe('first start', () => {
  it('creates admin with a generated one-time password that must be changed', async () => {
    const first = await core.users.ensureFirstAdmin(undefined);
    expect(first.created).toBe(true);
    expect(first.generatedPassword).toMatch(/^\w{16}$/);
    const result = await login('admin', first.generatedPassword!);
    expect(result).toMatchObject({
      ok: true,
      value: { user: { roles: ['admin'], mustChangePassword: true } },
    });
    // a second start creates nothing and prints nothing
    expect(await core.users.ensureFirstAdmin(undefined)).toEqual({ created: false, generatedPassword: null });
  });

  it('uses LINLI_ADMIN_PASSWORD without forcing a change, and refuses a short one', async () => {
    await expect(core.users.ensureFirstAdmin('short')).rejects.toThrow(/LINLI_ADMIN_PASSWORD/);
    expect(await core.users.ensureFirstAdmin('configured secret')).toEqual({
      created: true,
      generatedPassword: null,
    });
    expect(await login('admin', 'configured secret')).toMatchObject({
      ok: true,
      value: { user: { mustChangePassword: false } },
    });
  });
});

describe('user administration', () => {
  it('creates users with roles and a one-time password; names are unique without regard to case', async () => {
    const created = await core.users.create(
      { username: 'Li.Na', displayName: '李娜', roles: ['editor', 'reviewer'] },
      SYSTEM_ADMIN,
    );
    if (!created.ok) throw new Error(created.error.kind);
    expect(created.value.user).toMatchObject({
      username: 'li.na',
      roles: ['editor', 'reviewer'],
      mustChangePassword: true,
    });
    expect((await login('li.na', created.value.password)).ok).toBe(true);
    const again = await core.users.create(
      { username: 'LI.NA', displayName: 'x', roles: ['editor'] },
      SYSTEM_ADMIN,
    );
    expect(again).toMatchObject({
      ok: false,
      error: { kind: 'username-taken' },
      fields: { username: { key: 'users.error.username-taken' } },
    });
  });

  it('reports every invalid field with an i18n key', async () => {
    const result = await core.users.create(
      { username: 'x', displayName: '', roles: ['root'], password: 'short' },
      SYSTEM_ADMIN,
    );
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'invalid' },
      fields: {
        username: { key: 'validation.username' },
        displayName: { key: 'validation.required' },
        roles: { key: 'validation.roles' },
        password: { key: 'validation.passwordShort' },
      },
    });
    expect(core.users.list()).toHaveLength(0);
  });

  it('reset password: new one-time password, sessions end, lockout lifted', async () => {
    const user = await createSignedUpUser(core, 'clerk1', ['clerk']);
    const session = await login('clerk1', 'a good long password');
    if (!session.ok) throw new Error('login failed');
    for (let i = 0; i < 5; i++) await login('clerk1', 'wrong password');
    expect(core.users.get(user.id)?.lockedUntil).not.toBeNull();

    const reset = await core.users.resetPassword(user.id, SYSTEM_ADMIN);
    if (!reset.ok) throw new Error(reset.error.kind);
    expect(core.auth.resolveSession(session.value.token)).toBeNull();
    expect(core.users.get(user.id)).toMatchObject({ lockedUntil: null, mustChangePassword: true });
    expect((await login('clerk1', 'a good long password')).ok).toBe(false);
    expect((await login('clerk1', reset.value.password)).ok).toBe(true);
  });

  it('disable ends sessions at once; enable lets the user back in', async () => {
    const user = await createSignedUpUser(core, 'editor2', ['editor']);
    const session = await login('editor2', 'a good long password');
    if (!session.ok) throw new Error('login failed');
    expect(core.users.setDisabled(user.id, true, SYSTEM_ADMIN).ok).toBe(true);
    expect(core.auth.resolveSession(session.value.token)).toBeNull();
    expect(await login('editor2', 'a good long password')).toMatchObject({ error: { kind: 'disabled' } });
    expect(core.users.setDisabled(user.id, false, SYSTEM_ADMIN).ok).toBe(true);
    expect((await login('editor2', 'a good long password')).ok).toBe(true);
  });

  it('unlock lifts a lockout before it runs out', async () => {
    const user = await createSignedUpUser(core, 'editor3', ['editor']);
    for (let i = 0; i < 5; i++) await login('editor3', 'wrong password');
    expect(await login('editor3', 'a good long password')).toMatchObject({ error: { kind: 'locked' } });
    expect(core.users.unlock(user.id, SYSTEM_ADMIN).ok).toBe(true);
    expect((await login('editor3', 'a good long password')).ok).toBe(true);
  });

  it('keeps the system administrable: no self-disable, no removing the last admin', async () => {
    await core.users.ensureFirstAdmin('configured secret');
    const admin = core.users.list().find((u) => u.username === 'admin')!;
    const adminUser = { ...admin, roles: admin.roles };
    expect(core.users.setDisabled(admin.id, true, adminUser)).toMatchObject({ error: { kind: 'self' } });
    expect(core.users.update(admin.id, { displayName: 'A', roles: ['editor'] }, adminUser)).toMatchObject({
      error: { kind: 'self' },
    });
    expect(core.users.update(admin.id, { displayName: 'A', roles: ['editor'] }, SYSTEM_ADMIN)).toMatchObject({
      error: { kind: 'last-admin' },
    });
    expect(core.users.setDisabled(admin.id, true, SYSTEM_ADMIN)).toMatchObject({
      error: { kind: 'last-admin' },
    });
    // with a second admin the first may be demoted
    await createSignedUpUser(core, 'admin2', ['admin']);
    expect(core.users.update(admin.id, { displayName: 'A', roles: ['editor'] }, SYSTEM_ADMIN)).toMatchObject({
      ok: true,
      value: { roles: ['editor'] },
    });
  });

  it('audits every change with the acting user', async () => {
    const user = await createSignedUpUser(core, 'auditor1', ['auditor']);
    core.users.update(user.id, { displayName: 'Auditor', roles: ['auditor', 'clerk'] }, SYSTEM_ADMIN);
    await core.users.resetPassword(user.id, SYSTEM_ADMIN);
    const entries = core.audit.list({ page: 1 }).entries;
    expect(entries.map((e) => [e.actor, e.action])).toEqual([
      ['test-admin', 'user.reset-password'],
      ['test-admin', 'user.update'],
      ['test-admin', 'user.create'],
    ]);
    expect(JSON.stringify(entries)).not.toMatch(/password":/);
  });
});
