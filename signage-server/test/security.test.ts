import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  serverBuilt,
  signIn,
  skipReason,
  startServer,
  TestBrowser,
  type RunningServer,
} from './server-process';

// Security of the CMS against the built server, as a real process over real HTTP: first-start admin, login
// lockout, session rotation, cookie flags, CSRF origin checks, role checks per route, all-or-nothing CSV import.

const ADMIN_PASSWORD = 'admin chose this one';
const PASSWORD = 'a long enough password';

let server: RunningServer;
const browsers: Record<string, TestBrowser> = {};
/** A browser signed in as `name` (created in beforeAll). */
const as = (name: string) => browsers[name]!;

function sessionCookieLine(response: Response): string | undefined {
  return response.headers.getSetCookie().find((line) => line.startsWith('linli_session='));
}

/** Counts in the server's database, read through a second (read-only) connection. */
function count(sql: string): number {
  const db = new Database(path.join(server.dataDir, 'linli.db'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe.skipIf(!serverBuilt)(`CMS security over real HTTP${skipReason}`, () => {
  beforeAll(async () => {
    server = await startServer();
    const admin = new TestBrowser(server.url);
    browsers.admin = admin;
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('first start prints a one-time admin password and forces a new one before anything else', async () => {
    expect(server.printedAdminPassword).toMatch(/^\w{16}$/);
    const admin = as('admin');
    const login = await admin.login('admin', server.printedAdminPassword!);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/account/password');
    const users = await admin.request('/admin/users');
    expect(users.status).toBe(303);
    expect(users.headers.get('location')).toBe('/account/password');

    const change = await admin.request('/account/password', {
      form: {
        currentPassword: server.printedAdminPassword!,
        newPassword: ADMIN_PASSWORD,
        confirmPassword: ADMIN_PASSWORD,
      },
    });
    expect(change.status).toBe(303);
    expect((await admin.request('/admin/users')).status).toBe(200);

    // the people the role tests need, created through the users page like an admin would
    for (const [name, roles] of [
      ['editor1', ['editor']],
      ['reviewer1', ['reviewer']],
      ['clerk1', ['clerk']],
      ['auditor1', ['auditor']],
    ] as const) {
      const created = await admin.request('/admin/users?/create', {
        form: { username: name, displayName: name, roles: [...roles], password: 'temporary password' },
      });
      expect(created.status).toBe(200);
      expect(await created.text()).toContain('temporary password');
      const browser = new TestBrowser(server.url);
      await signIn(browser, name, 'temporary password', PASSWORD);
      browsers[name] = browser;
    }
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Secure, Path=/ and stores only its hash', async () => {
    const browser = new TestBrowser(server.url);
    const response = await browser.login('editor1', PASSWORD);
    const line = sessionCookieLine(response)!;
    expect(line).toMatch(/; HttpOnly/i);
    expect(line).toMatch(/; SameSite=Lax/i);
    expect(line).toMatch(/; Secure/i);
    expect(line).toMatch(/; Path=\//i);
    const token = browser.cookies.get('linli_session')!;
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    expect(count(`SELECT count(*) AS n FROM sessions WHERE id_hash = '${token}'`)).toBe(0);
  });

  it('rotates the session at every login and drops the previous one', async () => {
    const browser = new TestBrowser(server.url);
    await browser.login('editor1', PASSWORD);
    const first = browser.cookies.get('linli_session')!;
    await browser.login('editor1', PASSWORD);
    const second = browser.cookies.get('linli_session')!;
    expect(second).not.toBe(first);
    const stale = new TestBrowser(server.url);
    stale.cookies.set('linli_session', first);
    const response = await stale.request('/cms');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login/);
    expect((await browser.request('/cms')).status).toBe(200);
  });

  it('logout ends the session on the server, not only in the browser', async () => {
    const browser = new TestBrowser(server.url);
    await browser.login('editor1', PASSWORD);
    const token = browser.cookies.get('linli_session')!;
    const out = await browser.request('/logout', { method: 'POST' });
    expect(out.status).toBe(303);
    const replay = new TestBrowser(server.url);
    replay.cookies.set('linli_session', token);
    expect((await replay.request('/cms')).status).toBe(303);
  });

  it('locks a username after 5 failures, with the same answer for a name that does not exist', async () => {
    const attacker = new TestBrowser(server.url, { 'accept-language': 'zh-CN' });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attacker.login('reviewer1', `guess ${i}`)).status);
    expect(statuses).toEqual([400, 400, 400, 400, 429]);
    const locked = await attacker.login('reviewer1', PASSWORD);
    expect(locked.status).toBe(429);
    expect(await locked.text()).toContain('已被锁定');
    expect(attacker.cookies.has('linli_session')).toBe(false);

    const ghost = new TestBrowser(server.url, { 'accept-language': 'zh-CN' });
    const ghostStatuses: number[] = [];
    for (let i = 0; i < 6; i++) ghostStatuses.push((await ghost.login('no-such-user', `guess ${i}`)).status);
    expect(ghostStatuses).toEqual([400, 400, 400, 400, 429, 429]);

    // an admin unlocks the account
    const users = await (await as('admin').request('/admin/users')).text();
    const id = /data-username="reviewer1"[\s\S]*?\/admin\/users\/([0-9a-f-]{36})/.exec(users)?.[1];
    expect(id).toBeDefined();
    expect((await as('admin').request('/admin/users?/unlock', { form: { id: id! } })).status).toBe(200);
    expect((await new TestBrowser(server.url).login('reviewer1', PASSWORD)).status).toBe(303);
  });

  it('refuses state changes from another origin (forms, JSON, uploads) and without an Origin', async () => {
    const admin = as('admin');
    const before = count('SELECT count(*) AS n FROM users');
    const evilForm = await admin.request('/admin/users?/create', {
      form: { username: 'mallory', displayName: 'M', roles: 'admin', password: 'mallory password' },
      origin: 'https://evil.example',
    });
    expect(evilForm.status).toBe(403);
    const noOrigin = await admin.request('/admin/users?/create', {
      form: { username: 'mallory', displayName: 'M', roles: 'admin', password: 'mallory password' },
      origin: null,
    });
    expect(noOrigin.status).toBe(403);
    const json = await admin.request('/admin/users?/create', {
      body: JSON.stringify({ username: 'mallory' }),
      headers: { 'content-type': 'application/json' },
      origin: 'https://evil.example',
    });
    expect(json.status).toBe(403);
    const upload = await as('editor1').request('/cms/assets', {
      body: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
      headers: { 'content-type': 'image/png' },
      origin: 'https://evil.example',
    });
    expect(upload.status).toBe(403);
    const logout = await as('editor1').request('/logout', { method: 'POST', origin: 'https://evil.example' });
    expect(logout.status).toBe(403);
    expect((await as('editor1').request('/cms')).status).toBe(200);
    expect(count('SELECT count(*) AS n FROM users')).toBe(before);
  });

  const unit = 'xingfuli-1-1-0302';
  const routes: {
    name: string;
    method: 'GET' | 'POST';
    path: string;
    form?: Record<string, string>;
    allowed: string[];
  }[] = [
    { name: 'users page', method: 'GET', path: '/admin/users', allowed: ['admin'] },
    {
      name: 'create a user',
      method: 'POST',
      path: '/admin/users?/create',
      form: { username: 'x-user', displayName: 'x', roles: 'admin' },
      allowed: [],
    },
    { name: 'audit log', method: 'GET', path: '/admin/audit', allowed: ['admin', 'auditor'] },
    { name: 'devices', method: 'GET', path: '/admin/devices', allowed: ['admin'] },
    { name: 'registry', method: 'GET', path: '/admin/registry', allowed: ['admin', 'clerk', 'auditor'] },
    {
      name: 'a unit',
      method: 'GET',
      path: `/admin/registry/units/${unit}`,
      allowed: ['admin', 'clerk', 'auditor'],
    },
    {
      name: 'add a resident',
      method: 'POST',
      path: `/admin/registry/units/${unit}?/createResident`,
      form: { name: 'x', phone: '', role: 'family' },
      allowed: ['clerk'],
    },
    {
      name: 'add a building',
      method: 'POST',
      path: '/admin/registry/xingfuli?/createBuilding',
      form: { code: 'X', name: 'x', floors: '1' },
      allowed: [],
    },
    { name: 'CSV import page', method: 'GET', path: '/admin/registry/xingfuli/import', allowed: ['admin'] },
    { name: 'content list', method: 'GET', path: '/cms', allowed: ['admin', 'editor', 'reviewer'] },
    {
      name: 'write content',
      method: 'POST',
      path: '/cms/items/new?/draft',
      form: { title: 'x', category: 'government', locale: 'zh-CN', body: 'x' },
      // reviewers approve and publish; writing is the editors' job (content service rule)
      allowed: ['admin', 'editor'],
    },
  ];

  it.each(routes)('role check: $name ($method $path)', async ({ method, path: target, form, allowed }) => {
    for (const name of ['editor1', 'reviewer1', 'clerk1', 'auditor1']) {
      const role = name.replace(/1$/, '');
      const response = await as(name).request(target, { method, ...(form ? { form } : {}) });
      if (allowed.includes(role)) expect(response.status, `${role} ${method} ${target}`).not.toBe(403);
      else expect(response.status, `${role} ${method} ${target}`).toBe(403);
    }
    const anonymous = await new TestBrowser(server.url).request(target, {
      method,
      ...(form ? { form } : {}),
    });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toMatch(/^\/login/);
  });

  it('sends a signed-out visitor to /login and back to the page after signing in, never to another site', async () => {
    const visitor = new TestBrowser(server.url);
    const bounced = await visitor.request('/admin/registry/xingfuli?q=1-0301');
    expect(bounced.status).toBe(303);
    expect(bounced.headers.get('location')).toBe('/login?next=%2Fadmin%2Fregistry%2Fxingfuli%3Fq%3D1-0301');
    const back = await visitor.request(bounced.headers.get('location')!, {
      form: { username: 'clerk1', password: PASSWORD },
    });
    expect(back.headers.get('location')).toBe('/admin/registry/xingfuli?q=1-0301');

    const phished = new TestBrowser(server.url);
    const away = await phished.request('/login?next=//evil.example/login', {
      form: { username: 'clerk1', password: PASSWORD },
    });
    expect(away.status).toBe(303);
    expect(away.headers.get('location')).toBe('/admin/registry');
  });

  it('CSV import with bad rows lists them by line and changes nothing', async () => {
    const units = count('SELECT count(*) AS n FROM units');
    const residents = count('SELECT count(*) AS n FROM residents');
    const csv = [
      'building_code,unit_number,floor,area_m2,type,resident_name,resident_phone,resident_role',
      '1,1-9901,9,80,residential,新住户,13800009999,owner',
      '7,7-0101,1,80,residential,,,',
      '1,1-9902,9,80,residential,坏电话,123,owner',
    ].join('\n');
    const form = new FormData();
    form.set('file', new File([csv], 'units.csv', { type: 'text/csv' }));
    const response = await as('admin').request('/admin/registry/xingfuli/import', { body: form });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain('文件未导入');
    expect(html).toMatch(/<td class="num mono[^"]*">3<\/td>/);
    expect(html).toMatch(/<td class="num mono[^"]*">4<\/td>/);
    expect(html).toContain('楼栋编号“7”不存在');
    expect(count('SELECT count(*) AS n FROM units')).toBe(units);
    expect(count('SELECT count(*) AS n FROM residents')).toBe(residents);
  });

  it('answers in the language of the browser, or of the language switch', async () => {
    const english = new TestBrowser(server.url, { 'accept-language': 'en-US,en;q=0.9' });
    const page = await (await english.request('/login')).text();
    expect(page).toContain('<html lang="en">');
    expect(page).toContain('Sign in');
    const switched = await english.request('/locale', { form: { locale: 'zh-CN', next: '/login' } });
    expect(switched.status).toBe(303);
    expect(switched.headers.get('location')).toBe('/login');
    const chinese = await (await english.request('/login')).text();
    expect(chinese).toContain('<html lang="zh-CN">');
    expect(chinese).toContain('登录邻里管理后台');
  });
});

describe.skipIf(!serverBuilt)(`configured start${skipReason}`, () => {
  it('uses LINLI_ADMIN_PASSWORD without printing or forcing a change; LINLI_INSECURE_COOKIES drops Secure', async () => {
    const configured = await startServer({
      LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD,
      LINLI_INSECURE_COOKIES: 'true',
      LINLI_SEED_DEMO: 'false',
    });
    try {
      expect(configured.printedAdminPassword).toBeNull();
      expect(configured.output()).not.toContain(ADMIN_PASSWORD);
      const browser = new TestBrowser(configured.url);
      const login = await browser.login('admin', ADMIN_PASSWORD);
      expect(login.status).toBe(303);
      expect(login.headers.get('location')).toBe('/cms');
      const line = sessionCookieLine(login)!;
      expect(line).toMatch(/HttpOnly/i);
      expect(line).not.toMatch(/Secure/i);
      const registry = await (await browser.request('/admin/registry')).text();
      expect(registry).toContain('还没有社区');
    } finally {
      await configured.stop();
    }
  }, 60_000);
});
