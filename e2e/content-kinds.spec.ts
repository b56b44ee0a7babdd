// Issue 4, content types, with real processes: an editor uploads an image, a video (WebM + poster), a PDF and a map
// to the media library and writes one item of every kind through the CMS form; a reviewer publishes them; a kiosk
// shows each with content/'s components (the video muted with controls, the PDF paged by touch, the QR code drawn,
// the provider card rated by a resident, whose rating comes back in the manifest), and the CMS device preview
// shows them at 1080×1920 and 1920×1080. With LINLI_KIND_SCREENSHOTS=<dir> it saves a screenshot of each.
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  approveAndPublish,
  openKiosk,
  signInAs,
  startSystem,
  submitNewItem,
  type ItemInput,
  type System,
} from './support/system';

const SHOTS = process.env.LINLI_KIND_SCREENSHOTS;
const run = Date.now().toString(36);

/** A two-page PDF written by hand (pdf.js reads it like any other): one line of text per page. */
function makePdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R 5 0 R] /Count 2 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 7 0 R >> >> >>',
    null, // page 1 content
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R /Resources << /Font << /F1 7 0 R >> >> >>',
    null, // page 2 content
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  const stream = (text: string) => {
    const body = `BT /F1 36 Tf 72 700 Td (${text}) Tj ET`;
    return `<< /Length ${body.length} >>\nstream\n${body}\nendstream`;
  };
  objects[3] = stream('Page one: community rules');
  objects[5] = stream('Page two: opening hours');
  let pdf = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(pdf.length);
    pdf += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) pdf += `${String(offset).padStart(10, '0')} 00000 n \n`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}

/** Real media made with ffmpeg (the media library's own dependency), named by the sha256 of their bytes. */
function makeMedia(dir: string) {
  const ffmpeg = (...args: string[]) =>
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { cwd: dir });
  ffmpeg('-f', 'lavfi', '-i', 'testsrc2=size=960x540', '-frames:v', '1', 'image.png');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=800x450', '-frames:v', '1', 'map.png');
  ffmpeg('-f', 'lavfi', '-i', 'smptebars=size=640x360', '-frames:v', '1', 'poster.png');
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'testsrc2=size=640x360:rate=15',
    '-t',
    '2',
    '-c:v',
    'libvpx',
    '-b:v',
    '300k',
    '-an',
    'video.webm',
  );
  fs.writeFileSync(path.join(dir, 'doc.pdf'), makePdf());
  const file = (name: string, mimeType: string) => {
    const buffer = fs.readFileSync(path.join(dir, name));
    return { name, mimeType, buffer, sha256: crypto.createHash('sha256').update(buffer).digest('hex') };
  };
  return {
    image: file('image.png', 'image/png'),
    map: file('map.png', 'image/png'),
    poster: file('poster.png', 'image/png'),
    video: file('video.webm', 'video/webm'),
    pdf: file('doc.pdf', 'application/pdf'),
  };
}

