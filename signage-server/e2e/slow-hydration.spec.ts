// A clerk on a slow station PC types and chooses before the page's JavaScript has run. Hydration must keep what they
// entered: text inputs (Field passes its value as defaultValue), selects (defaultValue, never a forced value) and
// checkboxes (defaultChecked); where a select drives what the page shows (the content type's fields, the layout's
// zones), the page follows the choice it finds in the DOM. The page's scripts are held back until the form is
// filled, so the order is certain, not a race.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { startServer } from '../../scripts/lib/processes.mjs';
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
});
