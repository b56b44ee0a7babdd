import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { FakeSignageServer } from '../src/host/testing/fake-signage-server';
import { publishFixtureContent } from '../src/host/testing/fixture-content';
import { makeTempDir } from '../src/host/testing/temp-dir';
import { axeViolations, connectKioskApi, layoutProblems, simulatePeripheralEvent } from './kiosk-checks';
import { startKioskProcess, type KioskProcess } from './kiosk-process';
import { tapKeys } from './screens';

// Issue 6, the gate kiosk: a visitor consents, shows an ID (scanned, low-confidence OCR confirmed, or typed),
// names the unit, submits, and gets a pass, a polite no, or "please see the guard" — by touch, in a real kiosk
// process (gate mode) against the protocol test double, with axe on every new screen.

test.use({ viewport: { width: 1080, height: 1920 }, hasTouch: true });
test.describe.configure({ mode: 'serial' });

const ID_NUMBER = '11010519491231002X';

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
let kiosk: KioskProcess;
let printer: string;

test.beforeAll(async () => {
  server = await FakeSignageServer.start();
  publishFixtureContent(server);
  temp = makeTempDir('linli-kiosk-visitor-');
  printer = join(temp.dir, 'printer.bin');
  kiosk = await startKioskProcess([
    '--server',
    server.url,
    '--pairing-code',
    server.createPairingCode(),
    '--data-dir',
    join(temp.dir, 'data'),
    '--mode',
    'gate',
    '--simulate-peripherals',
    '--receipt-printer',
    printer,
  ]);
});

test.afterAll(async () => {
  await kiosk?.stop();
  await server?.stop();
  temp?.remove();
});

test.beforeEach(() => {
  server.visitors.watchList.clear();
  server.faults.visitorsDown = false;
});

/** Axe and the layout checks on the screen as it is now; with LINLI_VISITOR_SCREENSHOTS, also a picture. */
async function checkScreen(page: Page, name?: string) {
  expect(await axeViolations(page)).toEqual([]);
  expect(await layoutProblems(page)).toEqual([]);
  const folder = process.env.LINLI_VISITOR_SCREENSHOTS;
  if (folder && name) await page.screenshot({ path: join(folder, `portrait-zh-visitor-${name}.png`) });
}

async function startRegistration(page: Page, { check = false } = {}) {
  await page.goto(kiosk.url);
  await page.getByTestId('home-visitor').tap();
  await expect(page.getByTestId('visitor-consent')).toBeVisible();
  // The retention period the server states (the fake says 30 days), not a number baked into the text.
  await expect(page.getByTestId('visitor-retention')).toContainText('30 天');
  if (check) await checkScreen(page, 'consent');
  await page.getByTestId('visitor-agree').tap();
  await expect(page.getByTestId('visitor-identify')).toBeVisible();
  if (check) await checkScreen(page, 'identify');
}

async function scanId(
  fields: Record<string, { value: string; confidence: number }>,
  via: 'ocr' | 'simulator',
) {
  const low = Object.entries(fields).filter(([, field]) => field.confidence < 0.75);
  await simulatePeripheralEvent(kiosk.url, {
    type: 'document',
    at: new Date().toISOString(),
    reader: via === 'ocr' ? 'camera' : 'Linli ID Reader',
    kind: 'cn-id',
    fields,
    confidence: Math.min(...Object.values(fields).map((field) => field.confidence)),
    valid: low.length === 0,
    problems: low.map(([field]) => ({ kind: 'low-confidence', field, message: `${field} is uncertain` })),
    source: { via, input: via === 'ocr' ? 'camera-frame' : 'fields' },
  });
}

const goodId = () =>
  scanId(
    { name: { value: '张三丰', confidence: 0.99 }, idNumber: { value: ID_NUMBER, confidence: 0.99 } },
    'simulator',
  );

