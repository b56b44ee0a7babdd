import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../src/lib/server/testing/signage.fixture';
import { startServerAsAdmin, type AdminServer } from './support/cms-http';
import { signInNewUser } from './support/cms-users';
import { BUILD_PRESENT, NO_BUILD_MESSAGE, type ServerProcess } from './support/server-process';

if (!BUILD_PRESENT) console.warn(`skipping media library HTTP tests: ${NO_BUILD_MESSAGE}`);

const VIDEO_LIMIT = 300 * 1024;
let running: AdminServer;
let server: ServerProcess;
let session: string;
let video: Buffer;

const sha = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');
/** Files in a store folder (its temp folder included: a refused upload must leave nothing there either). */
const filesIn = (folder: string) => {
  const dir = path.join(server.dataDir, folder);
  return fs.existsSync(dir)
    ? (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[])
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
        .sort()
    : [];
};

/** Posts the library's upload form like a browser without JavaScript (multipart, several files). */
async function upload(files: { name: string; bytes: Uint8Array }[]) {
  const form = new FormData();
  for (const file of files) form.append('files', new Blob([new Uint8Array(file.bytes)]), file.name);
  const response = await fetch(`${server.url}/cms/media?/upload`, {
    method: 'POST',
    headers: { origin: server.url, cookie: session, accept: 'text/html' },
    body: form,
    redirect: 'manual',
  });
  return { status: response.status, html: await response.text() };
}

