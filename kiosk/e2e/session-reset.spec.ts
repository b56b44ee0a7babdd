import { expect, test } from '@playwright/test';
import { FakeSignageServer } from '../src/host/testing/fake-signage-server';
import { fixtureItem, publishFixtureContent } from '../src/host/testing/fixture-content';
import { makeTempDir } from '../src/host/testing/temp-dir';
import { axeViolations, connectKioskApi, layoutProblems, simulatePeripheralEvent } from './kiosk-checks';
import { startKioskProcess, type KioskProcess } from './kiosk-process';
import { tapKeys } from './screens';

// Issue 5, "Done when" 3 (first half): after the idle timeout the kiosk forgets everything personal — in the page
// (typed text, results, language and display modes, scroll positions, the card and ID banner) and in the host
// (card, document, speech) — and shows its attract loop until the next touch.

test.use({ viewport: { width: 1080, height: 1920 }, hasTouch: true });
test.describe.configure({ mode: 'serial' });

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
let kiosk: KioskProcess;

test.beforeAll(async () => {
  server = await FakeSignageServer.start();
  publishFixtureContent(server);
  // A list long enough to scroll.
  for (let n = 1; n <= 8; n++) {
    server.publish(
      fixtureItem(
        { id: `extra-${n}`, category: 'government' },
        'zh-CN',
        { title: `社区通知 ${n}`, summary: '请留意。', body: '' },
        { daysAgo: 3 + n },
      ),
    );
  }
  temp = makeTempDir('linli-kiosk-reset-');
  kiosk = await startKioskProcess([
    '--server',
    server.url,
    '--pairing-code',
    server.createPairingCode(),
    '--data-dir',
    temp.dir,
    '--idle-timeout',
    '5',
    '--simulate-peripherals',
  ]);
});

test.afterAll(async () => {
  await kiosk?.stop();
  await server?.stop();
  temp?.remove();
});

const at = () => new Date().toISOString();