/** Building 2, unit 1201, the masked surname confirmed, a friend with one companion, a phone number; submit. */
async function whomAndSubmit(page: Page, { check = false } = {}) {
  await expect(page.getByTestId('visitor-whom')).toBeVisible();
  await page.getByTestId('visitor-building-b2').tap();
  await tapKeys(page, ['1', '2', '0', '1']);
  await page.getByTestId('visitor-find').tap();
  // Only the masked surname: the visitor never sees a resident's name.
  await expect(page.getByTestId('visitor-unit-found')).toContainText('王**');
  if (check) await checkScreen(page, 'whom');
  await page.getByTestId('visitor-yes').tap();
  await expect(page.getByTestId('visitor-details')).toBeVisible();
  await page.getByTestId('visitor-reason-friend').tap();
  await page.getByTestId('visitor-companions-more').tap();
  await expect(page.getByTestId('visitor-companions')).toHaveText('1');
  await tapKeys(page, [...'13812345678']);
  await expect(page.getByTestId('visitor-field-phone-value')).toHaveText('13812345678');
  if (check) await checkScreen(page, 'details');
  await page.getByTestId('visitor-submit').tap();
}

test('declining consent offers the guard, and Done forgets the visitor', async ({ page }) => {
  await page.goto(kiosk.url);
  await page.getByTestId('home-visitor').tap();
  await page.getByTestId('visitor-decline').tap();
  await expect(page.getByTestId('visitor-guard')).toContainText('请到门岗登记');
  await checkScreen(page);
  await page.getByTestId('visitor-done').tap();
  await expect(page.getByTestId('home-visitor')).toBeVisible();
  expect(server.visitors.visits.size).toBe(0);
});

test('a typed ID number that fails GB 11643 is refused before the visitor goes on', async ({ page }) => {
  await startRegistration(page, { check: true });
  await checkScreen(page);
  await page.getByTestId('visitor-manual').tap();
  // The name in pinyin: li → 李, si → 四.
  await tapKeys(page, ['l', 'i']);
  await page.getByTestId('candidate').filter({ hasText: '李' }).first().tap();
  await tapKeys(page, ['s', 'i']);
  await page.getByTestId('candidate').filter({ hasText: '四' }).first().tap();
  await expect(page.getByTestId('visitor-field-name-value')).toHaveText('李四');
  await page.getByTestId('visitor-field-idNumber').tap();
  await tapKeys(page, [...'110105194912310021']);
  await expect(page.getByTestId('visitor-field-idNumber-value')).toHaveText('110105194912310021');
  await checkScreen(page);
  await page.getByTestId('visitor-identity-next').tap();
  await expect(page.getByTestId('visitor-error')).toContainText('身份证号码有误');
  await expect(page.getByTestId('visitor-manual')).toBeVisible();
  // Corrected: the check character is X.
  await tapKeys(page, ['{bksp}', 'X']);
  await page.getByTestId('visitor-identity-next').tap();
  await expect(page.getByTestId('visitor-whom')).toBeVisible();
  await checkScreen(page);
});

test('low-confidence OCR fields are shown for confirmation and can be corrected', async ({ page }) => {
  await startRegistration(page);
  await scanId(
    {
      name: { value: '张三丰', confidence: 0.97 },
      idNumber: { value: '11010519491231002Y', confidence: 0.41 },
    },
    'ocr',
  );
  await expect(page.getByTestId('visitor-confirm')).toBeVisible();
  // The uncertain number is shown as read; the certain name stays masked.
  await expect(page.getByTestId('visitor-field-idNumber-value')).toHaveText('11010519491231002Y');
  await expect(page.getByTestId('visitor-confirm')).toContainText('张**');
  await expect(page.getByTestId('visitor-confirm')).not.toContainText('张三丰');
  await checkScreen(page);
  await page.getByTestId('visitor-identity-next').tap();
  await expect(page.getByTestId('visitor-error')).toContainText('身份证号码有误');
  await tapKeys(page, ['{bksp}', 'X']);
  await page.getByTestId('visitor-identity-next').tap();
  await whomAndSubmit(page);
  await expect(page.getByTestId('visitor-waiting')).toBeVisible();
  expect(server.latestVisit()!.registration.identity).toMatchObject({
    documentNumber: ID_NUMBER,
    source: 'ocr',
    name: '张三丰',
  });
});

