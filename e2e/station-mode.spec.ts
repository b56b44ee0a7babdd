// Station mode (issues 6 and 7), real processes: the signage server, and the kiosk app on the station PC started
// with `--mode station` (its simulated reader stands in for the PC/SC reader and the ID reader). The clerk's
// window opens the server's console with the bridge ticket in the URL fragment; a card tapped on the station's
// reader is looked up or fills the card field, an ID card fills the ID number, and the resident access-card page
// takes a tap too. A page of any other origin cannot listen to the readers.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { cnIdCheckCharacter, parseStationBridgeFragment } from '@linli/content';
import { axeViolations } from '../kiosk/e2e/kiosk-checks';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';

const ADMIN_PASSWORD = 'e2e-station-mode-password';
const READER = 'Station Sim Reader';
const UID = `5A${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
const ACCESS_UID = `5B${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
const first17 = '11010519491231002';
const ID_NUMBER = first17 + cnIdCheckCharacter(first17);
/** Set to a folder to keep screenshots of the console with its reader indicator. */
const SCREENSHOTS = process.env.LINLI_STATION_SCREENSHOTS;

let server: Awaited<ReturnType<typeof startServer>>;
let kiosk: Awaited<ReturnType<typeof startKiosk>>;
let work: string;

test.beforeAll(async () => {
  test.setTimeout(180_000);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-station-'));
  const dataDir = path.join(work, 'server');
  server = await startServer({ dataDir, env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD } });
  kiosk = await startKiosk({
    serverUrl: server.url,
    pairingCode: createPairingCode(dataDir),
    dataDir: path.join(work, 'kiosk'),
    extraArgs: ['--mode', 'station', '--simulate-peripherals', '--name', 'station-pc-1'],
  });
});

test.afterAll(async () => {
  await kiosk?.stop();
  await server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

/** The kiosk host's loopback simulator, found from the bridge ticket the window was handed. */
async function read(event: Record<string, unknown>) {
  const ticket = parseStationBridgeFragment(new URL(kiosk.url).hash);
  if (!ticket) throw new Error(`no station ticket in ${kiosk.url}`);
  const bridge = new URL(ticket.url);
  const response = await fetch(
    `http://${bridge.host}/simulate/peripheral-event?token=${bridge.searchParams.get('token')}`,
    { method: 'POST', body: JSON.stringify({ at: new Date().toISOString(), reader: READER, ...event }) },
  );
  if (response.status !== 204) throw new Error(`simulator: ${response.status} ${await response.text()}`);
}
const tap = (uid: string) => read({ type: 'card-present', uid, atr: null, technology: 'mifare-classic-1k' });
const lift = () => read({ type: 'card-removed' });

async function shoot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

test('the station PC lends its readers to the console: tap to look up, tap and scan to issue, tap to bind', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  const url = new URL(kiosk.url);
  expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/station`);

  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  // What the kiosk's window opens: not signed in yet, so the server sends it to the login page first.
  await page.goto(kiosk.url);
  await page.waitForURL((u) => u.pathname === '/login');
  // The token left the address bar at once (it is in this window's sessionStorage only).
  await expect.poll(() => page.url()).not.toContain('linli-station');
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(ADMIN_PASSWORD);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((u) => u.pathname === '/station');
  const indicator = page.getByTestId('station-reader');
  await expect(indicator).toHaveAttribute('data-state', 'connected');
  await expect(indicator).toContainText('station-pc-1');

  // A blank card on the reader: nothing on the page wants it, so it is looked up, and offered for issuing.
  await tap(UID);
  await page.waitForURL((u) => u.pathname === '/station' && u.searchParams.get('tap') === UID);
  await expect(page.getByText(`卡片 ${UID} 尚未发行`)).toBeVisible();
  await expect(indicator).toContainText('1 台读卡设备就绪');
  await lift();
  await page.getByLabel('房屋（楼号/房号，如 1/0301）').fill('1/1-0502');
  await page.getByRole('button', { name: '查找住户' }).click();
  const uidField = page.getByLabel('卡号（读卡器读取或手工输入，十六进制）');
  await expect(uidField).toHaveValue(UID);

  // The holder's ID card on the ID reader fills the ID number.
  await read({
    type: 'document',
    kind: 'cn-id',
    fields: { name: { value: '张三', confidence: 0.99 }, idNumber: { value: ID_NUMBER, confidence: 0.99 } },
    confidence: 0.99,
    valid: true,
    problems: [],
    source: { via: 'simulator', input: 'fields' },
  });
  await expect(page.getByLabel('身份证号（可选，用于自助挂失）')).toHaveValue(ID_NUMBER);
  await expect(page.getByTestId('station-reader-notice')).toContainText('证件信息已填入');
  expect(await axeViolations(page)).toEqual([]);
  await shoot(page, 'station-mode-issue');
  await page.getByLabel('支付密码（6 位数字）').fill('246810');
  await page.getByRole('button', { name: '发卡' }).click();
  await page.waitForURL(/\/station\/cards\/[0-9a-f-]{36}$/);
  const cardPage = page.url();

  // Elsewhere in the console, the same card is looked up and opens its card page.
  await page.goto(`${server.url}/station/close`);
  await expect(indicator).toHaveAttribute('data-state', 'connected');
  await tap(UID);
  await page.waitForURL(cardPage);
  await lift();
  // On its own card page, tapping it again does not make it its own replacement.
  await expect(page.getByLabel('新卡卡号')).toHaveValue('');

  // A resident's real-name access card, bound with a tap on the visitors' card page.
  await page.goto(`${server.url}/station/visitors/cards`);
  await expect(indicator).toHaveAttribute('data-state', 'connected');
  await page.getByLabel('住户房屋（楼号/房号，如 2/1-0301）').fill('1/1-0502');
  await page.getByLabel('住户房屋（楼号/房号，如 2/1-0301）').press('Enter');
  const accessUid = page.getByLabel('卡号（读卡器读取或手工输入）');
  await expect(accessUid).toHaveValue('');
  await tap(ACCESS_UID);
  await expect(accessUid).toHaveValue(ACCESS_UID);
  await context.close();
});

test('a page of another origin cannot listen to the station readers', async ({ browser }) => {
  const ticket = parseStationBridgeFragment(new URL(kiosk.url).hash)!;
  const context = await browser.newContext();
  const page = await context.newPage();
  // The kiosk host's own loopback origin stands in for "any other page on this PC".
  const bridge = new URL(ticket.url);
  await page.goto(`http://${bridge.host}/?token=wrong`).catch(() => undefined);
  const opened = await page.evaluate(
    (socketUrl) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(socketUrl);
        socket.onopen = () => resolve('open');
        socket.onerror = () => resolve('refused');
      }),
    ticket.url,
  );
  expect(opened).toBe('refused');
  await context.close();
});
