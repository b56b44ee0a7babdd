// Issue 4, "Done when" 3: sync you can trust, with real processes. A real server, a real kiosk host, and between
// them a small proxy (bench/lib-sync.mjs) that can tamper with what passes. (a) An asset file damaged on the kiosk's
// disk is found at start-up and fetched again; (b) a manifest with a flipped byte is refused, the kiosk keeps its
// last good content and the refusal shows on the server's device page; (c) a download cut halfway through a new
// image never shows a partial playlist, resumes with Range, and completes once the network behaves.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPairingCode, repoRoot, startKiosk, startServer } from '../scripts/lib/processes.mjs';
import { cmsPublisher, noisePng, sha256Of, startProxy } from '../bench/lib-sync.mjs';

type Server = Awaited<ReturnType<typeof startServer>>;
type Kiosk = Awaited<ReturnType<typeof startKiosk>>;
type Proxy = Awaited<ReturnType<typeof startProxy>>;

const ADMIN_PASSWORD = 'e2e-admin-password-1';
/** A demo pack item with an image (content/packs/demo), and that image's hash. */
const DEMO_ITEM = { category: 'science', id: 'water-saving' };
const DEMO_IMAGE = createHash('sha256')
  .update(fs.readFileSync(path.join(repoRoot, 'content/packs/demo/images/science.png')))
  .digest('hex');

async function openItem(browser: Browser, url: string, category: string, id: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1080, height: 1920 },
    hasTouch: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId(`tile-${category}`).tap();
  await page.getByTestId(`item-${id}`).tap();
  await expect(page.getByTestId('detail-title')).toBeVisible();
  return page;
}

/** True once every image of the open item has decoded (a damaged or missing file never does). */
async function expectImagesShown(page: Page) {
  const images = page.locator('main img');
  await expect(images.first()).toBeVisible();
  await expect
    .poll(() => images.evaluateAll((els) => els.every((el) => (el as HTMLImageElement).naturalWidth > 0)))
    .toBe(true);
}

