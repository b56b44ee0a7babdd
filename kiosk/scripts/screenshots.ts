import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { startKioskHost } from '../src/host/kiosk-host';
import { silentLogger } from '../src/host/logger';
import { publishPackOrFixtures } from '../src/host/testing/demo-content';
import { FakeSignageServer } from '../src/host/testing/fake-signage-server';
import { makeTempDir, waitFor } from '../src/host/testing/temp-dir';

// Screenshots for the README and for checking the design by eye: portrait and landscape, zh-CN and English,
// every main screen (home, list, detail with its QR code, search with the pinyin keyboard, attract loop), and
// the large-text and high-contrast modes, with the demo pack on the fake server.
//   npm run build -w @linli/kiosk && npx tsx kiosk/scripts/screenshots.ts

const out = fileURLToPath(new URL('../docs/screenshots/', import.meta.url));
mkdirSync(out, { recursive: true });
const server = await FakeSignageServer.start();
await publishPackOrFixtures(server, fileURLToPath(new URL('../../content/packs/demo', import.meta.url)));
const temp = makeTempDir();
const host = await startKioskHost(
  {
    dataDir: temp.dir,
    serverUrl: server.url,
    pairingCode: server.createPairingCode(),
    port: 0,
    rendererDir: fileURLToPath(new URL('../build/renderer', import.meta.url)),
    idleTimeoutMs: 600_000,
  },
  { logger: () => silentLogger },
);
await waitFor(async () => {
  const content = await host.api.getContent();
  return content.ok && content.value.items.length > 0;
}, 'content');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const layouts = [
  { name: 'portrait', viewport: { width: 1080, height: 1920 } },
  { name: 'landscape', viewport: { width: 1920, height: 1080 } },
];
const shot = async (page: Page, name: string) => {
  await page.waitForFunction(() => [...document.images].every((image) => image.complete));
  await page.screenshot({ path: `${out}${name}.png` });
};

for (const layout of layouts) {
  const context = await browser.newContext({ viewport: layout.viewport, hasTouch: true });
  const page = await context.newPage();
  await page.goto(host.rendererUrl);
  await page
    .getByTestId('status')
    .filter({ hasText: /在线|Online/ })
    .waitFor();
  for (const locale of ['zh', 'en'] as const) {
    if (locale === 'en') await page.getByTestId('lang-switch').tap();
    await page.getByTestId('nav-home').tap();
    await shot(page, `${layout.name}-${locale}-home`);
    await page.getByTestId('tile-government').tap();
    await page.locator('[data-testid^="item-"]').first().waitFor();
    await shot(page, `${layout.name}-${locale}-list`);
    // A notice with a picture shows more of the design than a text-only one.
    const withImage = page.locator('[data-testid^="item-"]:has(img)');
    await ((await withImage.count()) > 0 ? withImage : page.locator('[data-testid^="item-"]')).first().tap();
    await page.getByTestId('detail-title').waitFor();
    await shot(page, `${layout.name}-${locale}-detail`);
    await page.getByTestId('nav-search').tap();
    if (locale === 'zh') {
      // 停水 typed in pinyin: "ting" → 停, then "shui" left pending to show the candidate bar.
      for (const key of ['t', 'i', 'n', 'g']) await page.locator(`[data-skbtn="${key}"]`).tap();
      await page.getByTestId('candidate').filter({ hasText: '停' }).tap();
      for (const key of ['s', 'h', 'u', 'i']) await page.locator(`[data-skbtn="${key}"]`).tap();
    } else {
      await page.locator('[data-skbtn="{abc}"]').tap();
      for (const key of ['w', 'a', 't', 'e', 'r']) await page.locator(`[data-skbtn="${key}"]`).tap();
    }
    await page.waitForTimeout(300);
    await shot(page, `${layout.name}-${locale}-search`);
    await page.getByTestId('nav-home').tap();
  }
  // Accessibility modes, on the home and detail screens, in Chinese.
  await page.getByTestId('lang-switch').tap();
  await page.getByTestId('toggle-large-text').tap();
  await shot(page, `${layout.name}-zh-home-large-text`);
  await page.getByTestId('toggle-large-text').tap();
  await page.getByTestId('toggle-contrast').tap();
  await shot(page, `${layout.name}-zh-home-high-contrast`);
  await page.getByTestId('toggle-contrast').tap();
  await context.close();
}

// The attract loop: a kiosk left alone for its idle timeout (a second host with a short one).
const idleTemp = makeTempDir();
const idleHost = await startKioskHost(
  {
    dataDir: idleTemp.dir,
    serverUrl: server.url,
    pairingCode: server.createPairingCode(),
    port: 0,
    rendererDir: fileURLToPath(new URL('../build/renderer', import.meta.url)),
    idleTimeoutMs: 5_000,
    attractSlideMs: 60_000,
  },
  { logger: () => silentLogger },
);
for (const layout of layouts) {
  const context = await browser.newContext({ viewport: layout.viewport, hasTouch: true });
  const page = await context.newPage();
  await page.goto(idleHost.rendererUrl);
  await page.getByTestId('attract').waitFor({ timeout: 30_000 });
  await page.waitForTimeout(1_000); // the picture fades in
  await shot(page, `${layout.name}-attract`);
  await context.close();
}
await idleHost.stop();
idleTemp.remove();

await browser.close();
await host.stop();
await server.stop();
temp.remove();
process.stderr.write(`screenshots written to ${out}\n`);
