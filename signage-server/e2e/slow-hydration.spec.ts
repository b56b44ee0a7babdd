// A clerk on a slow station PC types and chooses before the page's JavaScript has run. Hydration must keep what they
// entered: text inputs (Field passes its value as defaultValue) and selects (defaultValue, never a forced value).
// The page's scripts are held back until the form is filled, so the order is certain, not a race.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { startServer } from '../../scripts/lib/processes.mjs';
import { signInAsAdmin } from './sign-in';

const ADMIN_PASSWORD = 'e2e-slow-hydration-password';

test('what is typed and chosen before hydration survives it', async ({ browser }) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-hydration-'));
  const server = await startServer({
    dataDir: path.join(work, 'server'),
    env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD, LINLI_SEED_DEMO: 'false' },
  });
  try {
    const page = await signInAsAdmin(browser, server.url, ADMIN_PASSWORD, '/cms');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held = 0;
    await page.route('**/_app/immutable/**/*.js', async (route) => {
      held++;
      await released;
      await route.continue();
    });
    // a full page load (not client-side navigation): the server-rendered form, its scripts held back
    await page.goto(`${server.url}/cms/items/new`, { waitUntil: 'domcontentloaded' });
    await page.locator('[name="id"]').fill('slow-station-notice');
    await page.getByRole('textbox', { name: '标题', exact: true }).fill('停水通知');
    await page.locator('[name="category"]').selectOption('services');
    await page.locator('select[name="locale"]').selectOption('en');
    // the form was filled while the page's scripts were still held back
    expect(held).toBeGreaterThan(0);
    release();
    // hydrated: choosing a content type now shows that type's fields (client-side only)
    await expect(async () => {
      await page.getByLabel('类型', { exact: true }).selectOption('qr');
      await expect(page.locator('[name="kf.qr.url"]')).toBeVisible({ timeout: 500 });
    }).toPass({ timeout: 20_000 });
    await expect(page.locator('[name="id"]')).toHaveValue('slow-station-notice');
    await expect(page.getByRole('textbox', { name: '标题', exact: true })).toHaveValue('停水通知');
    await expect(page.locator('[name="category"]')).toHaveValue('services');
    await expect(page.locator('select[name="locale"]')).toHaveValue('en');
    await page.context().close();
  } finally {
    await server.stop();
    fs.rmSync(work, { recursive: true, force: true });
  }
});