test.describe.serial('sync you can trust', () => {
  let work: string;
  let server: Server;
  let proxy: Proxy;
  let kiosk: Kiosk;
  let kioskDir: string;
  let cms: Awaited<ReturnType<typeof cmsPublisher>>;

  test.beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-sync-'));
    server = await startServer({
      dataDir: path.join(work, 'server'),
      env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    proxy = await startProxy(server.url);
    // heartbeats every second, so a refusal reaches the server's device page quickly
    process.env.LINLI_FLEET_HEARTBEAT_MS = '1000';
    kioskDir = path.join(work, 'kiosk');
    kiosk = await startKiosk({
      serverUrl: proxy.url,
      pairingCode: createPairingCode(server.dataDir),
      dataDir: kioskDir,
    });
    await kiosk.output.waitFor(/switched to a new manifest/, 60_000);
    cms = await cmsPublisher(server.url, ADMIN_PASSWORD);
  });

  test.afterAll(async () => {
    await kiosk?.stop();
    await proxy?.stop();
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the first sync brought the small assets in bundles from the real server', () => {
    const bundles = proxy.log.filter((e) => e.path === '/api/v1/assets/bundle');
    expect(bundles.length).toBeGreaterThanOrEqual(1);
    expect(bundles.every((e) => e.method === 'POST' && e.status === 200 && !e.cut)).toBe(true);
    // every asset the kiosk holds arrived, and was checked, whichever way it came
    const held = fs.readdirSync(path.join(kioskDir, 'assets')).filter((name) => /^[0-9a-f]{64}$/.test(name));
    for (const sha of held) expect(sha256Of(fs.readFileSync(path.join(kioskDir, 'assets', sha)))).toBe(sha);
    const singles = proxy.log.filter((e) => e.path.startsWith('/api/v1/assets/') && e.method === 'GET');
    expect(singles.length).toBeLessThan(held.length);
  });

  test('a damaged asset file is found at start-up and fetched again', async ({ browser }) => {
    const page = await openItem(browser, kiosk.url, DEMO_ITEM.category, DEMO_ITEM.id);
    await expectImagesShown(page);
    await page.context().close();

    await kiosk.stop();
    // Same size, different bytes: only hashing the file can tell.
    const file = path.join(kioskDir, 'assets', DEMO_IMAGE);
    const bytes = fs.readFileSync(file);
    bytes.fill(0x5a, 64, Math.min(bytes.length, 64 + 256));
    fs.writeFileSync(file, bytes);
    expect(sha256Of(bytes)).not.toBe(DEMO_IMAGE);
    const before = proxy.log.length;

    kiosk = await startKiosk({ serverUrl: proxy.url, dataDir: kioskDir });
    // the asset request reaches the server again, whole and successful
    await expect
      .poll(() =>
        proxy.log
          .slice(before)
          .some((e) => e.path === `/api/v1/assets/${DEMO_IMAGE}` && e.status === 200 && !e.cut),
      )
      .toBe(true);
    // the proxy logs the answer when its headers pass; the file gets its name only once its bytes were checked
    await expect
      .poll(() => (fs.existsSync(file) ? sha256Of(fs.readFileSync(file)) : 'not there yet'))
      .toBe(DEMO_IMAGE);
    const again = await openItem(browser, kiosk.url, DEMO_ITEM.category, DEMO_ITEM.id);
    await expectImagesShown(again);
    await again.context().close();
  });

  test('a tampered manifest is refused, the last good content stays, and the server sees why', async ({
    browser,
  }) => {
    const page = await openItem(browser, kiosk.url, DEMO_ITEM.category, DEMO_ITEM.id);
    proxy.faults.manifest = 'body';
    const id = await cms.publish({
      category: 'government',
      title: '篡改测试通知',
      summary: '这条通知的清单被篡改过。',
    });

    // the kiosk asked for the new manifest and got tampered bytes
    await expect.poll(() => proxy.log.some((e) => e.tampered)).toBe(true);
    await kiosk.output.waitFor(/signature-invalid/, 20_000);

    // the refusal is on the administrator's device page (heartbeat: last error)
    const admin = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await admin.goto(`${server.url}/login`);
    await admin.getByLabel('用户名').fill('admin');
    await admin.getByLabel('密码').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: '登录' }).click();
    await admin.waitForURL(/\/cms/);
    await expect
      .poll(
        async () => {
          await admin.goto(`${server.url}/admin/devices`);
          return admin.locator('main').innerText();
        },
        { timeout: 20_000, intervals: [1_000] },
      )
      .toContain('signature-invalid');
    await admin.context().close();

    // the kiosk still shows what it had, and not the item it refused
    await expectImagesShown(page);
    await page.getByTestId('nav-home').tap();
    await page.getByTestId('tile-government').tap();
    await expect(page.locator('[data-testid^="item-"]').first()).toBeVisible();
    await expect(page.getByTestId(`item-${id}`)).toHaveCount(0);

    // a flipped signature is refused the same way
    proxy.faults.manifest = 'signature';
    const tampered = proxy.log.filter((e) => e.tampered).length;
    proxy.dropEventStreams();
    await expect.poll(() => proxy.log.filter((e) => e.tampered).length).toBeGreaterThan(tampered);
    await expect(page.getByTestId(`item-${id}`)).toHaveCount(0);

    // honest bytes again: the kiosk takes the new manifest at its next attempt
    proxy.faults.manifest = null;
    proxy.dropEventStreams();
    await expect(page.getByTestId(`item-${id}`)).toBeVisible({ timeout: 30_000 });
    await page.context().close();
  });

  test('a download cut halfway never shows a partial playlist, resumes, and completes', async ({
    browser,
  }) => {
    const image = noisePng(1_500_000, 4242);
    const sha = sha256Of(image);
    proxy.faults.cutAssets.add(sha);
    const page = await openItem(browser, kiosk.url, DEMO_ITEM.category, DEMO_ITEM.id);
    const id = await cms.publish({
      category: 'government',
      title: '断线测试通知',
      summary: '这条通知的图片下载曾被中断。',
      image,
    });

    // cut again and again, and the kiosk comes back each time asking only for the rest (Range)
    const requests = () => proxy.log.filter((e) => e.path === `/api/v1/assets/${sha}`);
    await expect
      .poll(() => requests().filter((e) => e.cut && e.range !== null).length, { timeout: 30_000 })
      .toBeGreaterThanOrEqual(1);
    expect(requests()[0]?.range).toBeNull();

    // meanwhile the screen keeps the old playlist: the new item is nowhere, the old content is whole
    await expectImagesShown(page);
    await page.getByTestId('nav-home').tap();
    await page.getByTestId('tile-government').tap();
    await expect(page.locator('[data-testid^="item-"]').first()).toBeVisible();
    await expect(page.getByTestId(`item-${id}`)).toHaveCount(0);
    expect(fs.existsSync(path.join(kioskDir, 'assets', sha))).toBe(false);

    proxy.faults.cutAssets.delete(sha);
    proxy.dropEventStreams();
    await page.getByTestId(`item-${id}`).tap({ timeout: 30_000 });
    await expect(page.getByTestId('detail-title')).toHaveText('断线测试通知');
    await expectImagesShown(page);
    expect(sha256Of(fs.readFileSync(path.join(kioskDir, 'assets', sha)))).toBe(sha);
    // the download that completed was a resumption: only the rest of the file travelled
    const last = requests().at(-1);
    expect(last).toMatchObject({
      status: 206,
      cut: false,
      range: expect.stringMatching(/^bytes=[1-9]\d*-$/),
    });
    expect(last!.bytes).toBeLessThan(image.length);
    await page.context().close();
  });
});
