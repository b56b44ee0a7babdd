// A clerk on a slow station PC types and chooses before the page's JavaScript has run. Hydration must keep what they
// entered: text inputs (Field passes its value as defaultValue), selects (defaultValue, never a forced value) and
// checkboxes (defaultChecked); where a select drives what the page shows (the content type's fields, the layout's
// zones, the alert form's buildings), the page follows the choice it finds in the DOM. The page's scripts are held
// back until the form is filled, so the order is certain, not a race.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { enrollDevice, startServer } from '../../scripts/lib/processes.mjs';
import { signInAsAdmin } from './sign-in';

const ADMIN_PASSWORD = 'e2e-slow-hydration-password';

/**
 * Holds back every script of the app until `release` is called; `held` counts the requests held. Only for the
 * next full page load: `release` also stops holding.
 */
async function holdScripts(page: Page) {
  const pattern = '**/_app/immutable/**/*.js';
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const state = { held: 0 };
  await page.route(pattern, async (route) => {
    state.held++;
    await released;
    await route.continue();
  });
  return {
    get held() {
      return state.held;
    },
    async release() {
      release();
      // the held requests go on first: only then is the route taken away
      await page.unrouteAll({ behavior: 'wait' });
    },
  };
}

/**
 * Resolves once SvelteKit has hydrated the page and started its router: the router then takes over scroll
 * restoration (a fresh page load starts at 'auto'). For pages where hydration changes nothing a test can see.
 */
async function hydrated(page: Page) {
  await page.waitForFunction(() => history.scrollRestoration === 'manual', undefined, { timeout: 20_000 });
}

