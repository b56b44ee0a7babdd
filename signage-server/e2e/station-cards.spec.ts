// Issue 7, "Done when" 1 (station side), real processes: a clerk issues a card at the station console and tops it
// up with ¥500 in cash; bills for the household are imported; the resident pays two of them with the PIN through
// the device payment API (the kiosk's screens for it come in a later step); the card page, the bills and the
// daily close all agree.
import { expect, test } from '@playwright/test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPairingCode, enrollDevice, startServer } from '../../scripts/lib/processes.mjs';
import { signInAsAdmin } from './sign-in';

const ADMIN_PASSWORD = 'e2e-station-password';
const UID = `E2E${crypto.randomBytes(3).toString('hex').toUpperCase()}0`.slice(0, 10);

let server: Awaited<ReturnType<typeof startServer>>;
let dataDir: string;

test.beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-station-'));
  server = await startServer({ dataDir, env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD } });
});
test.afterAll(async () => {
  await server?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

test('a clerk issues a card and tops up ¥500; two bills paid with PIN; balances, bills and daily close agree', async ({
  browser,
}) => {
  const page = await signInAsAdmin(browser, server.url, ADMIN_PASSWORD, '/station');

  // the drawer before: the demo cards were topped up in cash at first start
  await page.goto(`${server.url}/station/close`);
  const expectedBefore = await page.getByTestId('expected').innerText();
  const fen = (text: string) => Number(text.replace(/[¥,.]/g, ''));

  // issue: find the household, pick the holder, bind the card and set the PIN
  await page.goto(`${server.url}/station`);
  await page.getByLabel('房屋（楼号/房号，如 1/0301）').fill('1/1-0502');
  await page.getByRole('button', { name: '查找住户' }).click();
  await page.getByLabel('卡号（读卡器读取或手工输入，十六进制）').fill(UID.toLowerCase());
  await page.getByLabel('支付密码（6 位数字）').fill('654321');
  await page.getByLabel('每日限额（元，可选）').fill('250');
  await page.getByRole('button', { name: '发卡' }).click();
  await page.waitForURL(/\/station\/cards\/[0-9a-f-]{36}$/);
  await expect(page.getByRole('heading', { name: `卡片 ${UID}` })).toBeVisible();
  await expect(page.getByText('¥250.00', { exact: true })).toBeVisible();
  await expect(page.getByTestId('balance')).toHaveText('¥0.00');

  // top up ¥500 in cash
  await page.getByLabel('金额（元）').fill('500');
  await page.getByRole('button', { name: '充值', exact: true }).click();
  await expect(page.getByTestId('balance')).toHaveText('¥500.00');

  // the utility's bills for the household (CSV, integer fen)
  const cardUrl = page.url();
  await page.goto(`${server.url}/station/bills`);
  await page.getByLabel('CSV 文件').setInputFiles({
    name: 'bills.csv',
    mimeType: 'text/csv',
    buffer: Buffer.from(
      'bill_id,building,unit,category,period,amount_fen,due_date\n' +
        `E2E-W-${UID},1,1-0502,water,2026-10,12000,2026-12-31\n` +
        `E2E-E-${UID},1,1-0502,electricity,2026-10,9000,2026-12-31\n`,
    ),
  });
  await page.getByRole('button', { name: '导入', exact: true }).click();
  await expect(page.getByText('已导入 2 张账单')).toBeVisible();

  // the resident pays both at a kiosk: ¥210 > ¥200, so with the PIN
  const { credential } = await enrollDevice(server.url, createPairingCode(dataDir), 'e2e-kiosk');
  const api = (p: string, body: unknown, key?: string) =>
    fetch(`${server.url}${p}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${credential}`,
        ...(key ? { 'idempotency-key': key } : {}),
      },
      body: JSON.stringify(body),
    });
  const card = await (await api('/api/v1/payments/card', { uid: UID })).json();
  expect(card.balance).toBe(50_000);
  expect(card.unpaidBills).toHaveLength(2);
  const billIds = card.unpaidBills.map((b: { id: string }) => b.id);
  const noPin = await api('/api/v1/payments/pay', { uid: UID, billIds }, crypto.randomUUID());
  expect((await noPin.json()).error.kind).toBe('pin-required');
  const paid = await api('/api/v1/payments/pay', { uid: UID, billIds, pin: '654321' }, crypto.randomUUID());
  expect(paid.status).toBe(200);
  expect((await paid.json()).balanceAfter).toBe(29_000);

  // the station sees the same: balance, both bills paid, the statement
  await page.goto(cardUrl);
  await expect(page.getByTestId('balance')).toHaveText('¥290.00');
  await expect(page.locator(`tr[data-bill="E2E-W-${UID}"]`)).toContainText('已缴');
  await expect(page.locator(`tr[data-bill="E2E-E-${UID}"]`)).toContainText('已缴');
  // the statement speaks the clerk's language: kinds and bill categories in Chinese, no English memo
  await expect(
    page.getByRole('cell', { name: /^缴费 · (水费|电费) 2026-10、(水费|电费) 2026-10$/ }),
  ).toBeVisible();
  await expect(page.getByRole('cell', { name: '现金充值', exact: true })).toBeVisible();
  await expect(page.getByRole('columnheader', { name: '摘要' })).toBeVisible();

  // the clerk lowers the card's daily limit; one out of range is refused with the reason
  const limit = page.getByLabel('新的每日限额（元，1–50,000）');
  await limit.fill('60000');
  await page.getByRole('button', { name: '修改限额' }).click();
  await expect(page.getByText('每日限额应在 ¥1 至 ¥50,000 之间')).toBeVisible();
  await limit.fill('300');
  await page.getByRole('button', { name: '修改限额' }).click();
  await expect(page.getByText('每日限额已改为 ¥300.00。')).toBeVisible();

  // daily close: the drawer holds what it held plus the ¥500 top-up; counting exactly that leaves no difference
  await page.goto(`${server.url}/station/close`);
  const expected = await page.getByTestId('expected').innerText();
  expect(fen(expected)).toBe(fen(expectedBefore) + 50_000);
  await page.getByLabel('实点现金（元）').fill(expected.replace(/[¥,]/g, ''));
  await page.getByRole('button', { name: '日结', exact: true }).click();
  await expect(page.getByText('今日已日结')).toBeVisible();
  await expect(page.locator('tr[data-day]').first()).toContainText('¥0.00');
  await page.context().close();
});
