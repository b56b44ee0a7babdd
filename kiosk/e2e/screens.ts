import { expect, type Page } from '@playwright/test';

/** The main screens of the kiosk, as a resident reaches them. */
export type ScreenName = 'home' | 'category' | 'detail' | 'search' | 'session';

/** Taps keys of the on-screen keyboard. */
export async function tapKeys(page: Page, keys: string[]): Promise<void> {
  for (const key of keys) await page.locator(`[data-skbtn="${key}"]`).tap();
}

/** Switches the on-screen keyboard to a mode if it is not in it. */
async function keyboardMode(page: Page, mode: 'pinyin' | 'latin') {
  const keyboard = page.getByTestId('keyboard');
  if ((await keyboard.getAttribute('data-mode')) === mode) return;
  await page.locator(`[data-skbtn="${mode === 'pinyin' ? '{pinyin}' : '{abc}'}"]`).tap();
  await expect(keyboard).toHaveAttribute('data-mode', mode);
}

/**
 * Walks every main screen by touch only — home, a category list, a notice, search (typed on the on-screen
 * keyboard, in pinyin for Chinese), and the session banner of a card read — calling `visit` on each. Ends at home.
 * `showCard` puts a card on the (simulated) reader when the walk wants the session banner.
 */
export async function walkScreens(
  page: Page,
  locale: 'zh-CN' | 'en',
  visit: (screen: ScreenName) => Promise<void>,
  showCard?: () => Promise<void>,
): Promise<void> {
  await page.getByTestId('nav-home').tap();
  if ((await page.locator('html').getAttribute('lang')) !== locale)
    await page.getByTestId('lang-switch').tap();
  await expect(page.locator('html')).toHaveAttribute('lang', locale);
  await expect(page.getByTestId('tile-government')).toBeVisible();
  await visit('home');

  await page.getByTestId('tile-government').tap();
  await expect(page.getByTestId('item-heating-notice')).toBeVisible();
  await visit('category');

  await page.getByTestId('item-heating-notice').tap();
  await expect(page.getByTestId('detail-title')).toBeVisible();
  await expect(page.getByTestId('phone-qr')).toBeVisible();
  await visit('detail');

  await page.getByTestId('nav-search').tap();
  if (await page.getByTestId('search-clear').count()) await page.getByTestId('search-clear').tap();
  if (locale === 'zh-CN') {
    // 供暖 in pinyin: gong → 供, nuan → 暖.
    await keyboardMode(page, 'pinyin');
    await tapKeys(page, ['g', 'o', 'n', 'g']);
    await page.getByTestId('candidate').filter({ hasText: '供' }).tap();
    await tapKeys(page, ['n', 'u', 'a', 'n']);
    await page.getByTestId('candidate').filter({ hasText: '暖' }).tap();
    await expect(page.getByTestId('search-input')).toHaveValue('供暖');
  } else {
    await keyboardMode(page, 'latin');
    await tapKeys(page, ['h', 'e', 'a', 't']);
    await expect(page.getByTestId('search-input')).toHaveValue('heat');
  }
  await expect(page.getByTestId('result-heating-notice')).toBeVisible();
  await visit('search');

  if (showCard) {
    await page.getByTestId('nav-home').tap();
    await showCard();
    await expect(page.getByTestId('session-banner')).toBeVisible();
    await visit('session');
    await page.getByTestId('session-end').tap();
    await expect(page.getByTestId('session-banner')).toHaveCount(0);
  }
  await page.getByTestId('nav-home').tap();
}

/** Sets large-text and high-contrast modes by touch (the switches are on every screen). */
export async function setModes(page: Page, modes: { largeText: boolean; highContrast: boolean }) {
  for (const [testid, wanted] of [
    ['toggle-large-text', modes.largeText],
    ['toggle-contrast', modes.highContrast],
  ] as const) {
    const toggle = page.getByTestId(testid);
    if ((await toggle.getAttribute('aria-pressed')) !== String(wanted)) await toggle.tap();
    await expect(toggle).toHaveAttribute('aria-pressed', String(wanted));
  }
  const root = () =>
    page.evaluate(() => [
      document.documentElement.dataset.text ?? null,
      document.documentElement.dataset.contrast ?? null,
    ]);
  await expect.poll(root).toEqual([modes.largeText ? 'large' : null, modes.highContrast ? 'high' : null]);
}
