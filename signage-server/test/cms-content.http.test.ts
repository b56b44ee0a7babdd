import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../src/lib/server/testing/signage.fixture';
import { startServerAsAdmin, type AdminServer } from './support/cms-http';
import { BUILD_PRESENT, NO_BUILD_MESSAGE, type ServerProcess } from './support/server-process';

if (!BUILD_PRESENT) console.warn(`skipping CMS content HTTP tests: ${NO_BUILD_MESSAGE}`);

let running: AdminServer;
let server: ServerProcess;
let session: string;

const storedAssets = () =>
  fs.existsSync(path.join(server.dataDir, 'assets'))
    ? (fs.readdirSync(path.join(server.dataDir, 'assets'), { recursive: true }) as string[]).filter((f) =>
        /[0-9a-f]{64}$/.test(f),
      )
    : [];

/** Posts the content form like a browser without JavaScript (multipart, so files can go along). */
async function submit(
  pathAndAction: string,
  fields: Record<string, string>,
  file?: { name: string; bytes: Uint8Array },
) {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  form.append('imageFile', file ? new Blob([new Uint8Array(file.bytes)]) : new Blob([]), file?.name ?? '');
  return fetch(`${server.url}${pathAndAction}`, {
    method: 'POST',
    headers: { origin: server.url, cookie: session, accept: 'text/html' },
    body: form,
    redirect: 'manual',
  });
}

const page = async (p: string) =>
  (await fetch(`${server.url}${p}`, { headers: { cookie: session, accept: 'text/html' } })).text();

describe.skipIf(!BUILD_PRESENT)('CMS content pages (built server, real process)', () => {
  beforeAll(async () => {
    running = await startServerAsAdmin();
    ({ server, admin: session } = running);
  }, 60_000);
  afterAll(() => running?.stop());

  it('re-renders a refused form with everything the editor typed and the errors in Chinese', async () => {
    const typed = {
      id: 'bad-one',
      locale: 'zh-CN',
      category: 'services',
      title: '   ',
      summary: '摘要保留',
      body: '## 正文保留\n\n一段很长的文字',
      validFrom: '2026-12-01T09:00',
      validUntil: 'not a date',
    };
    const response = await submit('/cms/items/new?/submit', typed);
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('摘要保留');
    expect(html).toContain('## 正文保留');
    expect(html).toContain('value="2026-12-01T09:00"');
    expect(html).toContain('请输入有效的日期和时间。');
    expect(html).toContain('请修改标红的字段后重试');
    expect(await page('/cms')).not.toContain('bad-one');
  });

  it('refuses a non-image in the form with 415, keeps the text and stores nothing', async () => {
    const before = storedAssets();
    const response = await submit(
      '/cms/items/new?/draft',
      { locale: 'zh-CN', category: 'legal', title: '保留的标题', body: '保留的正文' },
      { name: 'photo.png', bytes: Buffer.from('<svg onload="alert(1)"></svg>') },
    );
    expect(response.status).toBe(415);
    const html = await response.text();
    expect(html).toContain('保留的标题');
    expect(html).toContain('只能上传 PNG、JPEG、WebP 或 GIF 图片');
    expect(storedAssets()).toEqual(before);
  });

  it('submits with an image chosen in the form, then adds the English version beside it', async () => {
    const created = await submit(
      '/cms/items/new?/submit',
      {
        id: 'library-hours',
        locale: 'zh-CN',
        category: 'culture-education',
        title: '图书馆开放时间',
        newImageAlt: '阅览室',
      },
      { name: 'room.png', bytes: makePng(6, 4, [90, 60, 200]) },
    );
    expect(created.status).toBe(303);
    expect(created.headers.get('location')).toBe('/cms/items/library-hours/zh-CN');
    const edit = await page('/cms/items/library-hours/zh-CN');
    expect(edit).toMatch(/<img src="\/cms\/assets\/[0-9a-f]{64}" alt="阅览室"/);

    const translation = await page('/cms/items/library-hours/en');
    expect(translation).toContain('图书馆开放时间'); // the original, shown for reference
    const english = await submit('/cms/items/library-hours/en?/submit', {
      category: 'culture-education',
      title: 'Library opening hours',
      body: 'Open daily.',
    });
    expect(english.status).toBe(303);

    const list = await page('/cms?q=library');
    expect(list).toContain('图书馆开放时间');
    expect(list).toContain('Library opening hours');
  });

  it('refuses a save over a newer one, keeps the text, and lets a second save overwrite on purpose', async () => {
    await submit('/cms/items/new?/draft', { id: 'race', locale: 'zh-CN', category: 'guide', title: '初稿' });
    const stamp = /name="updatedAt" value="([^"]+)"/.exec(await page('/cms/items/race/zh-CN'))?.[1] ?? '';
    expect(stamp).not.toBe('');
    const first = await submit('/cms/items/race/zh-CN?/draft', {
      updatedAt: stamp,
      category: 'guide',
      title: '甲的修改',
    });
    expect(first.status).toBe(303);
    const second = await submit('/cms/items/race/zh-CN?/draft', {
      updatedAt: stamp,
      category: 'guide',
      title: '乙的修改',
    });
    expect(second.status).toBe(409);
    const html = await second.text();
    expect(html).toContain('乙的修改');
    expect(html).toContain('其他人刚刚保存了这条内容');
    const newStamp = /name="updatedAt" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const third = await submit('/cms/items/race/zh-CN?/draft', {
      updatedAt: newStamp,
      category: 'guide',
      title: '乙的修改',
    });
    expect(third.status).toBe(303);
    expect(await page('/cms/items/race/zh-CN')).toContain('乙的修改');
  });

  it('sends signed-out visitors to the login page', async () => {
    const response = await fetch(`${server.url}/cms`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login/);
  });
});
