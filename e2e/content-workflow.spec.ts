// Issue 4, "Done when" 1, with real processes: an editor writes and submits a notice; the editor cannot publish or
// approve it (no button, and a forged POST is refused by the server); a reviewer approves and publishes it and a
// kiosk shows it; an edit becomes version 2 while version 1 stays on screen until v2 is approved; rolling back to
// version 1 (a new version, reviewed like any other) puts version 1's text back on the kiosk. The same kiosk shows
// the items of other kinds that the demo pack, seeded at the server's first start, brings.
import { expect, test, type Page } from '@playwright/test';
import { approveAndPublish, openKiosk, signInAs, startSystem, type System } from './support/system';

const id = `e2e-review-${Date.now().toString(36)}`;
const TITLE_V1 = `燃气安全检查 ${id.slice(-5)}`;
const TITLE_V2 = `燃气安全检查（改期）${id.slice(-5)}`;

test.describe
  .serial('review workflow: editor submits, reviewer publishes, rollback reaches the kiosk', () => {
  let system: System;
  let editor: Page;
  let reviewer: Page;
  let kioskPage: Page;
  const url = () => system.server.url;
  const item = () => `${url()}/cms/items/${id}/zh-CN`;

  /** The reviewer opens the item from the awaiting-review queue and approves and publishes it. */
  const reviewAndPublish = () => approveAndPublish(reviewer, system, { fromQueue: /燃气安全检查/ });

  /** The kiosk's entry for the notice, in the government list (opened once; updates arrive without reload). */
  const kioskItem = () => kioskPage.getByTestId(`item-${id}`);

  test.beforeAll(async ({ browser }) => {
    system = await startSystem('workflow');
    // the people of a street office, made through the users page as an admin makes them
    editor = await signInAs(browser, system, 'wang.editor', ['editor']);
    reviewer = await signInAs(browser, system, 'li.reviewer', ['reviewer']);
    kioskPage = await openKiosk(browser, system);
    await kioskPage.getByTestId('tile-government').tap();
    await expect(kioskPage.getByTestId('nav-home')).toBeVisible();
  });

  test.afterAll(async () => {
    await system?.stop();
  });

  test('the editor writes and submits; they have no publish button and a forged POST is refused', async () => {
    await editor.goto(`${url()}/cms/items/new`);
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
        headers: { origin: url(), accept: 'text/html' },
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

  test('the demo pack seeded at first start shows its place, provider, ticker and QR items on the kiosk', async () => {
    const demo = [
      { category: 'guide', id: 'health-station-card', kind: 'place', text: '010-6231-5920' },
      {
        category: 'supervision',
        id: 'property-service-card',
        kind: 'provider',
        text: '安居物业服务有限公司',
      },
      { category: 'services', id: 'service-ticker', kind: 'ticker', text: '律师值班' },
      { category: 'interaction', id: 'suggestions-qr', kind: 'qr', text: '手机扫码，填写意见建议' },
    ];
    for (const item of demo) {
      await kioskPage.getByTestId('nav-home').tap();
      await kioskPage.getByTestId(`tile-${item.category}`).tap();
      await kioskPage.getByTestId(`item-${item.id}`).tap();
      const view = kioskPage.locator(`[data-testid="kind-view"][data-kind="${item.kind}"]`);
      await expect(view).toContainText(item.text);
    }
    // the last one: a QR code drawn for the pack's https address
    await expect(kioskPage.getByTestId('kind-qr')).toHaveAttribute(
      'data-url',
      'https://xingfuli.example.org/yijian',
    );
    await expect(kioskPage.getByTestId('kind-qr').locator('svg path')).toHaveAttribute('d', /^M/);
  });

  test('what the editor types while a save is on its way is still there when its answer comes', async () => {
    await editor.goto(item());
    const body = editor.getByLabel('正文', { exact: true });
    const updatedAt = editor.locator('input[name="updatedAt"]');
    const before = await updatedAt.inputValue();
    await body.fill('第一段：周六检查。');

    // the server's answer is held until the editor has typed on
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let sent = () => {};
    const posted = new Promise<void>((resolve) => (sent = resolve));
    const isDraftSave = (url: URL) => url.pathname.endsWith(`/${id}/zh-CN`) && url.search === '?/draft';
    await editor.route(isDraftSave, async (route) => {
      sent();
      await held;
      await route.continue();
    });
    await editor.getByRole('button', { name: '保存草稿' }).click();
    await posted;
    await body.press('End');
    await body.pressSequentially('第二段：请留人。');
    release();

    // the answer has re-created the form (a new updatedAt) and the later paragraph is still in it
    await expect(updatedAt).not.toHaveValue(before);
    await expect(body).toHaveValue('第一段：周六检查。第二段：请留人。');
    await editor.unroute(isDraftSave);

    // and it is the editor's to save: a second save stores it
    const first = await updatedAt.inputValue();
    await editor.getByRole('button', { name: '保存草稿' }).click();
    await expect(updatedAt).not.toHaveValue(first);
    await editor.reload();
    await expect(editor.getByLabel('正文', { exact: true })).toHaveValue(
      '第一段：周六检查。第二段：请留人。',
    );
  });
});
