// Issue 4 "Scheduling and targeting" with issue 5's device groups, with real processes: two kiosks in different
// device groups; an editor targets an item at group A in the CMS (Schedule and targeting section); only kiosk A
// shows it; the admin moves kiosk B into group A on the devices page and kiosk B shows it within a few seconds,
// with no reload (the server moves B to A's scope and pushes manifest-changed over its event stream).
import { expect, test, type Browser, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';
import { signInNewUser } from '../signage-server/test/support/cms-users';
import { login } from '../signage-server/test/support/server-process';

type Server = Awaited<ReturnType<typeof startServer>>;
type Kiosk = Awaited<ReturnType<typeof startKiosk>>;

const ADMIN_PASSWORD = 'e2e-admin-password-1';

/** A row of the devices table, by the device's name, and the detail row under it (edit form). */
const rowOf = (page: Page, name: string) =>
  page
    .getByTestId('device-row')
    .filter({ has: page.getByTestId('device-name').getByText(name, { exact: true }) });
const detailOf = (page: Page, name: string) => rowOf(page, name).locator('xpath=following-sibling::tr[1]');

async function openKiosk(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1080, height: 1920 },
    hasTouch: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  await page.goto(url);
  await expect(page.getByTestId('tile-government')).toBeVisible();
  await page.getByTestId('tile-government').tap();
  await expect(page.getByTestId('nav-home')).toBeVisible();
  return page;
}

/** Sets a device's group on the admin devices page (the form posts; the page reloads with the new value). */
async function setGroup(admin: Page, name: string, group: string) {
  const detail = detailOf(admin, name);
  await detail.locator('summary').click();
  await detail.getByLabel('分组').fill(group);
  await detail.getByRole('button', { name: '保存' }).click();
  // the server's answer: the field alone would show the typed value before the save is done, and the time the
  // kiosk takes to follow must be counted from the save, not from the click
  await expect(admin.getByText(`终端“${name}”已保存。`)).toBeVisible({ timeout: 15_000 });
  await expect(detailOf(admin, name).getByLabel('分组')).toHaveValue(group);
}

test.describe.serial('content targeted at a device group', () => {
  let work: string;
  let server: Server;
  const kiosks = new Map<string, Kiosk>();
  const id = `e2e-target-${Date.now().toString(36)}`;
  const title = `A 组专属通知 ${id.slice(-6)}`;

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-targeting-'));
    server = await startServer({
      dataDir: path.join(work, 'server'),
      env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    for (const name of ['Kiosk A', 'Kiosk B']) {
      kiosks.set(
        name,
        await startKiosk({
          serverUrl: server.url,
          pairingCode: createPairingCode(server.dataDir),
          dataDir: path.join(work, name.replace(' ', '-')),
          extraArgs: ['--name', name],
        }),
      );
    }
  });

  test.afterAll(async () => {
    for (const kiosk of kiosks.values()) await kiosk.stop();
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('only kiosk A shows an item targeted at group A, until the admin moves kiosk B into group A', async ({
    browser,
  }) => {
    test.setTimeout(120_000);
    const admin = await (
      await browser.newContext({ locale: 'zh-CN', viewport: { width: 1600, height: 1200 } })
    ).newPage();
    await admin.goto(`${server.url}/login`);
    await admin.getByLabel('用户名').fill('admin');
    await admin.getByLabel('密码').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: '登录' }).click();
    await admin.waitForURL(/\/cms/);

    await admin.goto(`${server.url}/admin/devices`);
    await expect(rowOf(admin, 'Kiosk A')).toHaveCount(1);
    await expect(rowOf(admin, 'Kiosk B')).toHaveCount(1);
    await setGroup(admin, 'Kiosk A', 'group-a');
    await setGroup(admin, 'Kiosk B', 'group-b');

    const kioskA = await openKiosk(browser, kiosks.get('Kiosk A')!.url);
    const kioskB = await openKiosk(browser, kiosks.get('Kiosk B')!.url);

    // The editor targets the item at group A in the Schedule and targeting section.
    await admin.goto(`${server.url}/cms/items/new`);
    await admin.getByLabel('编号').fill(id);
    await admin.getByLabel('栏目').selectOption('government');
    await admin.getByRole('textbox', { name: '标题', exact: true }).fill(title);
    const schedule = admin.getByRole('region', { name: '排期与投放' });
    await expect(schedule.getByTestId('schedule-summary')).toHaveText('全天，所有屏幕');
    await schedule.getByRole('group', { name: '设备分组' }).getByLabel('group-a').check();
    await expect(schedule.getByTestId('schedule-summary')).toHaveText('全天，分组 group-a');
    await admin.getByRole('button', { name: '保存并提交审核' }).click();
    await admin.waitForURL(`${server.url}/cms/items/${id}/zh-CN`);
    // the admin wrote it, so a reviewer approves and publishes it (issue 4: never the author)
    const reviewerCookie = await signInNewUser(
      server.url,
      await login(server.url, 'admin', ADMIN_PASSWORD),
      'reviewer1',
      ['reviewer'],
    );
    const reviewerContext = await browser.newContext({ locale: 'zh-CN' });
    const [cookieName, cookieValue] = reviewerCookie.split('=') as [string, string];
    await reviewerContext.addCookies([{ name: cookieName, value: cookieValue, url: server.url }]);
    const reviewer = await reviewerContext.newPage();
    await reviewer.goto(`${server.url}/cms/items/${id}/zh-CN`);
    await reviewer.getByRole('button', { name: '批准并发布' }).click();
    await expect(reviewer.getByText('已批准并发布').first()).toBeVisible();
    await admin.goto(`${server.url}/cms`);
    await expect(admin.getByTestId('item-schedule').filter({ hasText: '分组 group-a' })).toHaveCount(1);

    // Kiosk A shows it; kiosk B, on the same server and the same content, does not.
    await expect(kioskA.getByTestId(`item-${id}`)).toBeVisible({ timeout: 5_000 });
    await expect(kioskB.getByTestId(`item-${id}`)).toHaveCount(0);
    // B is synced (it shows the demo government items) and still has no trace of the targeted one.
    await expect(kioskB.locator('[data-testid^="item-"]').first()).toBeVisible();
    await expect(kioskB.getByText(title)).toHaveCount(0);

    // The admin moves kiosk B into group A: it shows the item within a few seconds, without a reload.
    await admin.goto(`${server.url}/admin/devices`);
    const submitted = Date.now();
    await setGroup(admin, 'Kiosk B', 'group-a');
    const saved = Date.now();
    await expect(kioskB.getByTestId(`item-${id}`)).toBeVisible({ timeout: 5_000 });
    console.log(
      `kiosk B showed the item ${Date.now() - saved} ms after the move was saved (${saved - submitted} ms to save)`,
    );
    await expect(kioskA.getByTestId(`item-${id}`)).toBeVisible();
  });
});
