// Issue 7, "Done when" 1, with real processes end to end: a clerk issues a card at the station console and tops it
// up with ¥500 in cash; a resident taps that card at a kiosk (its simulated reader), pays two
// bills with the PIN on the kiosk's on-screen pad (after one wrong PIN), gets the e-receipt QR and a printed
// receipt; then the kiosk, the station's card page, the bills and the station's daily close all agree. And an online
// top-up: the kiosk shows the simulated provider's QR code, a phone opens it and pays, the kiosk shows the new balance.
import { expect, test, type Browser, type Page } from '@playwright/test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import iconv from 'iconv-lite';
import {
  axeViolations,
  connectKioskApi,
  layoutProblems,
  simulatePeripheralEvent,
} from '../kiosk/e2e/kiosk-checks';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';
import { openKiosk } from './support/system';

const ADMIN_PASSWORD = 'e2e-card-payment-password';
const PIN = '654321';
// A fresh UID per run (canonical upper-case hex, 5 bytes), so reruns never meet an earlier card.
const UID = `E2${crypto.randomBytes(4).toString('hex').toUpperCase()}`;
const WATER = `E2E-W-${UID}`;
const POWER = `E2E-E-${UID}`;
const READER = 'Linli Sim Reader';
/** Set to a folder to keep screenshots of the payment screens (the kiosk README shows them). */
const SCREENSHOTS = process.env.LINLI_PAYMENT_SCREENSHOTS;

let server: Awaited<ReturnType<typeof startServer>>;
let kiosk: Awaited<ReturnType<typeof startKiosk>>;
let work: string;
let printerFile: string;

test.beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-pay-'));
  printerFile = path.join(work, 'receipt-printer.bin');
  server = await startServer({
    dataDir: path.join(work, 'server'),
    env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD, LINLI_ONLINE_TOPUP: 'sim' },
  });
  kiosk = await startKiosk({
    serverUrl: server.url,
    pairingCode: createPairingCode(server.dataDir),
    dataDir: path.join(work, 'kiosk'),
    extraArgs: ['--simulate-peripherals', '--receipt-printer', printerFile],
  });
});

