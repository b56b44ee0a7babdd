// Signage slides are passive wherever they play. The touch kiosk's attract loop is one big button (a touch anywhere
// starts), so a PDF slide's page buttons or a notice's link inside it would be a control nested in a control (axe
// `nested-interactive`): a screen reader flattens it and a tap on it goes to the wrong one. With real processes: an
// editor publishes a two-page PDF and a notice with a link, puts both in the layout's main playlist; the idle kiosk
// plays them in its attract loop with nothing to press inside the button, the CMS preview shows them the same way,
// and the kiosk's detail screen still pages the PDF.
import { expect, test, type Page } from '@playwright/test';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPairingCode, startKiosk, startServer } from '../scripts/lib/processes.mjs';
import { login } from '../signage-server/test/support/server-process';
import { axeViolations } from '../kiosk/e2e/kiosk-checks';
import { approveAndPublish, signInAs, submitNewItem, type ItemInput, type System } from './support/system';

const run = Date.now().toString(36);
const ADMIN_PASSWORD = 'e2e-admin-password-passive';
/** What a control inside the attract button or a signage slide would be. */
const INTERACTIVE = 'button, a[href], input, select, textarea, video[controls], [tabindex]';

/** A PDF with one line of Helvetica text per page, written out by hand (pdf.js reads it like any other). */
function pdfOf(pages: readonly string[]): Buffer {
  const pageIds = pages.map((_, i) => 4 + i * 2);
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${pages.length} >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    ...pages.flatMap((text, i) => {
      const body = `BT /F1 36 Tf 72 700 Td (${text}) Tj ET`;
      return [
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents ${pageIds[i]! + 1} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
        `<< /Length ${body.length} >>\nstream\n${body}\nendstream`,
      ];
    }),
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((object, i) => {
    const offset = pdf.length;
    pdf += `${i + 1} 0 obj\n${object}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  pdf += offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join('');
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

test.describe.serial('signage slides are passive: attract loop, CMS preview', () => {
  let system: System;
  let editor: Page;
  let kioskPage: Page;
  let playlistPath: string;
  const pdfBytes = pdfOf(['Page one: house rules', 'Page two: opening hours']);
  const pdfItem: ItemInput = {
    id: `passive-pdf-${run}`,
    kind: 'pdf',
    category: 'government',
    title: '物业服务合同（全文）',
    fields: {
      'kf.pdf.pdf': crypto.createHash('sha256').update(pdfBytes).digest('hex'),
      'kf.pdf.caption': '共两页',
    },
  };
  const noticeItem: ItemInput = {
    id: `passive-notice-${run}`,
    kind: 'notice',
    category: 'services',
    title: '电梯年检通知',
    summary: '本周四全天检修',
    body: '检修安排详见[街道办事处网站](https://example.org/elevator)。',
    fields: {},
  };

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(150_000);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-e2e-passive-'));
    const server = await startServer({
      dataDir: path.join(work, 'server'),
      env: { LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD, LINLI_SEED_DEMO: 'false' },
    });
    // the touch kiosk goes to its attract loop after 10 s without a touch
    const kiosk = await startKiosk({
      serverUrl: server.url,
      pairingCode: createPairingCode(server.dataDir),
      dataDir: path.join(work, 'kiosk'),
      extraArgs: ['--name', 'Lobby touch', '--idle-timeout', '10'],
    }).catch(async (error: unknown) => {
      // a half-started system must not outlive the failed beforeAll
      await server.stop();
      throw error;
    });
    system = {
      work,
      server,
      admin: '',
      kiosk,
      async stop() {
        await kiosk.stop();
        await server.stop();
        fs.rmSync(work, { recursive: true, force: true });
      },
    };
    system.admin = await login(server.url, 'admin', ADMIN_PASSWORD);
    const cms = { viewport: { width: 1400, height: 1000 } };
    editor = await signInAs(browser, system, 'qian', ['editor'], cms);
    const reviewer = await signInAs(browser, system, 'zhao', ['reviewer'], cms);

    const upload = await editor.request.post(`${server.url}/cms/media?/upload`, {
      headers: { origin: server.url, accept: 'application/json', 'x-sveltekit-action': 'true' },
      multipart: { file0: { name: 'contract.pdf', mimeType: 'application/pdf', buffer: pdfBytes } },
    });
    expect(upload.status(), await upload.text()).toBe(200);
    for (const item of [pdfItem, noticeItem]) {
      await submitNewItem(editor, system, item);
      await approveAndPublish(reviewer, system, item);
    }

    // the lobby playlist (the PDF long enough for pdf.js to open it) in a full-screen layout for every screen
    await editor.goto(`${server.url}/cms/playlists`);
    await editor.getByLabel('名称').fill('大堂轮播');
    await editor.getByRole('button', { name: '创建' }).click();
    await expect(editor.getByTestId('playlist-empty')).toBeVisible();
    for (const [count, [title, seconds]] of [
      [pdfItem.title, '8'],
      [noticeItem.title, '4'],
    ].entries()) {
      const form = editor.getByTestId('add-entry');
      await form.getByLabel('内容条目或图片').selectOption({ label: title! });
      await form.getByLabel('时长（秒）').fill(seconds!);
      await form.getByRole('button', { name: '添加' }).click();
      await expect(editor.getByTestId('playlist-entry')).toHaveCount(count + 1);
    }
    playlistPath = new URL(editor.url()).pathname;
    await editor.goto(`${server.url}/cms/layouts`);
    await editor.getByLabel('名称').fill('大堂全屏');
    await editor.getByLabel('模板').selectOption('full');
    await editor.getByRole('button', { name: '创建' }).click();
    const form = editor.getByTestId('layout-form');
    await form.getByLabel('主区').selectOption({ label: '大堂轮播' });
    await form.getByRole('button', { name: '保存布局' }).click();
    await expect(editor.getByText('布局已保存，终端将立即更新。')).toBeVisible();

    kioskPage = await (
      await browser.newContext({ viewport: { width: 1080, height: 1920 }, hasTouch: true, locale: 'zh-CN' })
    ).newPage();
    await kioskPage.goto(system.kiosk.url);
  });

  test.afterAll(async () => {
    await system?.stop();
  });

  /**
   * Waits until `zone` shows the entry of `kind` (for a PDF: its page drawn) and returns what `check` found while
   * that one entry stayed on screen, so a check never reads half of one slide and half of the next.
   */
  async function whileShowing<T>(
    zone: ReturnType<Page['locator']>,
    kind: 'pdf' | 'notice',
    check: () => Promise<T>,
  ): Promise<T> {
    let found: T | undefined;
    await expect
      .poll(
        async () => {
          const sequence = await zone.getAttribute('data-sequence');
          if ((await zone.getAttribute('data-kind')) !== kind) return false;
          if (
            kind === 'pdf' &&
            (await zone.locator('[data-testid="kind-pdf"][data-pages="2"]').count()) === 0
          )
            return false;
          const result = await check();
          if ((await zone.getAttribute('data-sequence')) !== sequence) return false;
          found = result;
          return true;
        },
        { timeout: 30_000, intervals: [200] },
      )
      .toBe(true);
    return found!;
  }

  test('the attract loop plays a PDF and a linked notice with nothing to press inside its button', async () => {
    test.setTimeout(60_000);
    const attract = kioskPage.getByTestId('attract');
    const loop = kioskPage.getByTestId('attract-playlist').locator('[data-zone="attract"]');
    await expect(loop).toBeVisible({ timeout: 20_000 });

    const onPdf = await whileShowing(loop, 'pdf', async () => ({
      controls: await attract.locator(INTERACTIVE).count(),
      page: await loop.getByTestId('kind-pdf').getAttribute('data-page'),
      // the rule the attract screen broke: a control inside the whole-screen button
      nested: (await axeViolations(kioskPage)).filter((violation) =>
        violation.startsWith('nested-interactive'),
      ),
    }));
    expect(onPdf).toEqual({ controls: 0, page: '1', nested: [] });

    const onNotice = await whileShowing(loop, 'notice', async () => ({
      controls: await attract.locator(INTERACTIVE).count(),
      body: await loop.locator('.body').innerText(),
      nested: (await axeViolations(kioskPage)).filter((violation) =>
        violation.startsWith('nested-interactive'),
      ),
    }));
    // the link's text is still read, as plain text
    expect(onNotice).toEqual({ controls: 0, body: expect.stringContaining('街道办事处网站'), nested: [] });
  });

  test('the detail screen keeps its PDF pager', async () => {
    test.setTimeout(40_000);
    await kioskPage.getByTestId('attract').tap();
    await kioskPage.getByTestId(`tile-${pdfItem.category}`).tap();
    await kioskPage.getByTestId(`item-${pdfItem.id}`).tap({ timeout: 10_000 });
    const pdf = kioskPage.getByTestId('kind-pdf');
    await expect(pdf).toHaveAttribute('data-pages', '2', { timeout: 15_000 });
    await kioskPage.getByTestId('pdf-next').tap();
    await expect(pdf).toHaveAttribute('data-page', '2');
  });

  test('the CMS preview shows the same passive slides', async () => {
    test.setTimeout(40_000);
    await editor.goto(`${system.server.url}${playlistPath}`);
    await editor.getByTestId('signage-preview-link').click();
    await editor.waitForURL(/\/cms\/preview\/signage\/playlist\//);
    const preview = editor.getByTestId('signage-preview');
    const main = preview.locator('[data-zone="main"]');
    expect(await whileShowing(main, 'pdf', () => preview.locator(INTERACTIVE).count())).toBe(0);
    const notice = await whileShowing(main, 'notice', async () => ({
      controls: await preview.locator(INTERACTIVE).count(),
      body: await main.locator('.body').innerText(),
    }));
    expect(notice).toEqual({ controls: 0, body: expect.stringContaining('街道办事处网站') });
  });
});
