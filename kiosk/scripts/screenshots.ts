import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Page } from 'playwright-core';
import { startKioskHost } from '../src/host/kiosk-host';
import { silentLogger } from '../src/host/logger';
import { publishPackOrFixtures } from '../src/host/testing/demo-content';
import { FakeSignageServer } from '../src/host/testing/fake-signage-server';
import { makeTempDir, waitFor } from '../src/host/testing/temp-dir';

// Screenshots for the README and for checking the design by eye: portrait and landscape, zh-CN and English,
// home, a category list and a detail page, with the demo pack on the fake server.
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
const shot = (page: Page, name: string) => page.screenshot({ path: `${out}${name}.png` });
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
    await page.waitForFunction('[...document.images].every((image) => image.complete)');
    await shot(page, `${layout.name}-${locale}-detail`);
  }
  await context.close();
}
await browser.close();
await host.stop();
await server.stop();
temp.remove();
process.stderr.write(`screenshots written to ${out}\n`);
