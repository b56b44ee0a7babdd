import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditService } from '../audit/audit.service';
import { createTestEnvironment, listFiles, makePng, type TestEnvironment } from '../testing/signage.fixture';
import { AssetRepository } from './asset.repository';
import { AssetService } from './asset.service';
import { FsAssetStore } from './asset-store.fs';
import { LocalMediaProcessor } from './media-processor';
import { drainingChunks } from './upload-streams';

let env: TestEnvironment;
let assets: AssetService;
const KB = 1024;
const actor = { id: 'u-editor', username: 'editor' };
const dir = (name: string) => path.join(env.dataDir, name);
const rows = () => env.db.prepare('SELECT sha256, original_name FROM assets ORDER BY sha256').all();
const sha = (bytes: Uint8Array) => crypto.createHash('sha256').update(bytes).digest('hex');

beforeEach(() => {
  env = createTestEnvironment();
  assets = new AssetService(
    new AssetRepository(env.db),
    new FsAssetStore(dir('assets')),
    env.clock,
    { maxImageBytes: 256 * KB, maxVideoBytes: 512 * KB, maxPdfBytes: 64 * KB },
    {
      previews: new FsAssetStore(dir('asset-previews')),
      processor: new LocalMediaProcessor({ timeoutMs: 20_000 }),
      audit: new AuditService(env.db, env.clock),
    },
  );
});
afterEach(() => env.cleanup());

/** A real, tiny video made by ffmpeg (its test pattern), like an editor's upload. */
function makeVideo(format: 'mp4' | 'webm', seconds = 1): Buffer {
  const file = path.join(env.dataDir, `clip.${format}`);
  const codec = format === 'mp4' ? ['-c:v', 'libx264', '-pix_fmt', 'yuv420p'] : ['-c:v', 'libvpx-vp9'];
  execFileSync('ffmpeg', [
    ...['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10`, '-t', String(seconds)],
    ...codec,
    '-y',
    file,
  ]);
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  return bytes;
}

/** A one-page PDF, written by hand (pdftoppm draws it). */
const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 100]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);

/** A stream of `chunk`-sized pieces starting with `head`, counting what was pulled and whether it was closed. */
function endless(head: Buffer, chunk = 16 * KB) {
  const state = { pulled: 0, closed: false };
  async function* generate() {
    try {
      state.pulled += head.length;
      yield head;
      for (;;) {
        state.pulled += chunk;
        yield Buffer.alloc(chunk, 7);
      }
    } finally {
      state.closed = true;
    }
  }
  return { source: generate(), state };
}

const nothingStored = () => {
  expect(rows()).toEqual([]);
  expect(listFiles(dir('assets'))).toEqual([]);
  expect(listFiles(dir('asset-previews'))).toEqual([]);
};

describe('media upload: type by magic bytes', () => {
  it.each([
    [
      'a Windows program renamed photo.jpg',
      Buffer.concat([Buffer.from('MZ\x90\0\x03\0\0\0'), Buffer.alloc(8 * KB)]),
    ],
    [
      'an SVG (script-capable, refused by design)',
      Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
    ['an HTML page', Buffer.from('<!doctype html><script>alert(1)</script>')],
    ['a shell script', Buffer.from('#!/bin/sh\nrm -rf /\n')],
  ])('refuses %s and leaves nothing behind', async (_name, bytes) => {
    const result = await assets.ingest([bytes], { originalName: 'photo.jpg' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'unsupported-type' } });
    nothingStored();
  });

  it('stops reading a refused type after its first few kilobytes', async () => {
    const exe = endless(Buffer.concat([Buffer.from('MZ\x90\0'), Buffer.alloc(8 * KB)]));
    const result = await assets.ingest(exe.source, { originalName: 'setup.exe' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'unsupported-type' } });
    expect(exe.state.closed).toBe(true);
    expect(exe.state.pulled).toBeLessThanOrEqual(8 * KB + 8);
    nothingStored();
  });

  it('accepts only the kinds asked for (the item editor takes images only)', async () => {
    const result = await assets.ingest([PDF], { accept: ['image'] });
    expect(result).toMatchObject({ ok: false, error: { kind: 'unsupported-type' } });
    nothingStored();
  });
});