const get = (p: string) => fetch(`${server.url}${p}`, { headers: { cookie: session, accept: 'text/html' } });
const post = (p: string) =>
  fetch(`${server.url}${p}`, {
    method: 'POST',
    headers: {
      origin: server.url,
      cookie: session,
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: '',
    redirect: 'manual',
  });

describe.skipIf(!BUILD_PRESENT)('media library (built server, real process)', () => {
  beforeAll(async () => {
    const clip = path.join(
      fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'linli-media-')),
      'clip.mp4',
    );
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=320x180:rate=10', '-t', '2'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', clip],
    ]);
    video = fs.readFileSync(clip);
    fs.rmSync(path.dirname(clip), { recursive: true });
    running = await startServerAsAdmin({ env: { LINLI_MAX_VIDEO_BYTES: String(VIDEO_LIMIT) } });
    ({ server, admin: session } = running);
  }, 60_000);
  afterAll(() => running?.stop());

  it('sends a visitor without a session to the login page', async () => {
    const response = await fetch(`${server.url}/cms/media`, { redirect: 'manual' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/login/);
  });

  it('lets a reviewer browse the library but not upload or delete', async () => {
    const reviewer = await signInNewUser(server.url, session, 'media-reviewer', ['reviewer']);
    const page = await fetch(`${server.url}/cms/media`, {
      headers: { cookie: reviewer, accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('媒体库');
    expect(html).not.toContain('data-testid="media-files"');
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(makePng())]), 'x.png');
    const refused = await fetch(`${server.url}/cms/media?/upload`, {
      method: 'POST',
      headers: { origin: server.url, cookie: reviewer, accept: 'text/html' },
      body: form,
      redirect: 'manual',
    });
    expect(refused.status).toBe(403);
    expect(filesIn('assets')).toEqual([]);
  });

  it('uploads several files in one plain form post, judged by their bytes, with thumbnail and poster', async () => {
    const png = makePng(64, 48, [20, 120, 200]);
    const exe = Buffer.concat([Buffer.from('MZ\x90\0\x03\0\0\0'), crypto.randomBytes(6000)]);
    const { status, html } = await upload([
      { name: '活动海报.png', bytes: png },
      { name: '宣传片.mp4', bytes: video },
      { name: 'invoice.jpg', bytes: exe },
    ]);
    expect(status).toBe(200);
    expect(html).toContain('已上传');
    expect(html).toContain('不支持的文件类型');
    expect(filesIn('assets')).toEqual(
      [png, video].map((bytes) => `${sha(bytes).slice(0, 2)}/${sha(bytes)}`).sort(),
    );

    const library = await (await get('/cms/media')).text();
    expect(library.match(/data-testid="media-tile"/g)).toHaveLength(2);
    expect(library).toContain('64×48');
    expect(library).toContain('▶ 0:02');

    const poster = await get(`/cms/media/${sha(video)}/preview`);
    expect(poster.status).toBe(200);
    expect(poster.headers.get('content-type')).toBe('image/webp');
    expect((await poster.arrayBuffer()).byteLength).toBeGreaterThan(100);
    const detail = await (await get(`/cms/media/${sha(video)}`)).text();
    expect(detail).toContain('320×180');
    expect(detail).toContain('h264');
  });

  it('says a second upload of the same bytes is already in the library, and keeps one asset', async () => {
    const png = makePng(64, 48, [20, 120, 200]);
    const { status, html } = await upload([{ name: 'copy.png', bytes: png }]);
    expect(status).toBe(200);
    expect(html).toContain('已在媒体库中');
    expect(filesIn('assets')).toHaveLength(2);
  });

  it('stops a video over its limit and stores nothing of it', async () => {
    const big = Buffer.concat([video, crypto.randomBytes(VIDEO_LIMIT)]);
    const { status, html } = await upload([{ name: 'long.mp4', bytes: big }]);
    expect(status).toBe(413);
    expect(html).toContain('文件太大：视频最大 300 KB');
    expect(filesIn('assets')).toHaveLength(2);
    expect(filesIn('asset-previews')).toHaveLength(2);
  });

  it("keeps the item editor's image upload (raw body) working through the same service", async () => {
    const png = makePng(10, 10, [1, 200, 1]);
    const send = (body: Uint8Array) =>
      fetch(`${server.url}/cms/assets`, {
        method: 'POST',
        headers: {
          origin: server.url,
          cookie: session,
          'content-type': 'application/octet-stream',
          'x-file-name': encodeURIComponent('图.png'),
        },
        body: new Uint8Array(body),
      });
    const created = await send(png);
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ sha256: sha(png), mime: 'image/png', duplicate: false });
    // the editor's field takes images only, even though the library takes videos
    expect((await send(video)).status).toBe(415);
  });

  it('refuses to delete an image a content item uses, listing the item; deletes an unused video', async () => {
    const png = makePng(64, 48, [20, 120, 200]);
    const db = new Database(path.join(server.dataDir, 'linli.db'));
    try {
      db.prepare(
        `INSERT INTO content_items (id, locale, category, title, images, status, created_at, updated_at)
         VALUES ('poster-notice', 'zh-CN', 'government', '社区活动通知', ?, 'draft', 'x', 'x')`,
      ).run(JSON.stringify([{ sha256: sha(png), alt: '海报' }]));
    } finally {
      db.close();
    }
    expect(await (await get('/cms/media')).text()).toContain('用于 1 个内容');

    const refused = await post(`/cms/media/${sha(png)}?/delete`);
    expect(refused.status).toBe(409);
    const page = await refused.text();
    expect(page).toContain('此文件仍在使用，不能删除');
    expect(page).toContain('社区活动通知');
    expect(filesIn('assets')).toContain(`${sha(png).slice(0, 2)}/${sha(png)}`);

    const deleted = await post(`/cms/media/${sha(video)}?/delete`);
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/cms/media');
    expect(filesIn('assets')).not.toContain(`${sha(video).slice(0, 2)}/${sha(video)}`);
    expect((await get(`/cms/media/${sha(video)}`)).status).toBe(404);
    const audit = new Database(path.join(server.dataDir, 'linli.db'), { readonly: true });
    try {
      expect(
        audit.prepare("SELECT actor, target FROM audit_log WHERE action = 'asset.delete'").all(),
      ).toEqual([{ actor: 'admin', target: sha(video) }]);
    } finally {
      audit.close();
    }
  });
});