test.describe
  .serial('content kinds: written in the CMS, shown by the same components on a kiosk and in the preview', () => {
  let system: System;
  let editor: Page;
  let reviewer: Page;
  let kioskPage: Page;
  let media: ReturnType<typeof makeMedia>;
  let items: ItemInput[];
  const url = () => system.server.url;

  test.beforeAll(async ({ browser }) => {
    system = await startSystem('kinds', { seedDemo: false });
    media = makeMedia(system.work);
    const cms = { viewport: { width: 1400, height: 1000 } };
    editor = await signInAs(browser, system, 'sun', ['editor'], cms);
    reviewer = await signInAs(browser, system, 'zhou', ['reviewer'], cms);
    kioskPage = await openKiosk(browser, system);
    if (SHOTS) fs.mkdirSync(SHOTS, { recursive: true });

    items = [
      {
        id: `image-${run}`,
        kind: 'image',
        category: 'culture-education',
        title: '社区书画展作品选登',
        fields: {
          'kf.image.image': media.image.sha256,
          'kf.image.alt': '测试图',
          'kf.image.caption': '书画展现场',
        },
      },
      {
        id: `video-${run}`,
        kind: 'video',
        category: 'science',
        title: '垃圾分类科普短片',
        fields: {
          'kf.video.video': media.video.sha256,
          'kf.video.poster': media.poster.sha256,
          'kf.video.caption': '两分钟看懂四分类',
        },
      },
      {
        id: `pdf-${run}`,
        kind: 'pdf',
        category: 'government',
        title: '居民公约（全文）',
        fields: { 'kf.pdf.pdf': media.pdf.sha256, 'kf.pdf.caption': '左右滑动翻页' },
      },
      {
        id: `ticker-${run}`,
        kind: 'ticker',
        category: 'services',
        title: '今日提示',
        fields: { 'kf.ticker.lines': '明日 9:00–12:00 3 号楼停水\n快递柜已迁至南门\n周六上午义诊' },
      },
      {
        id: `qr-${run}`,
        kind: 'qr',
        category: 'interaction',
        title: '网上议事厅报名',
        fields: { 'kf.qr.url': 'https://example.org/yishi?c=xingfuli', 'kf.qr.label': '扫码报名议事会' },
      },
      {
        id: `place-${run}`,
        kind: 'place',
        category: 'guide',
        title: '社区卫生服务站',
        fields: {
          'kf.place.name': '和平街道社区卫生服务站',
          'kf.place.placeKind': 'clinic',
          'kf.place.hours': '周一至周六 8:00–17:30',
          'kf.place.phone': '010-6123-4567',
          'kf.place.address': '幸福里 5 号楼底商',
          'kf.place.map': media.map.sha256,
        },
      },
      {
        id: `provider-${run}`,
        kind: 'provider',
        category: 'supervision',
        title: '物业保洁服务公示',
        fields: {
          'kf.provider.provider': '幸福里物业服务有限公司',
          'kf.provider.service': '楼道及公共区域保洁，每日两次',
          'kf.provider.contact': '010-6123-8800',
          'kf.provider.licence': '京物服 2026-0815',
        },
      },
    ];
  });

  test.afterAll(async () => {
    await system?.stop();
  });

  test('an editor uploads the media and writes one item of each kind; a reviewer publishes them', async () => {
    // seven items through two people's real forms: about 15 s on a quiet machine, more while other suites run
    test.setTimeout(150_000);
    const upload = await editor.request.post(`${url()}/cms/media?/upload`, {
      headers: { origin: url(), accept: 'application/json', 'x-sveltekit-action': 'true' },
      multipart: Object.fromEntries(
        Object.values(media).map((file, i) => [
          `file${i}`,
          { name: file.name, mimeType: file.mimeType, buffer: file.buffer },
        ]),
      ),
    });
    expect(upload.status(), await upload.text()).toBe(200);
    for (const item of items) {
      await submitNewItem(editor, system, item);
      await approveAndPublish(reviewer, system, item);
    }
  });

  test('the kiosk shows each kind with its component', async () => {
    for (const item of items) {
      await kioskPage.getByTestId('nav-home').tap();
      await kioskPage.getByTestId(`tile-${item.category}`).tap();
      await kioskPage.getByTestId(`item-${item.id}`).tap({ timeout: 10_000 });
      await expect(kioskPage.getByTestId('detail-title')).toHaveText(item.title);
      const view = kioskPage.locator(`[data-testid="kind-view"][data-kind="${item.kind}"]`);
      await expect(view).toBeVisible();
      switch (item.kind) {
        case 'image':
        case 'place': {
          const image = view.locator('img');
          await expect
            .poll(() => image.evaluate((img: HTMLImageElement) => img.naturalWidth))
            .toBeGreaterThan(0);
          break;
        }
        case 'video': {
          const video = view.locator('video');
          await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState)).toBeGreaterThan(0);
          expect(await video.evaluate((v: HTMLVideoElement) => [v.muted, v.controls, v.loop])).toEqual([
            true,
            true,
            false,
          ]);
          break;
        }
        case 'pdf': {
          const pdf = kioskPage.getByTestId('kind-pdf');
          await expect(pdf).toHaveAttribute('data-pages', '2', { timeout: 15_000 });
          await expect(kioskPage.getByTestId('pdf-page')).toHaveText('第 1 / 2 页');
          await kioskPage.getByTestId('pdf-next').tap();
          await expect(pdf).toHaveAttribute('data-page', '2');
          break;
        }
        case 'qr':
          await expect(kioskPage.getByTestId('kind-qr').locator('svg path')).toHaveAttribute('d', /^M/);
          break;
        case 'ticker':
          await expect(view).toContainText('快递柜已迁至南门');
          break;
        case 'provider':
          await expect(kioskPage.getByTestId('provider-rating')).toContainText('暂无评价');
          break;
      }
      if (SHOTS) await kioskPage.screenshot({ path: path.join(SHOTS, `kiosk-${item.kind}.png`) });
    }
  });

  test('a resident rates the provider; the average and count come back to the screen in the manifest', async () => {
    // the provider card is on screen from the last test
    await kioskPage.getByTestId('rate-4').tap();
    await expect(kioskPage.getByTestId('kind-provider').getByRole('status')).toHaveText('谢谢您的评价！');
    await expect(kioskPage.getByTestId('provider-rating')).toContainText('4.0 分 · 1 人评价', {
      timeout: 10_000,
    });
    if (SHOTS) await kioskPage.screenshot({ path: path.join(SHOTS, 'kiosk-provider-rated.png') });
  });

  test('the CMS device preview shows every kind at the device resolution, portrait and landscape', async () => {
    for (const item of items) {
      await editor.goto(`${url()}/cms/items/${item.id}/zh-CN`);
      await editor.getByTestId('open-preview').click();
      await expect(editor.getByTestId('preview-title')).toHaveText(item.title);
      const frame = editor.getByTestId('preview-frame');
      const box = (await frame.boundingBox())!;
      // 1080×1920 scaled to fit: the portrait aspect ratio is kept (the bezel adds 20 px each way)
      expect(Math.abs((box.width - 20) / (box.height - 20) - 1080 / 1920)).toBeLessThan(0.01);
      await expect(editor.locator(`[data-testid="kind-view"][data-kind="${item.kind}"]`)).toBeVisible();
      if (SHOTS)
        await editor.screenshot({ path: path.join(SHOTS, `preview-${item.kind}.png`), fullPage: true });
    }
    await editor.getByTestId('preview-landscape').click();
    await expect(editor.getByTestId('preview-frame')).toHaveAttribute('data-orientation', 'landscape');
    const box = (await editor.getByTestId('preview-frame').boundingBox())!;
    expect(Math.abs((box.width - 20) / (box.height - 20) - 1920 / 1080)).toBeLessThan(0.01);
    await expect(editor.getByTestId('provider-rating')).toContainText('4.0 分 · 1 人评价');
    if (SHOTS) await editor.screenshot({ path: path.join(SHOTS, 'preview-provider-landscape.png') });
  });
});