describe('media upload: size limits while streaming', () => {
  it('stops an oversized video at its limit without reading the rest', async () => {
    const head = makeVideo('mp4').subarray(0, 4 * KB);
    const video = endless(head);
    const result = await assets.ingest(video.source, { originalName: 'huge.mp4' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'file-too-large', mediaKind: 'video' } });
    expect(video.state.closed).toBe(true);
    expect(video.state.pulled).toBeLessThanOrEqual(512 * KB + 16 * KB);
    nothingStored();
  });

  it('applies each kind its own limit: a PDF over 64 KB is refused, an equal-sized video is not limited by it', async () => {
    const bigPdf = Buffer.concat([PDF, Buffer.alloc(70 * KB, 0x20)]);
    expect(await assets.ingest([bigPdf])).toMatchObject({
      ok: false,
      error: { kind: 'file-too-large', mediaKind: 'pdf' },
    });
    nothingStored();
  });

  it('drains the rest of a refused multipart file so the next part can be read', async () => {
    const { Readable } = await import('node:stream');
    const stream = Readable.from([Buffer.from('MZ\x90\0'), Buffer.alloc(8 * KB), Buffer.alloc(64 * KB)], {
      objectMode: false,
    });
    const ended = new Promise<void>((resolve) => stream.once('end', resolve));
    const result = await assets.ingest(drainingChunks(stream));
    expect(result).toMatchObject({ ok: false, error: { kind: 'unsupported-type' } });
    // read to its end (drained), not destroyed: a multipart parser waiting on this part moves on
    await ended;
    expect(stream.readableEnded).toBe(true);
    expect(stream.errored).toBeNull();
  });
});

