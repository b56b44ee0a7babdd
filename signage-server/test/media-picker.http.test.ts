import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../src/lib/server/testing/signage.fixture';
import type { PickerEntry } from '../src/lib/cms/asset-picker';
import { postForm, startServerAsAdmin, type AdminServer } from './support/cms-http';
import { signInNewUser } from './support/cms-users';
import { BUILD_PRESENT, NO_BUILD_MESSAGE } from './support/server-process';

// The content editor's asset picker reads GET /cms/media/picker (kind, search, a page of the newest files) from a
// real server process: who may read it, what each filter finds, the page bounds, and a 400 for a query it cannot read.

if (!BUILD_PRESENT) console.warn(`skipping media picker HTTP tests: ${NO_BUILD_MESSAGE}`);

interface PickerAnswer {
  entries: PickerEntry[];
  more: boolean;
}
interface PickerError {
  error: { kind: string; message: string; field: string };
}

let running: AdminServer;
let url: string;
let admin: string;
let editor: string;
const sha = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');

const images = {
  north: { name: 'lobby-north.png', bytes: makePng(40, 30, [200, 30, 30]) },
  south: { name: 'lobby-south.png', bytes: makePng(40, 30, [30, 200, 30]) },
  garden: { name: 'garden.png', bytes: makePng(40, 30, [30, 30, 200]) },
  percent: { name: 'discount-50%.png', bytes: makePng(40, 30, [120, 120, 20]) },
};
let video: { name: string; bytes: Buffer };

/** Uploads files through the library's own form, as a browser without JavaScript does. */
async function upload(files: { name: string; bytes: Uint8Array }[]) {
  const form = new FormData();
  for (const file of files) form.append('files', new Blob([new Uint8Array(file.bytes)]), file.name);
  const response = await fetch(`${url}/cms/media?/upload`, {
    method: 'POST',
    headers: { origin: url, cookie: admin, accept: 'text/html' },
    body: form,
    redirect: 'manual',
  });
  const html = await response.text();
  if (response.status !== 200 || !html.includes('已上传'))
    throw new Error(`upload failed: ${response.status}`);
}

const picker = (query: string, cookie = editor) =>
  fetch(`${url}/cms/media/picker${query}`, {
    headers: { cookie, accept: 'application/json' },
    redirect: 'manual',
  });

async function entries(query: string): Promise<PickerAnswer> {
  const response = await picker(query);
  expect(response.status, `${query}: ${response.status}`).toBe(200);
  expect(response.headers.get('cache-control')).toBe('no-store');
  return (await response.json()) as PickerAnswer;
}

async function refused(query: string): Promise<PickerError['error']> {
  const response = await picker(query);
  expect(response.status, query).toBe(400);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = (await response.json()) as PickerError;
  expect(body.error.kind).toBe('invalid-query');
  return body.error;
}

const names = (answer: PickerAnswer) => answer.entries.map((entry) => entry.name).sort();

