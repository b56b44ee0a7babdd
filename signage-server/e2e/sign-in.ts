import type { Browser, Page } from '@playwright/test';

/**
 * A zh-CN browser page signed in as `admin` through the real login form, landed on `next` (the CMS, the station
 * or the admin pages: wherever a spec starts).
 */
export async function signInAsAdmin(
  browser: Browser,
  url: string,
  password: string,
  next: string,
): Promise<Page> {
  const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('用户名').fill('admin');
  await page.getByLabel('密码').fill(password);
  await page.getByRole('button', { name: '登录' }).click();
  await page.waitForURL((at) => at.pathname === next);
  return page;
}
