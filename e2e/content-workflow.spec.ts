// Issue 4, "Done when" 1, with real processes: an editor writes and submits a notice; the editor cannot publish or
// approve it (no button, and a forged POST is refused by the server); a reviewer approves and publishes it and a
// kiosk shows it; an edit becomes version 2 while version 1 stays on screen until v2 is approved; rolling back to
// version 1 (a new version, reviewed like any other) puts version 1's text back on the kiosk.
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';
import { signInNewUser } from '../signage-server/test/support/cms-users';
import { login } from '../signage-server/test/support/server-process';

type Server = Awaited<ReturnType<typeof startServer>>;
type Kiosk = Awaited<ReturnType<typeof startKiosk>>;

const ADMIN_PASSWORD = 'e2e-admin-password-2';
const id = `e2e-review-${Date.now().toString(36)}`;
const TITLE_V1 = `燃气安全检查 ${id.slice(-5)}`;
const TITLE_V2 = `燃气安全检查（改期）${id.slice(-5)}`;

/** A browser context signed in with a session cookie the server gave that user. */
async function signedIn(browser: Browser, url: string, cookie: string): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'zh-CN' });
  const [name, value] = cookie.split('=') as [string, string];
  await context.addCookies([{ name, value, url }]);
  return context;
}

test.describe
  .serial('review workflow: editor submits, reviewer publishes, rollback reaches the kiosk', () => {
  let work: string;
  let server: Server;
  let kiosk: Kiosk;
  let editor: Page;
  let reviewer: Page;
  let kioskPage: Page;
  const item = () => `${server.url}/cms/items/${id}/zh-CN`;

  /** The reviewer opens the item from the awaiting-review queue and approves and publishes it. */
  async function reviewAndPublish() {
    await reviewer.goto(`${server.url}/cms`);
    await reviewer
      .getByTestId('review-queue')
      .getByRole('link', { name: /燃气安全检查/ })
      .click();
    await reviewer.getByRole('button', { name: '批准并发布' }).click();
    await expect(reviewer.getByTestId('workflow-panel').locator('[data-state="published"]')).toBeVisible();
  }

  /** The kiosk's entry for the notice, in the government list (opened once; updates arrive without reload). */
  const kioskItem = () => kioskPage.getByTestId(`item-${id}`);

  test.beforeAll(async ({ browser }) => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-workflow-'));
    server = await startServer({
      dataDir: path.join(work, 'server'),
      env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD },
    });
    kiosk = await startKiosk({
      serverUrl: server.url,
      pairingCode: createPairingCode(server.dataDir),
      dataDir: path.join(work, 'kiosk'),
    });
    // the people of a street office, made through the users page as an admin makes them
    const admin = await login(server.url, 'admin', ADMIN_PASSWORD);
    editor = await (
      await signedIn(browser, server.url, await signInNewUser(server.url, admin, 'wang.editor', ['editor']))
    ).newPage();
    reviewer = await (
      await signedIn(browser, server.url, await signInNewUser(server.url, admin, 'li.reviewer', ['reviewer']))
    ).newPage();

    const context = await browser.newContext({
      viewport: { width: 1080, height: 1920 },
      hasTouch: true,
      locale: 'zh-CN',
    });
    kioskPage = await context.newPage();
    await kioskPage.goto(kiosk.url);
    await kioskPage.getByTestId('tile-government').tap();
    await expect(kioskPage.getByTestId('nav-home')).toBeVisible();
  });

  test.afterAll(async () => {
    await kiosk?.stop();
    await server?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  test('the editor writes and submits; they have no publish button and a forged POST is refused', async () => {
    await editor.goto(`${server.url}/cms/items/new`);
    await editor.getByLabel('编号').fill(id);
    await editor.getByLabel('栏目').selectOption('government');
    await editor.getByRole('textbox', { name: '标题', exact: true }).fill(TITLE_V1);
    await editor.getByLabel('正文', { exact: true }).fill('本周六上午入户检查燃气管道。\n请家中留人。');
    await expect(editor.getByRole('button', { name: '发布', exact: true })).toHaveCount(0);
    await editor.getByRole('button', { name: '保存并提交审核' }).click();
    await editor.waitForURL(item());

    const panel = editor.getByTestId('workflow-panel');
    await expect(panel.locator('[data-state="submitted"]')).toBeVisible();
    for (const name of ['批准并发布', '仅批准', '发布', '退回']) {
      await expect(editor.getByRole('button', { name, exact: true })).toHaveCount(0);
    }
    // the buttons are missing, and the server refuses the same requests made by hand
    for (const action of ['approvePublish', 'approve', 'publish']) {
      const forged = await editor.request.post(`${item()}?/${action}`, {
        headers: { origin: server.url, accept: 'text/html' },
        form: {},
        maxRedirects: 0,
      });
      expect(forged.status(), action).toBe(403);
    }
    await expect(panel.locator('[data-state="submitted"]')).toBeVisible();
    await expect(kioskItem()).toHaveCount(0);
  });

  test('the reviewer approves from the awaiting-review queue and the kiosk shows the notice', async () => {
    const started = Date.now();
    await reviewAndPublish();
    await expect(kioskItem()).toContainText(TITLE_V1, { timeout: 5_000 });
    console.log(`kiosk showed v1 ${Date.now() - started} ms after the reviewer's click`);
  });

  test('an edit is version 2; the kiosk keeps version 1 until version 2 is approved', async () => {
    await editor.goto(item());
    await editor.getByRole('textbox', { name: '标题', exact: true }).fill(TITLE_V2);
    await editor.getByRole('button', { name: '保存并提交审核' }).click();
    await expect(editor.getByTestId('workflow-panel')).toContainText('正在编辑第 2 版');
    await expect(editor.getByTestId('live-version')).toHaveText('屏幕上：第 1 版');
    // still version 1 on the kiosk (it has had every chance to change: the approval below changes it within 5 s)
    await expect(kioskItem()).toContainText(TITLE_V1);

    await reviewAndPublish();
    await expect(kioskItem()).toContainText(TITLE_V2, { timeout: 5_000 });
    // the history shows what version 2 changed
    await reviewer.goto(`${item()}?diff=2`);
    const diff = reviewer.getByTestId('version-diff');
    await expect(diff.locator('.removed', { hasText: TITLE_V1 })).toBeVisible();
    await expect(diff.locator('.added', { hasText: TITLE_V2 })).toBeVisible();
  });

  test('rolling back to version 1 is reviewed like any version and puts version 1 back on the kiosk', async () => {
    await editor.goto(item());
    await editor.getByTestId('version-1').getByRole('button', { name: '恢复此版本' }).click();
    await expect(editor.getByTestId('version-3')).toContainText('恢复自第 1 版');
    await expect(editor.getByTestId('workflow-panel').locator('[data-state="submitted"]')).toBeVisible();
    await expect(kioskItem()).toContainText(TITLE_V2);

    await reviewAndPublish();
    await expect(kioskItem()).toContainText(TITLE_V1, { timeout: 5_000 });
    await expect(reviewer.getByTestId('version-2').locator('[data-state="superseded"]')).toBeVisible();
  });
});