test.afterAll(async () => {
  await kiosk?.stop();
  await server?.stop();
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

const fen = (text: string) => Number(text.replace(/[¥,.\s]/g, ''));

/** The kiosk's page as a resident sees it (portrait, touch only, zh-CN), on the payment screen. */
async function openPayScreen(browser: Browser): Promise<Page> {
  const page = await openKiosk(browser, { kiosk });
  await page.getByTestId('home-pay').tap();
  return page;
}

/** A card laid on the kiosk's simulated reader. */
function tapCard(uid: string) {
  return simulatePeripheralEvent(kiosk.url, {
    type: 'card-present',
    at: new Date().toISOString(),
    reader: READER,
    uid,
    atr: null,
    technology: 'mifare-classic-1k',
  });
}

async function shoot(page: Page, name: string) {
  if (SCREENSHOTS) await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

test('a card issued and topped up at the station pays two bills with PIN at the kiosk; everything agrees', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  // The clerk, at the station console.
  const station = await (
    await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } })
  ).newPage();
  await station.goto(`${server.url}/login?next=/station`);
  await station.getByLabel('用户名').fill('admin');
  await station.getByLabel('密码').fill(ADMIN_PASSWORD);
  await station.getByRole('button', { name: '登录' }).click();
  await station.waitForURL((url) => url.pathname === '/station');
  await station.goto(`${server.url}/station/close`);
  const drawerBefore = fen(await station.getByTestId('expected').innerText());

  await station.goto(`${server.url}/station`);
  await station.getByLabel('房屋（楼号/房号，如 1/0301）').fill('1/1-0502');
  await station.getByRole('button', { name: '查找住户' }).click();
  await station.getByLabel('卡号（读卡器读取或手工输入，十六进制）').fill(UID);
  await station.getByLabel('支付密码（6 位数字）').fill(PIN);
  await station.getByRole('button', { name: '发卡' }).click();
  await station.waitForURL(/\/station\/cards\/[0-9a-f-]{36}$/);
  const cardPage = station.url();
  await station.getByLabel('金额（元）').fill('500');
  await station.getByRole('button', { name: '充值', exact: true }).click();
  await expect(station.getByTestId('balance')).toHaveText('¥500.00');

  await station.goto(`${server.url}/station/bills`);
  await station.getByLabel('CSV 文件').setInputFiles({
    name: 'bills.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(
      'bill_id,building,unit,category,period,amount_fen,due_date\n' +
        `${WATER},1,1-0502,water,2026-10,12000,2026-12-31\n` +
        `${POWER},1,1-0502,electricity,2026-10,9000,2026-12-31\n`,
    ),
  });
  await station.getByRole('button', { name: '导入', exact: true }).click();
  await expect(station.getByText('已导入 2 张账单')).toBeVisible();

  // The resident, at the kiosk: portrait, touch only.
  const page = await openPayScreen(browser);
  await expect(page.getByTestId('pay-tap-card')).toBeVisible();
  await shoot(page, 'portrait-zh-pay-tap-card');

  const host = await connectKioskApi(kiosk.url);
  try {
    await tapCard(UID);
    await expect(page.getByTestId('pay-balance')).toHaveText('¥500.00');
    await expect(page.getByTestId('pay-holder')).toContainText('*');
    await expect(page.getByTestId(`pay-bill-${WATER}`)).toBeVisible();
    await expect(page.getByTestId(`pay-bill-${POWER}`)).toBeVisible();
    // The full UID never reaches the page: the host keeps it.
    expect(await page.evaluate(() => document.body.innerText)).not.toContain(UID);

    await page.getByTestId(`pay-bill-${WATER}`).tap();
    await page.getByTestId(`pay-bill-${POWER}`).tap();
    await expect(page.getByTestId('pay-selection')).toContainText('¥210.00');
    expect(await axeViolations(page)).toEqual([]);
    expect(await layoutProblems(page)).toEqual([]);
    await shoot(page, 'portrait-zh-pay-bills');
    await page.getByTestId('pay-next').tap();
    await expect(page.getByTestId('pay-total')).toHaveText('¥210.00');
    await page.getByTestId('pay-confirm-button').tap();

    // ¥210 is over the ¥200 PIN limit: the numeric pad. A wrong PIN first, then the right one.
    await expect(page.getByTestId('pay-pin')).toBeVisible();
    for (const digit of '111111') await page.locator(`[data-skbtn="${digit}"]`).tap();
    await expect(page.getByTestId('pay-pin-dots')).toHaveAttribute('data-length', '6');
    expect(await axeViolations(page)).toEqual([]);
    expect(await layoutProblems(page)).toEqual([]);
    await shoot(page, 'portrait-zh-pay-pin');
    await page.getByTestId('pay-pin-submit').tap();
    await expect(page.getByTestId('pay-error')).toHaveAttribute('data-message', 'payError_wrongPin');
    await expect(page.getByTestId('pay-error')).toContainText('支付密码错误');
    await page.getByTestId('pay-error-next').tap();
    for (const digit of PIN) await page.locator(`[data-skbtn="${digit}"]`).tap();
    await page.getByTestId('pay-pin-submit').tap();

    await expect(page.getByTestId('pay-done')).toBeVisible();
    await expect(page.getByTestId('pay-done-amount')).toContainText('¥210.00');
    await expect(page.getByTestId('pay-done-balance')).toHaveText('¥290.00');
    await expect(page.getByTestId('pay-printed')).toHaveAttribute('data-printed', 'printed');
    const receiptUrl = await page.getByTestId('pay-receipt-qr').getAttribute('data-url');
    expect(receiptUrl).toMatch(new RegExp(`^${server.url}/receipts/\\d+-[0-9a-f]{16}$`));
    expect(await axeViolations(page)).toEqual([]);
    expect(await layoutProblems(page)).toEqual([]);
    await shoot(page, 'portrait-zh-pay-done');

    // The e-receipt behind the QR code, and the paper one from the printer (ESC/POS, GB18030).
    const receiptPage = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
    await receiptPage.goto(receiptUrl!);
    await expect(receiptPage.getByText('¥210.00').first()).toBeVisible();
    const paper = iconv.decode(fs.readFileSync(printerFile), 'gb18030');
    expect(paper).toContain('合计 Total');
    expect(paper).toContain('¥210.00');
    expect(paper).toContain(receiptUrl!);

    // Taking the card away ends the session: nothing of it stays on screen, in the page or in the host.
    await simulatePeripheralEvent(kiosk.url, {
      type: 'card-removed',
      at: new Date().toISOString(),
      reader: READER,
    });
    await expect(page.getByTestId('pay-tap-card')).toBeVisible();
    const text = await page.evaluate(() => document.body.innerText);
    for (const gone of ['¥290.00', '¥210.00', UID.slice(-4)]) expect(text).not.toContain(gone);
    const session = await host.api.getSession();
    expect(session.ok && session.value.card).toBeNull();
  } finally {
    host.close();
  }

  // The station agrees: balance, both bills paid, and the daily close counts the ¥500 cash top-up exactly.
  await station.goto(cardPage);
  await expect(station.getByTestId('balance')).toHaveText('¥290.00');
  await expect(station.locator(`tr[data-bill="${WATER}"]`)).toContainText('已缴');
  await expect(station.locator(`tr[data-bill="${POWER}"]`)).toContainText('已缴');
  // the household statement says by which card each bill was paid
  await expect(station.locator(`tr[data-bill="${WATER}"]`)).toContainText(`卡 ${UID}`);
  await station.goto(`${server.url}/station/close`);
  const expected = await station.getByTestId('expected').innerText();
  expect(fen(expected)).toBe(drawerBefore + 50_000);
  await station.getByLabel('实点现金（元）').fill(expected.replace(/[¥,]/g, ''));
  await station.getByRole('button', { name: '日结', exact: true }).click();
  await expect(station.getByText('今日已日结')).toBeVisible();
  await expect(station.locator('tr[data-day]').first()).toContainText('¥0.00');
});