test('after the idle timeout nothing personal remains, in the page or in the host', async ({ page }) => {
  await page.goto(kiosk.url);
  await expect(page.getByTestId('tile-government')).toBeVisible();
  // Without --dev-panel the panel is not there at all.
  await expect(page.getByTestId('dev-panel')).toHaveCount(0);

  // A resident: English, large text, high contrast, a scrolled list, a search, a card and an ID card read.
  await page.getByTestId('lang-switch').tap();
  await page.getByTestId('toggle-large-text').tap();
  await page.getByTestId('toggle-contrast').tap();
  await page.getByTestId('tile-government').tap();
  const list = page.locator('[data-scroll-key="category/government"]');
  await list.evaluate((element) => (element.scrollTop = 200));
  await page.getByTestId('item-heating-notice').tap();
  await page.getByTestId('nav-back').tap();
  // Back returns to the same place in the list (the position is remembered within a session)…
  await expect.poll(() => list.evaluate((element) => element.scrollTop)).toBeGreaterThan(100);
  await page.getByTestId('nav-search').tap();
  await page.locator('[data-skbtn="{abc}"]').tap();
  await tapKeys(page, ['h', 'e', 'a', 't']);
  await expect(page.getByTestId('result-heating-notice')).toBeVisible();
  await simulatePeripheralEvent(kiosk.url, {
    type: 'card-present',
    at: at(),
    reader: 'Linli Sim Reader',
    uid: '04A1B2C3D4E5F6',
    atr: null,
    technology: 'mifare-classic-1k',
  });
  await simulatePeripheralEvent(kiosk.url, {
    type: 'document',
    at: at(),
    reader: 'camera',
    kind: 'cn-id',
    fields: {
      name: { value: '张三丰', confidence: 0.99 },
      idNumber: { value: '11010519491231002X', confidence: 0.99 },
    },
    confidence: 0.99,
    valid: true,
    problems: [],
    source: { via: 'simulator', input: 'fields' },
  });
  await expect(page.getByTestId('session-card')).toContainText('04A1B2****E5F6');
  await expect(page.getByTestId('session-document')).toContainText('110105********002X');
  const host = await connectKioskApi(kiosk.url);
  try {
    const before = await host.api.getSession();
    expect(before.ok && before.value.card?.maskedUid).toBe('04A1B2****E5F6');

    // Hands off: the attract loop comes after the idle timeout (5 s here).
    await expect(page.getByTestId('attract')).toBeVisible({ timeout: 15_000 });
    await expect(page.getByTestId('attract')).toHaveAttribute('data-slide', /.+/);
    await expect
      .poll(() =>
        page.evaluate(() => [...document.images].every((image) => image.complete && image.naturalWidth > 0)),
      )
      .toBe(true);
    expect(await axeViolations(page)).toEqual([]);
    expect(await layoutProblems(page)).toEqual([]);

    // The page: nothing of the resident anywhere in the DOM, default language and look.
    const text = await page.evaluate(() => document.body.innerText);
    for (const personal of ['E5F6', '002X', '张', 'heat', 'Winter heating'])
      expect(text).not.toContain(personal);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.evaluate(() => ({ ...document.documentElement.dataset }))).toEqual({});

    // The host: the session is empty and numbered anew.
    const after = await host.api.getSession();
    expect(after).toMatchObject({
      ok: true,
      value: { card: null, document: null, barcode: null, speaking: false },
    });
    expect(after.ok && before.ok && after.value.sequence).toBeGreaterThan(
      before.ok ? before.value.sequence : 0,
    );
  } finally {
    host.close();
  }

  // A touch anywhere starts: home, in Chinese, with an empty search and lists from the top.
  await page.getByTestId('attract').tap();
  await expect(page.getByTestId('tile-government')).toContainText('政务信息');
  await expect(page.getByTestId('session-banner')).toHaveCount(0);
  await page.getByTestId('nav-search').tap();
  await expect(page.getByTestId('search-input')).toHaveValue('');
  await expect(page.locator('[data-testid^="result-"]')).toHaveCount(0);
  await expect(page.getByTestId('keyboard')).toHaveAttribute('data-mode', 'pinyin');
  await page.getByTestId('nav-home').tap();
  await page.getByTestId('tile-government').tap();
  await page.getByTestId('item-heating-notice').tap();
  await page.getByTestId('nav-back').tap();
  expect(await list.evaluate((element) => element.scrollTop)).toBe(0);
});

// Issue 3: the hidden dev panel (`--dev-panel`) drives the simulated readers through KioskApi; what they deliver
// reaches the session banner masked, exactly as from real hardware, and the reset forgets it.
test('the dev panel taps a card, scans an ID and a barcode, and the banner shows them masked', async ({
  page,
}) => {
  const devTemp = makeTempDir('linli-kiosk-dev-panel-');
  const devKiosk = await startKioskProcess([
    '--server',
    server.url,
    '--pairing-code',
    server.createPairingCode(),
    '--data-dir',
    devTemp.dir,
    '--dev-panel',
  ]);
  try {
    await page.goto(devKiosk.url);
    await expect(page.getByTestId('dev-panel')).toContainText('开发面板');
    await page.getByTestId('dev-tap').tap();
    await expect(page.getByTestId('session-card')).toContainText('04A1B2****E5F6');
    await page.getByTestId('dev-id').tap();
    await expect(page.getByTestId('session-document')).toContainText('110105********002X');
    await page.getByTestId('dev-barcode').tap();
    await expect(page.getByTestId('session-barcode')).toBeVisible();
    await page.getByTestId('dev-remove').tap();
    await expect(page.getByTestId('session-card')).toHaveCount(0);
    const text = await page.evaluate(() => document.body.innerText);
    expect(text).not.toContain('04A1B2C3D4E5F6');
    expect(await axeViolations(page)).toEqual([]);
    await page.getByTestId('session-end').tap();
    await expect(page.getByTestId('session-banner')).toHaveCount(0);
  } finally {
    await devKiosk.stop();
    devTemp.remove();
  }
});
