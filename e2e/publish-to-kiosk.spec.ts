// Issue 2, "Done when" 2: the first real slice across every part, with real processes. An editor writes a notice
// with an image in the CMS and submits it, a reviewer publishes it (issue 4: never the author); a kiosk (Chromium,
// touch, portrait) that pulls over the device API shows it within 5 s without a reload; withdrawing removes it; with
// the server gone, a restarted kiosk host still shows its cache.
import { expect, test, type Browser, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';
import { signInNewUser } from '../signage-server/test/support/cms-users';
import { login } from '../signage-server/test/support/server-process';

type Server = Awaited<ReturnType<typeof startServer>>;
type Kiosk = Awaited<ReturnType<typeof startKiosk>>;

const ADMIN_PASSWORD = 'e2e-admin-password-1';

/** A small, valid PNG of one random colour, so the kiosk must download an asset it has never seen. */
function uniquePng(): Buffer {
  const width = 64;
  const height = 40;
  const [r, g, b] = [0, 0, 0].map(() => Math.floor(Math.random() * 256));
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set([r!, g!, b!], 1 + x * 3);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function openKiosk(browser: Browser, url: string): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1080, height: 1920 },
    hasTouch: true,
    locale: 'zh-CN',
  });
  const page = await context.newPage();
  await page.goto(url);
  await expect(page.getByTestId('tile-government')).toBeVisible();
  return page;
}

async function expectImagesLoaded(page: Page) {
  const images = page.locator('main img');
  await expect(images.first()).toBeVisible();
  await expect
    .poll(() => images.evaluateAll((els) => els.every((el) => (el as HTMLImageElement).naturalWidth > 0)))
    .toBe(true);
}

test.describe.serial('a notice published in the CMS appears on a kiosk', () => {
  let work: string;
  let server: Server;
  let kiosk: Kiosk;
  const id = `e2e-notice-${Date.now().toString(36)}`;
  const title = `停水通知 ${id.slice(-6)}`;

  test.beforeAll(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-'));
    server = await startServer({
      dataDir: path.join(work, 'server'),
      env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    kiosk = await startKiosk({
      serverUrl: server.url,
      pairingCode: createPairingCode(server.dataDir),
      dataDir: path.join(work, 'kiosk'),
    });
  });

  test.afterAll(async () => {
    await kiosk?.stop();
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('publish with an image, see it live on the kiosk, unpublish, and survive a server outage', async ({
    browser,
  }) => {
    const kioskPage = await openKiosk(browser, kiosk.url);
    await kioskPage.getByTestId('tile-government').tap();
    await expect(kioskPage.getByTestId('nav-home')).toBeVisible();
    const kioskItem = kioskPage.getByTestId(`item-${id}`);
    await expect(kioskItem).toHaveCount(0);

    // The editor, in an ordinary desktop browser.
    const cms = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await cms.goto(`${server.url}/login`);
    await cms.getByLabel('用户名').fill('admin');
    await cms.getByLabel('密码').fill(ADMIN_PASSWORD);
    await cms.getByRole('button', { name: '登录' }).click();
    await cms.waitForURL(/\/cms/);
    await cms.goto(`${server.url}/cms/items/new`);
    await cms.getByLabel('编号').fill(id);
    await cms.getByLabel('栏目').selectOption('government');
    await cms.getByRole('textbox', { name: '标题', exact: true }).fill(title);
    await cms.getByLabel('摘要').fill('本周四上午 9:00–12:00 3 号楼停水检修。');
    await cms.getByLabel('正文', { exact: true }).fill('## 停水时间\n\n本周四 **9:00–12:00**，请提前储水。');
    const imageFile = path.join(work, 'notice.png');
    fs.writeFileSync(imageFile, uniquePng());
    // Choosing a file uploads it at once (the upload button is the no-JavaScript fallback).
    await cms.getByLabel('图片说明').fill('停水区域示意');
    await cms.getByLabel('上传图片').setInputFiles(imageFile);
    await expect(cms.locator('input[name="imageSha"]')).toHaveCount(1);

    await cms.getByRole('button', { name: '保存并提交审核' }).click();
    await cms.waitForURL(`${server.url}/cms/items/${id}/zh-CN`);

    // A reviewer, who did not write it, approves and publishes it.
    const reviewerSession = await signInNewUser(
      server.url,
      await login(server.url, 'admin', ADMIN_PASSWORD),
      'reviewer1',
      ['reviewer'],
    );
    const reviewerContext = await browser.newContext({ locale: 'zh-CN' });
    const [cookieName, cookieValue] = reviewerSession.split('=') as [string, string];
    await reviewerContext.addCookies([{ name: cookieName, value: cookieValue, url: server.url }]);
    const reviewer = await reviewerContext.newPage();
    const approve = async () => {
      await reviewer.goto(`${server.url}/cms/items/${id}/zh-CN`);
      await reviewer.getByRole('button', { name: '批准并发布' }).click();
      await expect(reviewer.getByText('已批准并发布', { exact: false }).first()).toBeVisible();
    };
    const published = Date.now();
    await approve();

    // Live on the kiosk within 5 s, no reload.
    await expect(kioskItem).toBeVisible({ timeout: 5_000 });
    console.log(`kiosk showed the notice ${Date.now() - published} ms after publishing`);
    await kioskItem.tap();
    await expect(kioskPage.getByTestId('detail-title')).toHaveText(title);
    await expectImagesLoaded(kioskPage);

    // Unpublish: it disappears from the kiosk (the open detail goes back to the list).
    await cms.goto(`${server.url}/cms/items/${id}/zh-CN`);
    await cms.getByRole('button', { name: '下线' }).click();
    await expect(kioskPage.getByTestId('detail-title')).toHaveCount(0, { timeout: 5_000 });
    await expect(kioskItem).toHaveCount(0, { timeout: 5_000 });

    // Publish again (a new version, reviewed again), then take the server away and restart the kiosk host: the
    // cache carries the content.
    await cms.goto(`${server.url}/cms/items/${id}/zh-CN`);
    await cms.getByRole('button', { name: '保存并提交审核' }).click();
    await cms.waitForURL(`${server.url}/cms/items/${id}/zh-CN`);
    await approve();
    await expect(kioskItem).toBeVisible({ timeout: 5_000 });
    await kioskPage.context().close();
    await server.stop();
    await kiosk.stop();
    kiosk = await startKiosk({ serverUrl: server.url, dataDir: path.join(work, 'kiosk') });

    const offline = await openKiosk(browser, kiosk.url);
    await offline.getByTestId('tile-government').tap();
    await offline.getByTestId(`item-${id}`).tap();
    await expect(offline.getByTestId('detail-title')).toHaveText(title);
    await expectImagesLoaded(offline);
    // A demo item's image came from the cache too.
    await offline.getByTestId('nav-home').tap();
    await offline.getByTestId('tile-guide').tap();
    await offline.locator('[data-testid^="item-"]').first().tap();
    await expectImagesLoaded(offline);
  });
});