describe.skipIf(!BUILD_PRESENT)('media picker endpoint (built server, real process)', () => {
  beforeAll(async () => {
    const clip = path.join(
      fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'linli-picker-')),
      'walk.mp4',
    );
    execFileSync('ffmpeg', [
      ...['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=size=160x90:rate=5', '-t', '1'],
      ...['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', clip],
    ]);
    video = { name: 'walkthrough.mp4', bytes: fs.readFileSync(clip) };
    fs.rmSync(path.dirname(clip), { recursive: true });
    running = await startServerAsAdmin();
    ({ admin } = running);
    url = running.server.url;
    await upload([...Object.values(images), video]);
    // the garden picture is found by its alt text too
    const edited = await postForm(url, admin, `/cms/media/${sha(images.garden.bytes)}?/edit`, {
      name: images.garden.name,
      altText: '小区花园喷泉',
    });
    expect(edited.status).toBe(303);
    editor = await signInNewUser(url, admin, 'picker-editor', ['editor']);
  }, 90_000);
  afterAll(() => running?.stop());

  it('refuses a visitor without a session, and roles that do not work on content', async () => {
    const signedOut = await fetch(`${url}/cms/media/picker`, { redirect: 'manual' });
    expect(signedOut.status).toBe(303);
    expect(signedOut.headers.get('location')).toMatch(/^\/login/);
    expect(await signedOut.text()).not.toContain(sha(images.north.bytes));
    for (const role of ['clerk', 'auditor']) {
      const session = await signInNewUser(url, admin, `picker-${role}`, [role]);
      const response = await picker('', session);
      expect(response.status, role).toBe(403);
      expect(await response.text()).not.toContain(sha(images.north.bytes));
    }
  });

  it('gives an editor every file, newest first, with only what the picker shows of each', async () => {
    const all = await entries('');
    expect(names(all)).toEqual([...Object.values(images), video].map((file) => file.name).sort());
    expect(all.more).toBe(false);
    const north = all.entries.find((entry) => entry.name === images.north.name)!;
    // no uploader, no path, no usage: the picker's own shape, nothing more
    expect(Object.keys(north).sort()).toEqual(
      ['altText', 'durationMs', 'hasPreview', 'height', 'kind', 'name', 'sha256', 'size', 'width'].sort(),
    );
    expect(north).toMatchObject({
      sha256: sha(images.north.bytes),
      kind: 'image',
      size: images.north.bytes.length,
      width: 40,
      height: 30,
      hasPreview: true,
    });
    // a reviewer works on content too and reads the same list
    const reviewer = await signInNewUser(url, admin, 'picker-reviewer', ['reviewer']);
    const asReviewer = (await (await picker('', reviewer)).json()) as PickerAnswer;
    expect(asReviewer.entries.map((entry) => entry.sha256)).toEqual(all.entries.map((entry) => entry.sha256));
  });

  it('filters by kind and searches names and alt text', async () => {
    const videos = await entries('?kind=video');
    expect(videos.entries).toHaveLength(1);
    expect(videos.entries[0]).toMatchObject({ name: video.name, kind: 'video', width: 160, height: 90 });
    expect(videos.entries[0]!.durationMs).toBeGreaterThan(500);
    expect(names(await entries('?kind=image'))).toEqual(
      Object.values(images)
        .map((file) => file.name)
        .sort(),
    );
    expect((await entries('?kind=pdf')).entries).toEqual([]);

    expect(names(await entries('?q=lobby'))).toEqual(['lobby-north.png', 'lobby-south.png']);
    expect(names(await entries(`?q=${encodeURIComponent('  lobby  ')}`))).toEqual([
      'lobby-north.png',
      'lobby-south.png',
    ]);
    expect(names(await entries(`?q=${encodeURIComponent('喷泉')}`))).toEqual(['garden.png']);
    // LIKE's wildcards are searched for as text
    expect(names(await entries(`?q=${encodeURIComponent('50%')}`))).toEqual(['discount-50%.png']);
    expect(names(await entries('?q=_'))).toEqual([]);
    expect((await entries('?kind=video&q=lobby')).entries).toEqual([]);
    // an empty search is no search
    expect((await entries('?q=&kind=image')).entries).toHaveLength(4);
  });

  it('pages through the list within its bounds', async () => {
    const all = (await entries('')).entries.map((entry) => entry.sha256);
    const pages: string[] = [];
    for (let offset = 0; ; offset += 2) {
      const page = await entries(`?limit=2&offset=${offset}`);
      pages.push(...page.entries.map((entry) => entry.sha256));
      expect(page.more).toBe(offset + 2 < all.length);
      if (!page.more) break;
    }
    expect(pages).toEqual(all);
    expect((await entries('?limit=1')).entries.map((entry) => entry.sha256)).toEqual(all.slice(0, 1));
    expect((await entries('?limit=120')).entries).toHaveLength(all.length);
    expect(await entries('?offset=500')).toEqual({ entries: [], more: false });

    for (const [query, field] of [
      ['?limit=0', 'limit'],
      ['?limit=121', 'limit'],
      ['?limit=', 'limit'],
      ['?limit=1.5', 'limit'],
      ['?limit=ten', 'limit'],
      ['?offset=-1', 'offset'],
      ['?offset=501', 'offset'],
    ] as const) {
      expect((await refused(query)).field, query).toBe(field);
    }
  });

  it('answers a query it cannot read with a 400 naming the parameter', async () => {
    const kind = await refused('?kind=audio');
    expect(kind.field).toBe('kind');
    expect(kind.message).toMatch(/^invalid query: kind /);
    expect((await refused(`?q=${'a'.repeat(101)}`)).field).toBe('q');
    expect((await refused('?kind=image&kind=video')).field).toBe('kind');
    const unknown = await refused('?sort=name');
    expect(unknown.message).toContain('sort');
  });
});
