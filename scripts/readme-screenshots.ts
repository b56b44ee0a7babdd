// Regenerates the screenshots in README.md from real processes: `npx tsx scripts/readme-screenshots.ts`
// (after `npm run build`). Kiosk in portrait 1080x1920, CMS at 1440x900, both in zh-CN.
import { chromium } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromiumLaunch } from '../playwright.config';
import { createPairingCode, repoRoot, startKiosk, startServer } from './lib/processes.mjs';

const out = path.join(repoRoot, 'docs/screenshots');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-shots-'));
const password = 'screenshot-admin-1';
const server = await startServer({
  dataDir: path.join(work, 'server'),
  env: { LINLI_ADMIN_PASSWORD: password },
});
const kiosk = await startKiosk({
  serverUrl: server.url,
  pairingCode: createPairingCode(server.dataDir),
  dataDir: path.join(work, 'kiosk'),
});
const browser = await chromium.launch({ ...chromiumLaunch, headless: true });
try {
  const kioskPage = await (
    await browser.newContext({ viewport: { width: 1080, height: 1920 }, hasTouch: true, locale: 'zh-CN' })
  ).newPage();
  await kioskPage.goto(kiosk.url);
  await kioskPage.getByTestId('tile-government').waitFor();
  await kioskPage.waitForTimeout(500);
  await kioskPage.screenshot({ path: path.join(out, 'kiosk-home.png') });

  const cms = await (
    await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
  ).newPage();
  await cms.goto(`${server.url}/login`);
  await cms.getByLabel('用户名').fill('admin');
  await cms.getByLabel('密码').fill(password);
  await cms.getByRole('button', { name: '登录' }).click();
  await cms.waitForURL(/\/cms/);
  await cms.screenshot({ path: path.join(out, 'cms-content.png') });
  const first = cms.locator('a[href^="/cms/items/"]:not([href$="/new"])').first();
  await first.click();
  await cms.waitForURL(/\/cms\/items\//);
  await cms.screenshot({ path: path.join(out, 'cms-editor.png') });
  await cms.goto(`${server.url}/admin/registry`);
  await cms.screenshot({ path: path.join(out, 'admin-registry.png') });
  await cms.goto(`${server.url}/admin/devices`);
  await cms.screenshot({ path: path.join(out, 'admin-devices.png') });
} finally {
  await browser.close();
  await kiosk.stop();
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
console.log(`screenshots written to ${out}`);
