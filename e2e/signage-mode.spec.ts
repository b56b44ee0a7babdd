// Issue 4 "Layouts and playlists" and "Proof-of-play", with real processes: an editor builds a playlist and a
// main + ticker layout in the CMS (plain forms); a kiosk started with `--mode signage` renders the layout full
// screen in landscape, rotates the playlist's items with their durations and scrolls the ticker; a touch does
// nothing; the plays it records reach the server through its outbox and show on /cms/stats. The CMS previews a
// playlist and a layout at the device resolution with the kiosk's own components, and an item entry of another
// kind (a QR code, a ticker) plays through the shared KindView, in the preview and on the screen alike.
import { expect, test, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';

type Server = Awaited<ReturnType<typeof startServer>>;
type Kiosk = Awaited<ReturnType<typeof startKiosk>>;

const ADMIN_PASSWORD = 'e2e-admin-password-1';

/** Adds the item at `option` of the picker (an index or its title); the playlist then has `count` entries. */
async function addEntry(admin: Page, option: number | string, seconds: string, count: number) {
  const form = admin.getByTestId('add-entry');
  await form
    .getByLabel('内容条目或图片')
    .selectOption(typeof option === 'number' ? { index: option } : { label: option });
  await form.getByLabel('时长（秒）').fill(seconds);
  await form.getByLabel('转场效果').selectOption('fade');
  await form.getByRole('button', { name: '添加' }).click();
  await expect(admin.getByTestId('playlist-entry')).toHaveCount(count);
}

test.describe.serial('signage mode', () => {
  let work: string;
  let server: Server;
  let kiosk: Kiosk;
  let lobby: Kiosk | undefined;
  let admin: Page;
  let screen: Page;

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(120_000);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-signage-'));
    server = await startServer({
      dataDir: path.join(work, 'server'),
      env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    // plays leave the kiosk every second here (a minute in production)
    process.env.LINLI_KIOSK_STATS_FLUSH_MS = '1000';
    kiosk = await startKiosk({
      serverUrl: server.url,
      pairingCode: createPairingCode(server.dataDir),
      dataDir: path.join(work, 'kiosk'),
      extraArgs: ['--name', 'Lobby TV', '--mode', 'signage'],
    });
    admin = await (
      await browser.newContext({ locale: 'zh-CN', viewport: { width: 1600, height: 1100 } })
    ).newPage();
    await admin.goto(`${server.url}/login`);
    await admin.getByLabel('用户名').fill('admin');
    await admin.getByLabel('密码').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: '登录' }).click();
    await admin.waitForURL(/\/cms/);
  });

  test.afterAll(async () => {
    await kiosk?.stop();
    await lobby?.stop();
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('a main + ticker layout rotates its playlist and scrolls the ticker; a touch does nothing', async ({
    browser,
  }) => {
    test.setTimeout(60_000);
    // the playlists: two items for the main zone (2 s each), one for the ticker
    await admin.goto(`${server.url}/cms/playlists`);
    await admin.getByLabel('名称').fill('大堂轮播');
    await admin.getByRole('button', { name: '创建' }).click();
    await expect(admin.getByTestId('playlist-empty')).toBeVisible();
    await addEntry(admin, 0, '2', 1);
    await addEntry(admin, 1, '2', 2);
    const mainSources = await admin
      .getByTestId('playlist-entry')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-source')!.replace(/^item:/, '')));
    expect(new Set(mainSources).size).toBe(2);

    await admin.goto(`${server.url}/cms/playlists`);
    await admin.getByLabel('名称').fill('底部字幕');
    await admin.getByRole('button', { name: '创建' }).click();
    await addEntry(admin, 2, '6', 1);

    // the layout: main + ticker, for every screen
    await admin.goto(`${server.url}/cms/layouts`);
    await admin.getByLabel('名称').fill('大堂横屏');
    await admin.getByLabel('模板').selectOption('main-ticker');
    await admin.getByRole('button', { name: '创建' }).click();
    const form = admin.getByTestId('layout-form');
    await form.getByLabel('主区').selectOption({ label: '大堂轮播' });
    await form.getByLabel('滚动字幕').selectOption({ label: '底部字幕' });
    await form.getByRole('button', { name: '保存布局' }).click();
    await expect(admin.getByText('布局已保存，终端将立即更新。')).toBeVisible();

    // the kiosk in signage mode, landscape: it follows the manifest-changed push, no reload
    screen = await (
      await browser.newContext({ viewport: { width: 1920, height: 1080 }, hasTouch: true, locale: 'zh-CN' })
    ).newPage();
    await screen.goto(kiosk.url);
    const signage = screen.getByTestId('signage');
    await expect(signage).toHaveAttribute('data-template', 'main-ticker', { timeout: 15_000 });
    const main = signage.locator('[data-zone="main"]');
    const ticker = signage.locator('[data-zone="ticker"]');
    // the main zone shows both items in turn, each for about its 2 s
    const seen: { entry: string; at: number }[] = [];
    await expect
      .poll(
        async () => {
          const entry = (await main.getAttribute('data-entry')) ?? '';
          if (entry && seen.at(-1)?.entry !== entry) seen.push({ entry, at: Date.now() });
          return new Set(seen.map((s) => s.entry)).size >= 2 && seen.length >= 3;
        },
        { timeout: 15_000, intervals: [100] },
      )
      .toBe(true);
    expect(new Set(seen.map((s) => s.entry))).toEqual(new Set(mainSources));
    const gap = seen[2]!.at - seen[1]!.at;
    expect(gap).toBeGreaterThan(1_500);
    expect(gap).toBeLessThan(3_500);
    // the ticker scrolls its item's text across the bottom
    const line = ticker.getByTestId('ticker-text');
    await expect(line).not.toHaveText('');
    const x1 = (await line.boundingBox())!.x;
    await expect.poll(async () => (await line.boundingBox())!.x, { timeout: 5_000 }).toBeLessThan(x1 - 50);
    const tickerBox = (await ticker.boundingBox())!;
    expect(tickerBox.y + tickerBox.height).toBeCloseTo(1080, 0);

    // no touch UI: a tap leaves the layout on screen and opens nothing
    await screen.touchscreen.tap(960, 500);
    await expect(signage).toBeVisible();
    await expect(screen.getByTestId('nav-home')).toHaveCount(0);
    await expect(screen.getByTestId('attract')).toHaveCount(0);

    const shot = test.info().outputPath('signage-main-ticker.png');
    await screen.screenshot({ path: shot });
    await test.info().attach('signage-main-ticker', { path: shot, contentType: 'image/png' });
  });

  test('the plays reach the server and show on /cms/stats', async () => {
    test.setTimeout(40_000);
    // each rotation is a play; the outbox sends them in batches within a couple of seconds (the first batch may
    // hold a single play, so wait for the total rather than for the first row)
    await expect
      .poll(
        async () => {
          await admin.goto(`${server.url}/cms/stats`);
          const plays = await admin
            .getByTestId('stats-row')
            .evaluateAll((rows) => rows.map((row) => Number(row.getAttribute('data-plays'))));
          return plays.reduce((a, b) => a + b, 0);
        },
        { timeout: 20_000, intervals: [1_000] },
      )
      .toBeGreaterThanOrEqual(2);
    await expect(admin.getByTestId('stats-chart')).toBeVisible();
    await expect(admin.getByTestId('stats-row').first()).toContainText('Lobby TV');
    const csv = await admin.request.get(`${server.url}/cms/stats/export.csv`);
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('Lobby TV');
    const shot = test.info().outputPath('cms-stats.png');
    await admin.screenshot({ path: shot, fullPage: true });
    await test.info().attach('cms-stats', { path: shot, contentType: 'image/png' });
  });

  test('the CMS previews a playlist and a layout with the kiosk components, in both orientations', async () => {
    test.setTimeout(40_000);
    // a playlist of two demo items that are not notices: a QR code and a ticker
    await admin.goto(`${server.url}/cms/playlists`);
    await admin.getByLabel('名称').fill('扫码与字幕');
    await admin.getByRole('button', { name: '创建' }).click();
    await addEntry(admin, '扫码提意见建议', '2', 1);
    await addEntry(admin, '便民服务时间提示', '2', 2);
    await admin.getByTestId('signage-preview-link').click();
    await admin.waitForURL(/\/cms\/preview\/signage\/playlist\//);

    const frame = admin.getByTestId('preview-frame');
    const main = admin.getByTestId('signage-preview').locator('[data-zone="main"]');
    for (const orientation of ['portrait', 'landscape'] as const) {
      if (orientation === 'landscape') await admin.getByTestId('preview-landscape').click();
      await expect(frame).toHaveAttribute('data-orientation', orientation);
      const box = (await frame.boundingBox())!;
      // the bezel is 10 px on each side of the scaled 1080×1920 or 1920×1080 screen
      const ratio = (box.width - 20) / (box.height - 20);
      expect(ratio).toBeCloseTo(orientation === 'portrait' ? 1080 / 1920 : 1920 / 1080, 1);
      // both entries play in turn, each through the shared KindView: the QR code drawn, the ticker's lines
      await expect(
        main.locator('[data-testid="kind-view"][data-kind="qr"] [data-testid="kind-qr"] svg path'),
      ).toHaveAttribute('d', /^M/, { timeout: 6_000 });
      await expect(main.locator('[data-testid="kind-view"][data-kind="ticker"]')).toContainText(
        '社区服务中心',
        {
          timeout: 6_000,
        },
      );
      const shot = test.info().outputPath(`preview-playlist-${orientation}.png`);
      await admin.screenshot({ path: shot });
      await test.info().attach(`preview-playlist-${orientation}`, { path: shot, contentType: 'image/png' });
    }

    // a preview of nothing is a plain 404, for a missing playlist and for what is neither playlist nor layout
    for (const missing of ['playlist/pl-missing', 'layout/lo-missing', 'item/x']) {
      expect((await admin.request.get(`${server.url}/cms/preview/signage/${missing}`)).status()).toBe(404);
    }

    // the layout from the first test, from its edit page: main and ticker zones, as on the lobby screen
    await admin.goto(`${server.url}/cms/layouts`);
    await admin.getByRole('link', { name: '大堂横屏' }).click();
    await admin.getByTestId('signage-preview-link').click();
    await admin.getByTestId('preview-landscape').click();
    const preview = admin.getByTestId('signage-preview');
    await expect(preview).toHaveAttribute('data-template', 'main-ticker');
    await expect(preview.locator('[data-zone="main"]')).not.toHaveAttribute('data-entry', '');
    await expect(preview.locator('[data-zone="ticker"]').getByTestId('ticker-text')).not.toHaveText('');
    const shot = test.info().outputPath('preview-layout-landscape.png');
    await admin.screenshot({ path: shot });
    await test.info().attach('preview-layout-landscape', { path: shot, contentType: 'image/png' });
  });

  test('a QR item in the lobby playlist plays on the signage screen through KindView', async () => {
    test.setTimeout(30_000);
    await admin.goto(`${server.url}/cms/playlists`);
    await admin.getByRole('link', { name: '大堂轮播' }).click();
    await addEntry(admin, '扫码提意见建议', '2', 3);
    const qr = screen
      .getByTestId('signage')
      .locator(
        '[data-zone="main"] [data-testid="kind-view"][data-kind="qr"] [data-testid="kind-qr"] svg path',
      );
    await expect(qr).toHaveAttribute('d', /^M/, { timeout: 15_000 });
    const shot = test.info().outputPath('signage-qr-slide.png');
    await screen.screenshot({ path: shot });
    await test.info().attach('signage-qr-slide', { path: shot, contentType: 'image/png' });
  });

  test('a touch kiosk plays the same playlist as its attract loop, and a touch returns home', async ({
    browser,
  }) => {
    test.setTimeout(40_000);
    lobby = await startKiosk({
      serverUrl: server.url,
      pairingCode: createPairingCode(server.dataDir),
      dataDir: path.join(work, 'lobby'),
      extraArgs: ['--name', 'Lobby touch', '--idle-timeout', '5'],
    });
    const page = await (
      await browser.newContext({ viewport: { width: 1080, height: 1920 }, hasTouch: true, locale: 'zh-CN' })
    ).newPage();
    await page.goto(lobby.url);
    await expect(page.getByTestId('tile-government')).toBeVisible();
    // idle: the attract loop is the layout's main playlist, rotating
    const loop = page.getByTestId('attract-playlist').locator('[data-zone="attract"]');
    await expect(loop).toBeVisible({ timeout: 10_000 });
    const first = await loop.getAttribute('data-entry');
    await expect.poll(() => loop.getAttribute('data-entry'), { timeout: 5_000 }).not.toBe(first);
    await page.getByTestId('attract').tap();
    await expect(page.getByTestId('tile-government')).toBeVisible();
    await expect(page.getByTestId('attract')).toHaveCount(0);
  });
});