test('a watch-list hit only says "please see the guard"', async ({ page }) => {
  server.visitors.watchList.add(ID_NUMBER);
  await startRegistration(page);
  await goodId();
  await whomAndSubmit(page);
  await expect(page.getByTestId('visitor-guard')).toContainText('请到门岗登记');
  const text = await page.evaluate(() => document.body.innerText);
  for (const hint of ['名单', 'watch', '拒绝', '原因']) expect(text).not.toContain(hint);
  await checkScreen(page);
});

test('the resident declines: a polite message', async ({ page }) => {
  await startRegistration(page);
  await goodId();
  await whomAndSubmit(page);
  await expect(page.getByTestId('visitor-waiting')).toContainText('已通知 王**');
  await checkScreen(page);
  server.decideVisit(server.latestVisit()!.registration.clientRef, 'declined');
  await expect(page.getByTestId('visitor-declined')).toContainText('很抱歉');
  await checkScreen(page);
});

test('the resident approves: the pass QR, doors and validity on screen, and printed', async ({ page }) => {
  const printedBefore = existsSync(printer) ? readFileSync(printer).length : 0;
  await startRegistration(page, { check: true });
  await goodId();
  await whomAndSubmit(page, { check: true });
  await expect(page.getByTestId('visitor-waiting')).toBeVisible();
  await checkScreen(page, 'waiting');
  const visit = server.latestVisit()!;
  expect(visit.registration.visit).toMatchObject({ buildingId: 'b2', unitNumber: '1201', companions: 1 });
  server.decideVisit(visit.registration.clientRef, 'approved');
  await expect(page.getByTestId('visitor-pass-qr')).toBeVisible();
  await expect(page.getByTestId('visitor-pass-qr')).toHaveAttribute('data-token', visit.pass!.token);
  await expect(page.getByTestId('visitor-pass-doors')).toHaveText('大门 · 2号楼');
  await expect(page.getByTestId('visitor-printed')).toBeVisible();
  const printed = readFileSync(printer);
  expect(printed.length).toBeGreaterThan(printedBefore);
  expect(printed.subarray(printedBefore).includes(Buffer.from(visit.pass!.token))).toBe(true);
  await checkScreen(page, 'pass');
  // The identity appears only masked (the session banner), never in full.
  const text = await page.evaluate(() => document.body.innerText);
  expect(text).not.toContain(ID_NUMBER);
  expect(text).not.toContain('张三丰');

  await page.getByTestId('visitor-done').tap();
  await expect(page.getByTestId('home-visitor')).toBeVisible();
  const host = await connectKioskApi(kiosk.url);
  try {
    expect(await host.api.visitorProgress()).toMatchObject({ ok: false, error: { kind: 'no-registration' } });
    expect(await host.api.getSession()).toMatchObject({ ok: true, value: { document: null } });
  } finally {
    host.close();
  }
});

test('with the server unreachable the visitor is sent to the guard and the outbox delivers later', async ({
  page,
}) => {
  const before = server.visitors.visits.size;
  await startRegistration(page);
  await goodId();
  await page.getByTestId('visitor-building-b2').tap();
  await tapKeys(page, ['1', '2', '0', '1']);
  await page.getByTestId('visitor-find').tap();
  await page.getByTestId('visitor-yes').tap();
  await page.getByTestId('visitor-reason-delivery').tap();
  await tapKeys(page, [...'13812345678']);
  // The server goes away between the last screen and the submit.
  server.faults.visitorsDown = true;
  await page.getByTestId('visitor-submit').tap();
  await expect(page.getByTestId('visitor-guard')).toContainText('请到门岗登记');
  server.faults.visitorsDown = false;
  await expect.poll(() => server.visitors.visits.size, { timeout: 30_000 }).toBe(before + 1);
  expect(server.latestVisit()!.registration).toMatchObject({ deferred: true, visit: { reason: 'delivery' } });
});
