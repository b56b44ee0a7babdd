// The media library with a real server (demo content seeded), real ffmpeg and real Chromium: an editor uploads an
// image and a small video through the page, sees the thumbnail and the poster frame, and cannot delete an image
// that a published notice uses.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type Page } from '@playwright/test';
import { startServer } from '../../scripts/lib/processes.mjs';
import { signInAsAdmin } from './sign-in';

const ADMIN_PASSWORD = 'e2e-media-library-password';
let server: Awaited<ReturnType<typeof startServer>>;
let work: string;
let page: Page;
const screenshots = process.env.LINLI_SCREENSHOT_DIR;

test.describe.serial('media library', () => {
  test.beforeAll(async ({ browser }) => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-media-'));
    // fixtures made at test time: a photo-like PNG and a 2 s H.264 clip (a few KB)
    await sharp({ create: { width: 640, height: 400, channels: 3, background: '#0b6e69' } })
      .composite([
        {
          input: Buffer.from(
            '<svg width="640" height="400"><circle cx="320" cy="200" r="120" fill="#f5b301"/></svg>',
          ),
        },
      ])
      .png()
      .toFile(path.join(work, '社区花园.png'));
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=10', '-t', '2'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', path.join(work, '宣传片.mp4')],
    ]);
    server = await startServer({
      dataDir: path.join(work, 'server'),
      env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    page = await signInAsAdmin(browser, server.url, ADMIN_PASSWORD, '/cms/media');
  });

  test.afterAll(async () => {
    await page?.context().close();
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('uploads an image and a video and shows the thumbnail and the poster frame', async () => {
    await expect(page.getByRole('link', { name: '媒体库' })).toHaveAttribute('aria-current', 'page');
    const before = await page.getByTestId('media-tile').count();
    await page
      .getByTestId('media-files')
      .setInputFiles([path.join(work, '社区花园.png'), path.join(work, '宣传片.mp4')]);
    await page.getByRole('button', { name: '上传' }).click();
    const results = page.getByTestId('upload-results');
    await expect(results.getByText('已上传')).toHaveCount(2);
    await expect(page.getByTestId('media-tile')).toHaveCount(before + 2);

    const videoTile = page.locator('[data-testid="media-tile"][data-kind="video"]');
    await expect(videoTile).toContainText('宣传片.mp4');
    await expect(videoTile).toContainText('▶ 0:02');
    await expect(videoTile).toContainText('320×180');
    const imageTile = page.locator('[data-testid="media-tile"]', { hasText: '社区花园.png' });
    await expect(imageTile).toContainText('640×400');
    // the thumbnails are real decoded images, not broken links
    for (const tile of [videoTile, imageTile]) {
      await expect
        .poll(() => tile.locator('img').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
        .toBeGreaterThan(0);
    }
    if (screenshots)
      await page.screenshot({ path: path.join(screenshots, 'media-library.png'), fullPage: true });

    await videoTile.getByRole('link', { name: '宣传片.mp4' }).click();
    await expect(page.getByTestId('media-duration')).toHaveText('0:02');
    const poster = await page.locator('video').getAttribute('poster');
    expect(poster).toMatch(/\/preview$/);
    if (screenshots)
      await page.screenshot({ path: path.join(screenshots, 'media-video.png'), fullPage: true });

    // the same bytes again: one asset, and the editor is told so
    await page.goto(`${server.url}/cms/media`);
    await page.getByTestId('media-files').setInputFiles(path.join(work, '社区花园.png'));
    await page.getByRole('button', { name: '上传' }).click();
    await expect(page.getByTestId('upload-results')).toContainText('已在媒体库中');
    await expect(page.getByTestId('media-tile')).toHaveCount(before + 2);
  });

  test('refuses to delete an image a notice uses, naming the notice', async () => {
    await page.goto(`${server.url}/cms/media?kind=image`);
    const used = page
      .locator('[data-testid="media-tile"]', { has: page.getByText(/用于 \d+ 个内容/) })
      .first();
    await used.locator('a.name').click();
    const users = page.getByTestId('usage-list').locator('li');
    await expect(users.first()).toBeVisible();
    const firstUser = (await users.first().locator('a').textContent())!.trim();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: '删除此文件' }).click();
    await expect(page.getByTestId('delete-refused')).toContainText('此文件仍在使用，不能删除');
    await expect(page.getByTestId('usage-list')).toContainText(firstUser);
    if (screenshots)
      await page.screenshot({ path: path.join(screenshots, 'media-refused.png'), fullPage: true });
    // still there after a reload
    await page.reload();
    await expect(page.getByTestId('media-preview').locator('img')).toBeVisible();
  });
});
