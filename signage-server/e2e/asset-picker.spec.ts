// The content editor's asset picker with a real server and real Chromium: two images are in the media library;
// the editor writes an image item, opens the picker from the image field, narrows the grid by searching, picks one
// with the keyboard, sees its thumbnail in the form, and the saved draft names that asset.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import sharp from 'sharp';
import { expect, test, type Page } from '@playwright/test';
import { startServer } from '../../scripts/lib/processes.mjs';
import { signInAsAdmin } from './sign-in';

const ADMIN_PASSWORD = 'e2e-asset-picker-password';
const SHOTS = process.env.LINLI_SCREENSHOT_DIR;
let server: Awaited<ReturnType<typeof startServer>>;
let work: string;
let page: Page;

/** A PNG of one colour with a disc, so the two files differ (and so do their sha256). */
async function makeImage(file: string, background: string, disc: string) {
  await sharp({ create: { width: 480, height: 320, channels: 3, background } })
    .composite([
      {
        input: Buffer.from(
          `<svg width="480" height="320"><circle cx="240" cy="160" r="90" fill="${disc}"/></svg>`,
        ),
      },
    ])
    .png()
    .toFile(file);
}

test.describe.serial('asset picker in the content editor', () => {
  test.beforeAll(async ({ browser }) => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-picker-'));
    await makeImage(path.join(work, '社区花园.png'), '#0b6e69', '#f5b301');
    await makeImage(path.join(work, '楼道海报.png'), '#1d5fa8', '#ffffff');
    server = await startServer({
      dataDir: path.join(work, 'server'),
      env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD, LINLI_SEED_DEMO: 'false' },
    });
    page = await signInAsAdmin(browser, server.url, ADMIN_PASSWORD, '/cms/media');
  });

  test.afterAll(async () => {
    await page?.context().close();
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('an editor picks a library image for an image item and the form shows its thumbnail', async () => {
    await page
      .getByTestId('media-files')
      .setInputFiles([path.join(work, '社区花园.png'), path.join(work, '楼道海报.png')]);
    await page.getByRole('button', { name: '上传' }).click();
    await expect(page.getByTestId('upload-results').getByText('已上传')).toHaveCount(2);
    const garden = await page
      .locator('[data-testid="media-tile"]', { hasText: '社区花园.png' })
      .getAttribute('data-sha256');
    expect(garden).toMatch(/^[0-9a-f]{64}$/);
    // the library's filter bar (shared with the content list) narrows the grid by a plain GET
    const filters = page.getByTestId('filter-bar');
    await filters.getByLabel('类型').selectOption('image');
    await filters.getByLabel('搜索').fill('花园');
    await filters.getByRole('button', { name: '筛选' }).click();
    await expect(page).toHaveURL(/kind=image&q=%E8%8A%B1%E5%9B%AD/);
    await expect(page.getByTestId('media-tile')).toHaveCount(1);
    if (SHOTS) {
      fs.mkdirSync(SHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SHOTS, 'media-filter-bar.png') });
    }

    await page.goto(`${server.url}/cms/items/new`);
    await page.locator('[name="id"]').fill('garden-photo');
    await page.locator('[name="category"]').selectOption('culture-education');
    await page.locator('[name="title"]').fill('社区花园开放日');
    await page.getByLabel('类型', { exact: true }).selectOption('image');

    const field = page.locator('[data-testid="asset-field"][data-name="kf.image.image"]');
    await field.getByRole('button', { name: '从媒体库选择' }).click();
    const dialog = page.getByRole('dialog', { name: '选择图片' });
    await expect(dialog).toBeVisible();
    await expect(dialog.getByTestId('asset-picker-item')).toHaveCount(2);
    // the search box has the focus; typing narrows the grid
    await page.keyboard.type('花园');
    await expect(dialog.getByTestId('asset-picker-item')).toHaveCount(1);
    await expect(dialog.getByRole('status').first()).toHaveText(/找到 1 个文件/);
    const tile = dialog.getByRole('button', { name: '选择“社区花园.png”' });
    await expect
      .poll(() => tile.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'asset-picker.png') });
    const axe = await new AxeBuilder({ page }).include('[data-testid="asset-picker"][open]').analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
    await tile.focus();
    await page.keyboard.press('Enter');
    await expect(dialog).toBeHidden();

    await expect(page.locator('[name="kf.image.image"]')).toHaveValue(garden!);
    await expect(field.getByTestId('asset-field-name')).toHaveText('社区花园.png');
    const thumbnail = field.getByTestId('asset-field-preview').locator('img');
    await expect(thumbnail).toHaveAttribute('src', `/cms/media/${garden}/preview`);
    await expect
      .poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
      .toBeGreaterThan(0);
    if (SHOTS) await field.screenshot({ path: path.join(SHOTS, 'asset-field.png') });

    // the item's own images (Markdown body) take a library image the same way
    await page.locator('[data-testid="asset-picker-open"][data-field="images"]').click();
    const images = page.getByRole('dialog', { name: '选择图片' });
    await images.getByRole('button', { name: '选择“楼道海报.png”' }).click();
    await expect(images).toBeHidden();
    await expect(page.locator('section.images > ul > li > img')).toHaveCount(1);

    await page.getByRole('button', { name: '保存草稿' }).click();
    await page.waitForURL((url) => url.pathname === '/cms/items/garden-photo/zh-CN');
    // the stored draft names the picked asset, and the form shows its thumbnail again
    await expect(page.locator('[name="kf.image.image"]')).toHaveValue(garden!);
    await expect(page.locator('section.images > ul > li > img')).toHaveCount(1);
    await expect
      .poll(() =>
        page
          .locator('[data-testid="asset-field"][data-name="kf.image.image"] img')
          .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
      )
      .toBeGreaterThan(0);

    // the content list's filter bar is the same component
    await page.goto(`${server.url}/cms`);
    const listFilters = page.getByTestId('filter-bar');
    await listFilters.getByRole('searchbox').fill('花园');
    await listFilters.getByRole('button', { name: '筛选' }).click();
    await expect(page).toHaveURL(/q=%E8%8A%B1%E5%9B%AD/);
    await expect(page.getByRole('link', { name: '社区花园开放日' })).toBeVisible();
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'content-filter-bar.png') });
  });
});