test.describe.serial('what is typed and chosen before hydration survives it', () => {
  let work: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let page: Page;

  test.beforeAll(async ({ browser }) => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-hydration-'));
    // the demo community: its buildings are the targeting boxes of both forms
    server = await startServer({
      dataDir: path.join(work, 'server'),
      env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD, LINLI_SEED_DEMO: 'true' },
    });
    page = await signInAsAdmin(browser, server.url, ADMIN_PASSWORD, '/cms');
  });

  test.afterAll(async () => {
    await page?.context().close();
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the content form: text, category, language, content type and targeting', async () => {
    const scripts = await holdScripts(page);
    // a full page load (not client-side navigation): the server-rendered form, its scripts held back
    await page.goto(`${server.url}/cms/items/new`, { waitUntil: 'domcontentloaded' });
    await page.locator('[name="id"]').fill('slow-station-notice');
    await page.getByRole('textbox', { name: '标题', exact: true }).fill('停水通知');
    await page.locator('[name="category"]').selectOption('services');
    await page.locator('select[name="locale"]').selectOption('en');
    // every type's fields are in the server's form; the choice decides which ones are shown once hydrated
    await page.locator('select[name="kind"]').selectOption('qr');
    await page.locator('[name="kf.qr.url"]').fill('https://example.org/water');
    const schedule = page.getByRole('region', { name: '排期与投放' });
    const building = schedule.getByRole('group', { name: '楼栋' }).getByLabel(/2号楼/);
    await building.check();
    // a time slot typed into the spare row, which gives way to an "add" button once hydrated
    const spare = schedule.getByTestId('daypart').last();
    await spare.getByLabel('周六').check();
    await spare.getByLabel('周日').check();
    await spare.getByLabel('开始').fill('08:00');
    await spare.getByLabel('结束').fill('12:00');
    // the form was filled while the page's scripts were still held back
    expect(scripts.held).toBeGreaterThan(0);
    await scripts.release();

    // hydrated: only one type's fields are left, and they are those of the type chosen before
    const kinds = page.getByTestId('kind-fields').locator('fieldset.kind');
    await expect(kinds).toHaveCount(1, { timeout: 20_000 });
    await expect(page.locator('select[name="kind"]')).toHaveValue('qr');
    await expect(kinds).toHaveAttribute('data-kind', 'qr');
    await expect(page.locator('[name="kf.qr.url"]')).toHaveValue('https://example.org/water');
    await expect(page.locator('[name="id"]')).toHaveValue('slow-station-notice');
    await expect(page.getByRole('textbox', { name: '标题', exact: true })).toHaveValue('停水通知');
    await expect(page.locator('[name="category"]')).toHaveValue('services');
    await expect(page.locator('select[name="locale"]')).toHaveValue('en');
    // the box stays ticked, and the summary, computed only once hydrated, counts it
    await expect(building).toBeChecked();
    await expect(schedule.getByTestId('schedule-summary')).toContainText('2号楼');
    // the spare row's slot is a row of its own now, and the summary counts it
    await expect(schedule.getByRole('button', { name: '添加时段' })).toBeVisible();
    const slot = schedule.getByTestId('daypart');
    await expect(slot).toHaveCount(1);
    await expect(slot.getByLabel('周六')).toBeChecked();
    await expect(slot.getByLabel('周日')).toBeChecked();
    await expect(slot.getByLabel('周一')).not.toBeChecked();
    await expect(slot.getByLabel('开始')).toHaveValue('08:00');
    await expect(slot.getByLabel('结束')).toHaveValue('12:00');
    await expect(schedule.getByTestId('schedule-summary')).toContainText('周末 08:00–12:00');
    // and the choice still works after hydration
    await page.locator('select[name="kind"]').selectOption('place');
    await expect(kinds).toHaveAttribute('data-kind', 'place');
  });

  test('the layout form: template and targeting', async () => {
    await page.goto(`${server.url}/cms/layouts`);
    await page.getByLabel('名称').fill('慢速大堂屏');
    await page.getByLabel('模板').selectOption('full');
    await page.getByRole('button', { name: '创建' }).click();
    await page.waitForURL(/\/cms\/layouts\/[^/]+$/);
    const form = page.getByTestId('layout-form');
    // the server renders the zones of the saved template: the main zone only
    await expect(form.getByLabel('主区')).toBeVisible();
    await expect(form.getByLabel('公告栏')).toHaveCount(0);

    const scripts = await holdScripts(page);
    await page.reload({ waitUntil: 'domcontentloaded' });
    await form.getByLabel('模板').selectOption('main-column-clock');
    const building = form.getByRole('group', { name: '楼栋' }).getByLabel('3号楼');
    await building.check();
    expect(scripts.held).toBeGreaterThan(0);
    await scripts.release();

    // hydrated: the zones follow the template chosen before (the server rendered no column zone)
    await expect(form.getByLabel('公告栏')).toBeVisible({ timeout: 20_000 });
    await expect(form.getByLabel('模板')).toHaveValue('main-column-clock');
    await expect(form.getByLabel('主区')).toBeVisible();
    await expect(building).toBeChecked();
    // and what was chosen is what is saved
    await form.getByRole('button', { name: '保存布局' }).click();
    await expect(page.getByText('布局已保存，终端将立即更新。')).toBeVisible();
    await expect(form.getByLabel('模板')).toHaveValue('main-column-clock');
    await expect(form.getByRole('group', { name: '楼栋' }).getByLabel('3号楼')).toBeChecked();
  });

  test("a saved item's time slots: their days, and one removed", async () => {
    await page.goto(`${server.url}/cms/items/new`);
    const schedule = page.getByRole('region', { name: '排期与投放' });
    await schedule.getByRole('button', { name: '添加时段' }).click();
    await schedule.getByRole('button', { name: '添加时段' }).click();
    await page.locator('[name="id"]').fill('slow-station-hours');
    await page.getByRole('textbox', { name: '标题', exact: true }).fill('物业办公时间');
    await page.locator('[name="category"]').selectOption('services');
    await page.locator('select[name="kind"]').selectOption('qr');
    await page.locator('[name="kf.qr.url"]').fill('https://example.org/hours');
    // a new slot is on weekdays
    await schedule.getByTestId('daypart').first().getByLabel('开始').fill('08:00');
    await schedule.getByTestId('daypart').first().getByLabel('结束').fill('12:00');
    await schedule.getByTestId('daypart').last().getByLabel('开始').fill('14:00');
    await schedule.getByTestId('daypart').last().getByLabel('结束').fill('18:00');
    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.waitForURL((url) => url.pathname === '/cms/items/slow-station-hours/zh-CN');

    const scripts = await holdScripts(page);
    await page.reload({ waitUntil: 'domcontentloaded' });
    const slot = schedule.getByTestId('daypart').first();
    await expect(slot.getByLabel('周五')).toBeChecked();
    await slot.getByLabel('周五').uncheck();
    await slot.getByLabel('周六').check();
    // without JavaScript a slot is dropped with its "remove" box, which becomes a button once hydrated
    await schedule.getByTestId('daypart').nth(1).getByLabel('删除此时段').check();
    expect(scripts.held).toBeGreaterThan(0);
    await scripts.release();

    // hydrated: the days stay as set, the slot ticked for removal is gone, and the summary (the server's says
    // 工作日 twice) follows
    const summary = schedule.getByTestId('schedule-summary');
    await expect(summary).toContainText('周一、周二、周三、周四、周六 08:00–12:00，', { timeout: 20_000 });
    await expect(schedule.getByTestId('daypart')).toHaveCount(1);
    await expect(slot.getByLabel('周五')).not.toBeChecked();
    await expect(slot.getByLabel('周六')).toBeChecked();
    // and what was set is what is saved
    await page.getByRole('button', { name: '保存草稿' }).click();
    await expect(page.getByText('草稿已保存')).toBeVisible();
    await page.reload();
    await expect(slot.getByLabel('周五')).not.toBeChecked();
    await expect(slot.getByLabel('周六')).toBeChecked();
    await expect(schedule.getByTestId('daypart')).toHaveCount(1);
  });

  test('the alert form: the community', async () => {
    // a second community to choose, posted to the registry form as a browser without JavaScript would (the HTML
    // answer: SvelteKit answers other clients' form posts in JSON); it has no buildings yet. Named to
    // sort after the demo community, so that the demo one (with buildings) is the form's default.
    const created = await page.request.post(`${server.url}/admin/registry?/createCommunity`, {
      form: { name: '长乐里社区' },
      headers: { origin: server.url, accept: 'text/html' },
      maxRedirects: 0,
    });
    expect(created.status()).toBe(303);
    const communityId = created.headers()['location']?.split('/').pop();
    expect(communityId).toBeTruthy();

    const scripts = await holdScripts(page);
    await page.goto(`${server.url}/cms/alerts`, { waitUntil: 'domcontentloaded' });
    const form = page.locator('form[action="?/raise"]');
    const community = form.getByLabel('小区', { exact: true });
    const buildings = form.getByRole('group', { name: '楼栋（可选）' });
    // the server renders the buildings of the default community, the demo one
    await expect(buildings.getByLabel('2号楼')).toBeVisible();
    await community.selectOption(communityId!);
    expect(scripts.held).toBeGreaterThan(0);
    await scripts.release();

    // hydrated: the buildings follow the community chosen before (it has none), and the select keeps it
    await expect(buildings).toHaveCount(0, { timeout: 20_000 });
    await expect(community).toHaveValue(communityId!);
    // and the choice still works after hydration
    await community.selectOption('xingfuli');
    await expect(buildings.getByLabel('2号楼')).toBeVisible();
  });

  test("the devices table: a device's community and building", async () => {
    // a device enrolled over HTTP with a code from the devices page's own pairing form: no kiosk needed
    const paired = await page.request.post(`${server.url}/admin/devices?/pair`, {
      form: { communityId: '', deviceName: '' },
      headers: { origin: server.url, accept: 'text/html' },
    });
    const pairingCode = (await paired.text()).match(/data-code="([^"]+)"/)?.[1];
    expect(pairingCode).toBeTruthy();
    const { deviceId } = (await enrollDevice(server.url, pairingCode, '慢速大堂终端')) as {
      deviceId: string;
    };

    const scripts = await holdScripts(page);
    await page.goto(`${server.url}/admin/devices`, { waitUntil: 'domcontentloaded' });
    const edit = page
      .locator('form[action="?/update"]')
      .filter({ has: page.locator(`input[name="deviceId"][value="${deviceId}"]`) });
    await page.locator('details').filter({ has: edit }).locator('summary').click();
    await edit.getByLabel('小区', { exact: true }).selectOption('xingfuli');
    await edit.getByLabel('楼栋', { exact: true }).selectOption({ label: '2号楼' });
    expect(scripts.held).toBeGreaterThan(0);
    await scripts.release();

    await hydrated(page);
    await expect(edit.getByLabel('小区', { exact: true })).toHaveValue('xingfuli');
    await expect(edit.getByLabel('楼栋', { exact: true })).toHaveValue('xingfuli-b2');
    // the edit panel opened before hydration stays open
    await expect(edit).toBeVisible();
    // and what was chosen is what is saved
    await edit.getByRole('button', { name: '保存' }).click();
    await expect(page.getByText('终端“慢速大堂终端”已保存。')).toBeVisible();
    const row = page.getByTestId('device-row').filter({ hasText: '慢速大堂终端' });
    await expect(row).toContainText('幸福里社区');
    await page.reload();
    await expect(edit.getByLabel('楼栋', { exact: true })).toHaveValue('xingfuli-b2');
  });
});
