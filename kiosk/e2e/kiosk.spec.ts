import { expect, test, type Page } from '@playwright/test';
import { FakeSignageServer } from '../src/host/testing/fake-signage-server';
import { fixtureItem, publishFixtureContent } from '../src/host/testing/fixture-content';
import { drawScene } from '../src/host/testing/png-image';
import { makeTempDir } from '../src/host/testing/temp-dir';
import { startKioskProcess, type KioskProcess } from './kiosk-process';

// The kiosk as residents use it: a real host process (`npm run kiosk -- --shell none`) syncing from a server
// over HTTP, its renderer in Chromium with touch, portrait. The server here is the protocol test double; the
// system test in e2e/ runs the same flow against the real signage server.

test.use({ viewport: { width: 1080, height: 1920 }, hasTouch: true });
test.describe.configure({ mode: 'serial' });

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
let kiosk: KioskProcess;

test.beforeAll(async () => {
  server = await FakeSignageServer.start();
  publishFixtureContent(server);
  // An item with no English version: the English UI must fall back to zh-CN.
  server.publish(
    fixtureItem({ id: 'zh-only', category: 'legal' }, 'zh-CN', {
      title: '只有中文的通知',
      summary: '这条通知没有英文版本。',
      body: '正文。',
    }),
  );
  temp = makeTempDir('linli-kiosk-e2e-');
  kiosk = await startKioskProcess([
    '--server',
    server.url,
    '--pairing-code',
    server.createPairingCode(),
    '--data-dir',
    temp.dir,
  ]);
});

test.afterAll(async () => {
  await kiosk?.stop();
  await server?.stop();
  temp?.remove();
});

async function openKiosk(page: Page, url = kiosk.url) {
  await page.goto(url);
  await expect(page.getByTestId('tile-government')).toBeVisible();
}

/** True when every image on the page has loaded real pixels. */
const imagesLoaded = (page: Page) =>
  page.evaluate(() => [...document.images].every((image) => image.complete && image.naturalWidth > 0));

test('home shows every category tile, each a big touch target', async ({ page }) => {
  await openKiosk(page);
  const tiles = page.locator('[data-testid^="tile-"]');
  await expect(tiles).toHaveCount(10);
  await expect(tiles.first()).toHaveAttribute('data-testid', 'tile-government'); // 民情互动 first
  await expect(page.getByTestId('tile-government')).toContainText('政务信息');
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'ok');
  const small = await page.evaluate(() =>
    [...document.querySelectorAll('button')]
      .map((button) => ({
        id: button.dataset.testid ?? button.textContent,
        box: button.getBoundingClientRect(),
      }))
      .filter(({ box }) => box.width < 64 || box.height < 64)
      .map(({ id }) => id),
  );
  expect(small).toEqual([]);
});

test('navigation by touch: tile → list → detail, back, home', async ({ page }) => {
  await openKiosk(page);
  await page.getByTestId('tile-government').tap();
  await page.getByTestId('item-heating-notice').tap();
  await expect(page.getByTestId('detail-title')).toHaveText('冬季供暖开始时间通知');
  await expect(page.locator('.body strong, .body h2').first()).toBeVisible();
  await expect.poll(() => imagesLoaded(page)).toBe(true);

  await page.getByTestId('nav-back').tap();
  await expect(page.getByTestId('item-heating-notice')).toBeVisible();
  await page.getByTestId('item-heating-notice').tap();
  await page.getByTestId('nav-home').tap();
  await expect(page.getByTestId('tile-government')).toBeVisible();
  await expect(page.getByTestId('nav-back')).toBeDisabled();
});

test('language switch shows English, falling back to zh-CN where no translation exists', async ({ page }) => {
  await openKiosk(page);
  await page.getByTestId('lang-switch').tap();
  await expect(page.getByTestId('tile-government')).toContainText('Government');
  await expect(page.getByTestId('nav-home')).toHaveText('Home');
  await page.getByTestId('tile-legal').tap();
  await expect(page.getByTestId('item-legal-aid')).toContainText('Free legal advice on Wednesdays');
  await page.getByTestId('item-zh-only').tap();
  await expect(page.getByTestId('detail-title')).toHaveText('只有中文的通知');
  await page.getByTestId('lang-switch').tap();
  await page.getByTestId('nav-home').tap();
  await expect(page.getByTestId('tile-government')).toContainText('政务信息');
});

test('item bodies cannot script or navigate: raw HTML stays text, links are plain text', async ({ page }) => {
  server.publish(
    fixtureItem({ id: 'tricky', category: 'supervision' }, 'zh-CN', {
      title: '格式测试',
      summary: '',
      body: 'Visit [our site](https://example.com) <img src=x onerror="window.pwned=1"> <script>window.pwned=2</script>',
    }),
  );
  await openKiosk(page);
  await page.getByTestId('tile-supervision').tap();
  await page.getByTestId('item-tricky').tap();
  await expect(page.locator('.body')).toContainText('our site');
  await expect(page.locator('.body')).toContainText('<script>');
  await expect(page.locator('.body a, .body script, .body img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
  server.unpublish('tricky');
});

test('a published notice appears live and an unpublished one disappears, without a reload', async ({
  page,
}) => {
  await openKiosk(page);
  await page.evaluate(() => ((window as unknown as { e2eMarker: string }).e2eMarker = 'same page'));
  await page.getByTestId('tile-services').tap();
  await expect(page.getByTestId('item-water-cut')).toHaveCount(0);

  const image = server.addAsset(drawScene(320, 200, [29, 95, 168], [11, 110, 105]));
  server.publish(
    fixtureItem(
      { id: 'water-cut', category: 'services' },
      'zh-CN',
      {
        title: '明日停水通知',
        summary: '因管道检修，明日9:00至15:00停水。',
        body: '请提前储水。',
      },
      { images: [{ sha256: image.sha256, alt: '检修' }], daysAgo: -1 },
    ),
  );
  await expect(page.getByTestId('item-water-cut')).toBeVisible({ timeout: 5_000 });
  await expect.poll(() => imagesLoaded(page)).toBe(true);

  // Open it, then withdraw it: the kiosk steps back to the list instead of showing a dead page.
  await page.getByTestId('item-water-cut').tap();
  await expect(page.getByTestId('detail-title')).toHaveText('明日停水通知');
  server.unpublish('water-cut');
  await expect(page.getByTestId('detail-title')).toHaveCount(0, { timeout: 5_000 });
  await expect(page.getByTestId('item-elderly-card')).toBeVisible();
  await expect(page.getByTestId('item-water-cut')).toHaveCount(0);
  await expect(page.getByTestId('notice')).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { e2eMarker?: string }).e2eMarker)).toBe(
    'same page',
  );
});

test('with the server gone, a restarted kiosk shows its cached content, images included', async ({
  page,
}) => {
  await kiosk.stop();
  await server.stop();
  // No pairing code: the enrolment is in the cache. No server: everything comes from the cache.
  kiosk = await startKioskProcess(['--server', server.url, '--data-dir', temp.dir]);
  await openKiosk(page);
  await expect(page.getByTestId('status')).toHaveAttribute('data-state', 'warn');
  await expect(page.getByTestId('status')).toContainText('离线');
  await page.getByTestId('tile-science').tap();
  await expect(page.getByTestId('item-fire-safety')).toBeVisible();
  await expect.poll(() => imagesLoaded(page)).toBe(true);
  expect(await page.locator('img').count()).toBeGreaterThan(0);
  server = await FakeSignageServer.start(); // for afterAll
});