describe('media upload: processing', () => {
  it('stores a video with its duration, size and codec, and a poster frame in the preview store', async () => {
    const mp4 = makeVideo('mp4');
    const result = await assets.ingest([mp4], { originalName: '宣传片.mp4', userId: 'u-editor' });
    if (!result.ok) throw new Error(result.error.message);
    expect(result.value).toMatchObject({
      sha256: sha(mp4),
      mime: 'video/mp4',
      width: 160,
      height: 120,
      codec: 'h264',
      originalName: '宣传片.mp4',
    });
    expect(result.value.durationMs).toBeGreaterThanOrEqual(900);
    expect(result.value.durationMs).toBeLessThanOrEqual(1100);
    const poster = await assets.openPreview(result.value.sha256);
    const chunks: Buffer[] = [];
    for await (const chunk of poster!.stream) chunks.push(chunk as Buffer);
    expect(await sharp(Buffer.concat(chunks)).metadata()).toMatchObject({
      format: 'webp',
      width: 160,
      height: 120,
    });
    expect(listFiles(dir('assets'))).toEqual([`${sha(mp4).slice(0, 2)}/${sha(mp4)}`]);
  });

  it('stores a WebM video and a PDF with a first-page thumbnail', async () => {
    const webm = await assets.ingest([makeVideo('webm')]);
    expect(webm).toMatchObject({ ok: true, value: { mime: 'video/webm', codec: 'vp9', width: 160 } });
    const pdf = await assets.ingest([PDF], { originalName: '通知.pdf' });
    expect(pdf).toMatchObject({ ok: true, value: { mime: 'application/pdf' } });
    expect(pdf.ok && pdf.value.previewSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a corrupt video with a clear error and writes nothing', async () => {
    const mp4 = makeVideo('mp4');
    // a real MP4 header, then noise: ffprobe finds no decodable video
    const corrupt = Buffer.concat([mp4.subarray(0, 32), crypto.randomBytes(6 * KB)]);
    const result = await assets.ingest([corrupt], { originalName: 'broken.mp4' });
    expect(result).toMatchObject({ ok: false, error: { kind: 'processing-failed', mediaKind: 'video' } });
    expect(result.ok ? '' : result.error.message).toMatch(/video/);
    nothingStored();
  });

  it('keeps one asset for equal bytes and says the second upload was already in the library', async () => {
    const png = makePng(8, 8, [1, 2, 3]);
    const first = await assets.ingest([png], { originalName: 'first.png', userId: 'a' });
    const second = await assets.ingest([png.subarray(0, 10), png.subarray(10)], {
      originalName: 'again.png',
    });
    expect(first).toMatchObject({ ok: true, duplicate: false, value: { width: 8, height: 8 } });
    expect(second).toMatchObject({ ok: true, duplicate: true, value: { originalName: 'first.png' } });
    expect(rows()).toEqual([{ sha256: sha(png), original_name: 'first.png' }]);
    expect(listFiles(dir('assets'))).toEqual([`${sha(png).slice(0, 2)}/${sha(png)}`]);
    expect(listFiles(dir('asset-previews'))).toHaveLength(1);
  });
});

describe('media library: usage, edit and safe delete', () => {
  const insertItem = (id: string, fields: { images?: string; body?: string; payload?: string }) =>
    env.db
      .prepare(
        `INSERT INTO content_items (id, locale, category, title, images, body, status, created_at, updated_at${
          fields.payload !== undefined ? ', payload' : ''
        }) VALUES (@id, 'zh-CN', 'government', @title, @images, @body, 'draft', 'x', 'x'${
          fields.payload !== undefined ? ', @payload' : ''
        })`,
      )
      .run({
        id,
        title: `标题 ${id}`,
        images: fields.images ?? '[]',
        body: fields.body ?? '',
        payload: fields.payload,
      });

  it('finds an asset in images, in a Markdown body and in a payload column, and refuses to delete it', async () => {
    const png = makePng(4, 4, [9, 9, 9]);
    const stored = await assets.ingest([png], { originalName: 'logo.png' });
    if (!stored.ok) throw new Error('upload failed');
    const hash = stored.value.sha256;
    const hasPayload = (env.db.pragma('table_info(content_items)') as { name: string }[]).some(
      (c) => c.name === 'payload',
    );
    // content types add this column in their own migration; the usage query must find refs there too
    if (!hasPayload) env.db.exec(`ALTER TABLE content_items ADD COLUMN payload TEXT NOT NULL DEFAULT '{}'`);
    insertItem('with-image', { images: JSON.stringify([{ sha256: hash, alt: '' }]) });
    insertItem('in-body', { body: `看图 ![logo](asset:${hash})` });
    insertItem('in-payload', { payload: JSON.stringify({ kind: 'video', posterSha256: hash }) });
    insertItem('unrelated', { body: 'a'.repeat(64) });

    expect(assets.usage(hash).map((user) => user.id)).toEqual(['in-body', 'in-payload', 'with-image']);
    expect(assets.library({}).find((entry) => entry.sha256 === hash)?.usageCount).toBe(3);

    const refused = await assets.delete(hash, actor);
    expect(refused).toMatchObject({ ok: false, reason: 'in-use' });
    expect(refused.ok === false && refused.reason === 'in-use' && refused.users).toHaveLength(3);
    expect(assets.get(hash)).not.toBeNull();
    expect(listFiles(dir('assets'))).toHaveLength(1);
  });

  it('an asset the published version still shows is in use, though the working draft dropped it', async () => {
    const png = makePng(4, 4, [7, 8, 9]);
    const stored = await assets.ingest([png], { originalName: 'live.png' });
    if (!stored.ok) throw new Error('upload failed');
    const hash = stored.value.sha256;
    insertItem('live', {});
    const snapshot = (state: string, images: string) =>
      env.db
        .prepare(
          `INSERT INTO content_versions (id, locale, version, state, snapshot, created_at, updated_at)
           VALUES ('live', 'zh-CN', @version, @state, @snapshot, 'x', 'x')`,
        )
        .run({
          version: state === 'published' ? 1 : 2,
          state,
          snapshot: JSON.stringify({ id: 'live', images }),
        });
    // version 1 is on screens with the image; version 2, the working draft, has none
    snapshot('published', JSON.stringify([{ sha256: hash, alt: '' }]));
    snapshot('draft', '[]');
    expect(assets.usage(hash).map((user) => user.id)).toEqual(['live']);
    expect(assets.library({}).find((entry) => entry.sha256 === hash)?.usageCount).toBe(1);
    expect(await assets.delete(hash, actor)).toMatchObject({ ok: false, reason: 'in-use' });

    // once that version is superseded (a newer one without the image went live), the image is free
    env.db.prepare("UPDATE content_versions SET state = 'superseded' WHERE version = 1").run();
    expect(assets.usage(hash)).toEqual([]);
    expect(await assets.delete(hash, actor)).toEqual({ ok: true });
  });

  it('deletes an unused asset: row, bytes and preview, audited', async () => {
    const stored = await assets.ingest([makePng(5, 5, [1, 1, 1])], { originalName: 'old.png' });
    if (!stored.ok) throw new Error('upload failed');
    expect(await assets.delete(stored.value.sha256, actor)).toEqual({ ok: true });
    nothingStored();
    expect(env.db.prepare("SELECT actor, target FROM audit_log WHERE action = 'asset.delete'").all()).toEqual(
      [{ actor: 'editor', target: stored.value.sha256 }],
    );
    expect(await assets.delete(stored.value.sha256, actor)).toEqual({ ok: false, reason: 'not-found' });
  });

  it('renames and sets alt text, audited; filters the library by kind and name', async () => {
    const image = await assets.ingest([makePng(3, 3, [5, 5, 5])], { originalName: 'IMG_0001.png' });
    await assets.ingest([PDF], { originalName: '停水通知.pdf' });
    if (!image.ok) throw new Error('upload failed');
    expect(assets.edit(image.value.sha256, { name: '社区活动 50%', altText: '居民在广场' }, actor)).toBe(
      true,
    );
    expect(assets.get(image.value.sha256)).toMatchObject({
      originalName: '社区活动 50%',
      altText: '居民在广场',
    });
    expect(assets.library({ kind: 'pdf' }).map((e) => e.originalName)).toEqual(['停水通知.pdf']);
    expect(assets.library({ q: '50%' }).map((e) => e.originalName)).toEqual(['社区活动 50%']);
    expect(assets.library({ q: '5_%' })).toEqual([]);
    expect(assets.library({ q: '广场' })).toHaveLength(1);
    expect(env.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'asset.edit'").get()).toEqual({
      n: 1,
    });
  });
});

describe('upload temp files', () => {
  it('removes uploads a crash left behind a day ago, and keeps a fresh one (another process may be receiving it)', () => {
    const tmp = dir('assets/tmp');
    const stale = path.join(tmp, 'upload-stale');
    const fresh = path.join(tmp, 'upload-fresh');
    fs.writeFileSync(stale, 'x');
    fs.writeFileSync(fresh, 'y');
    const dayAndMinuteAgo = new Date(Date.now() - (24 * 60 + 1) * 60 * 1000);
    fs.utimesSync(stale, dayAndMinuteAgo, dayAndMinuteAgo);
    new FsAssetStore(dir('assets'));
    expect(fs.readdirSync(tmp)).toEqual(['upload-fresh']);
  });
});

describe('media library messages', () => {
  it('has every key in zh-CN and English, none empty', async () => {
    const { media } = await import('../../i18n/messages/media');
    expect(Object.keys(media.en).sort()).toEqual(Object.keys(media['zh-CN']).sort());
    for (const locale of ['zh-CN', 'en'] as const)
      for (const [key, text] of Object.entries(media[locale]))
        expect(text.trim(), `${locale} ${key}`).not.toBe('');
  });
});