test('online top-up: the kiosk shows the QR code, a phone pays on the checkout page, the kiosk shows the new balance', async ({
  browser,
}) => {
  // The second demo card (signage-server demo-payments.ts): ¥400 on it, nothing paid by the first test.
  const DEMO_CARD = '04B2C3D4E5F607';
  const page = await openPayScreen(browser);
  await tapCard(DEMO_CARD);
  await expect(page.getByTestId('pay-balance')).toHaveText('¥400.00');
  await page.getByTestId('pay-topup').tap();
  await expect(page.getByTestId('pay-topup-amount')).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  expect(await layoutProblems(page)).toEqual([]);
  await shoot(page, 'portrait-zh-topup-amount');
  await page.getByTestId('pay-topup-10000').tap();

  const qr = page.getByTestId('pay-topup-qr');
  await expect(qr).toBeVisible();
  await expect(qr).toContainText('请用手机扫码支付 ¥100.00');
  const checkoutUrl = await qr.getAttribute('data-url');
  expect(checkoutUrl).toMatch(new RegExp(`^${server.url}/sim-pay/T[0-9A-Z]+$`));
  expect(await axeViolations(page)).toEqual([]);
  expect(await layoutProblems(page)).toEqual([]);
  await shoot(page, 'portrait-zh-topup-qr');

  // The resident's phone opens what the QR code encodes and pays there, before any script of the page has run
  // (JavaScript off: the plain form post must work, Origin header and all).
  const phone = await (
    await browser.newContext({
      locale: 'zh-CN',
      viewport: { width: 390, height: 844 },
      hasTouch: true,
      javaScriptEnabled: false,
    })
  ).newPage();
  await phone.goto(checkoutUrl!);
  await expect(phone.getByTestId('sim-pay-amount')).toHaveText('¥100.00');
  await expect(phone.getByText('模拟支付')).toBeVisible();
  await shoot(phone, 'phone-zh-sim-pay');
  await phone.getByTestId('sim-pay-confirm').tap();
  await expect(phone.getByTestId('sim-pay-outcome')).toContainText('支付成功');

  // The kiosk notices by itself (it polls the order) and shows the new balance.
  await expect(page.getByTestId('pay-topup-done')).toBeVisible();
  await expect(page.getByTestId('pay-topup-done-amount')).toHaveText('已充值 ¥100.00');
  await expect(page.getByTestId('pay-balance')).toHaveText('¥500.00');
  expect(await axeViolations(page)).toEqual([]);
  await shoot(page, 'portrait-zh-topup-done');

  // Back to the bills: the card as the server has it now, and the top-up in its statement.
  await page.getByTestId('pay-topup-to-bills').tap();
  await expect(page.getByTestId('pay-balance')).toHaveText('¥500.00');
  await page.getByTestId('pay-statement').tap();
  await expect(page.getByTestId('pay-statement-line').first()).toContainText('在线充值');
  await expect(page.getByTestId('pay-statement-line').first()).toContainText('+¥100.00');

  // Paying the stale page again changes nothing.
  await phone.reload();
  await expect(phone.getByTestId('sim-pay-outcome')).toContainText('支付成功');

  // The same screens in English fit and pass axe too.
  await page.getByTestId('lang-switch').tap();
  await page.getByTestId('pay-statement-back').tap();
  await page.getByTestId('pay-topup').tap();
  await expect(page.getByTestId('pay-topup-amount')).toContainText('Choose an amount');
  expect(await layoutProblems(page)).toEqual([]);
  await page.getByTestId('pay-topup-5000').tap();
  await expect(page.getByTestId('pay-topup-qr')).toContainText('Scan with your phone to pay ¥50.00');
  expect(await axeViolations(page)).toEqual([]);
  expect(await layoutProblems(page)).toEqual([]);
  await shoot(page, 'portrait-en-topup-qr');
  await page.getByTestId('pay-topup-leave').tap();
  await expect(page.getByTestId('pay-balance')).toHaveText('¥500.00');
  await simulatePeripheralEvent(kiosk.url, {
    type: 'card-removed',
    at: new Date().toISOString(),
    reader: READER,
  });
  await expect(page.getByTestId('pay-tap-card')).toBeVisible();
});
