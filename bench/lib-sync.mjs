// Shared pieces of the sync benchmarks and of e2e/sync-trust.spec.ts: real image bytes, a content pack of many
// images, publishing through the CMS over plain HTTP (as a browser's form post does), and a small HTTP proxy that
// sits between a kiosk and the server, counts what passes and can misbehave on purpose.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';

// The kiosk's categories (content/src/categories.ts); plain node cannot import the TypeScript source.
const CATEGORIES = ['government', 'services', 'investment', 'guide', 'science', 'legal'];

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function pngChunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const sum = Buffer.alloc(4);
  sum.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, sum]);
}

/** A small deterministic pseudo-random generator (xorshift32), so a pack is the same bytes on every run. */
function generator(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/**
 * A valid PNG of about `bytes` bytes: noise pixels (incompressible, as photographs nearly are) stored with
 * deflate level 0, so the file size is what was asked for within a row. Any decoder shows it.
 */
export function noisePng(bytes, seed) {
  const width = 512;
  const height = Math.max(1, Math.round(bytes / (width * 3 + 1)));
  const next = generator(seed);
  const raw = Buffer.alloc(height * (1 + width * 3));
  for (let i = 0; i + 4 <= raw.length; i += 4) raw.writeUInt32LE(next(), i);
  for (let y = 0; y < height; y++) raw[y * (1 + width * 3)] = 0; // filter byte: none
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', zlib.deflateSync(raw, { level: 0 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

export const sha256Of = (bytes) => createHash('sha256').update(bytes).digest('hex');

/**
 * Writes a content pack of `count` images (`imagesPerItem` per zh-CN item) into `dir`: every `bigEvery`-th image is
 * 1 MiB, the rest vary between 40 and 440 KB. Returns the items with their images' hashes and the total size.
 */
export function writeImagePack(dir, { count = 300, imagesPerItem = 3, bigEvery = 6, seed = 1 } = {}) {
  fs.mkdirSync(path.join(dir, 'images'), { recursive: true });
  const next = generator(seed * 7919);
  const images = [];
  for (let i = 0; i < count; i++) {
    const size = i % bigEvery === 0 ? 1024 * 1024 : 40_000 + (next() % 400_000);
    const bytes = noisePng(size, seed * 100_003 + i);
    const file = `img-${String(i).padStart(3, '0')}.png`;
    fs.writeFileSync(path.join(dir, 'images', file), bytes);
    images.push({ file, sha256: sha256Of(bytes), size: bytes.length });
  }
  const items = [];
  const files = [];
  for (let start = 0, n = 0; start < images.length; start += imagesPerItem, n++) {
    const category = CATEGORIES[n % CATEGORIES.length];
    const id = `bench-${String(n).padStart(3, '0')}`;
    const own = images.slice(start, start + imagesPerItem);
    const title = `基准测试通知 ${n}`;
    const relative = `items/${category}/${id}.zh-CN.md`;
    fs.mkdirSync(path.join(dir, 'items', category), { recursive: true });
    const frontMatter = [
      '---',
      `id: ${id}`,
      `category: ${category}`,
      'locale: zh-CN',
      `title: ${title}`,
      `summary: 第 ${n} 条，带 ${own.length} 张图片。`,
      'images:',
      ...own.flatMap((image) => [`  - file: ../../images/${image.file}`, `    alt: 图片 ${image.file}`]),
      '---',
      '',
      `正文 ${n}。`,
      '',
    ].join('\n');
    fs.writeFileSync(path.join(dir, relative), frontMatter);
    files.push(relative);
    items.push({ id, category, title, images: own });
  }
  fs.writeFileSync(
    path.join(dir, 'pack.json'),
    JSON.stringify(
      {
        id: 'sync-bench',
        name: { 'zh-CN': '同步基准内容', en: 'Sync benchmark content' },
        version: '1',
        publishedAt: '2026-01-01T00:00:00.000Z',
        items: files,
      },
      null,
      2,
    ),
  );
  return { items, images, totalBytes: images.reduce((sum, image) => sum + image.size, 0) };
}

/** Signs in to the CMS (the login form) and returns a function that posts forms with the session cookie. */
export async function cmsSession(serverUrl, username, password) {
  const login = await fetch(`${serverUrl}/login`, {
    method: 'POST',
    redirect: 'manual',
    // `accept: text/html`, as a browser's form post: otherwise SvelteKit answers an action with JSON, not a redirect
    headers: {
      origin: serverUrl,
      accept: 'text/html',
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ username, password }),
  });
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  if (login.status !== 303 || !cookie) throw new Error(`CMS login failed: HTTP ${login.status}`);
  /** @param {string} pathAndQuery @param {FormData | URLSearchParams} form */
  return async (pathAndQuery, form) =>
    fetch(`${serverUrl}${pathAndQuery}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { origin: serverUrl, accept: 'text/html', cookie },
      body: form,
    });
}

/**
 * Creates a reviewer through the admin's users page and signs them in with a password of their own (the one-time
 * one must be changed first), as a second person: whoever writes a version cannot approve it.
 */
async function reviewerSession(serverUrl, adminPost, username) {
  const temporary = `temporary ${username} password`;
  const created = await adminPost(
    '/admin/users?/create',
    new URLSearchParams({ username, displayName: username, roles: 'reviewer', password: temporary }),
  );
  await created.arrayBuffer();
  if (created.status !== 200) throw new Error(`creating reviewer ${username} failed: HTTP ${created.status}`);
  const first = await cmsSession(serverUrl, username, temporary);
  const chosen = `${username} chosen password`;
  const changed = await first(
    '/account/password',
    new URLSearchParams({ currentPassword: temporary, newPassword: chosen, confirmPassword: chosen }),
  );
  await changed.arrayBuffer();
  if (changed.status !== 303) throw new Error(`${username} could not set a password: HTTP ${changed.status}`);
  return cmsSession(serverUrl, username, chosen);
}

/**
 * Publishes zh-CN items through the CMS forms, as the admin writes them: a new item when `id` is absent, else a new
 * version of item `id` whose images are `keep` (hashes already on the server) plus `image`. Where the CMS has a
 * review workflow (a Publish button no longer exists for the author), the admin submits and a reviewer, created on
 * first need, approves and publishes. `publish` resolves with the item's id once the last step was answered with
 * its redirect (PRG).
 * @param {string} serverUrl
 * @param {string} adminPassword
 */
export async function cmsPublisher(serverUrl, adminPassword) {
  const admin = await cmsSession(serverUrl, 'admin', adminPassword);
  /** @type {Awaited<ReturnType<typeof cmsSession>> | null} */
  let reviewer = null;
  // An empty form posted to the new-item page's Publish: refused as incomplete (nothing is written) where authors
  // publish, 404 where the CMS has a review workflow and no such action.
  const probe = await admin('/cms/items/new?/publish', new FormData());
  await probe.arrayBuffer();
  const reviewed = probe.status === 404;
  const itemOf = async (response, what) => {
    const location = response.headers.get('location') ?? '';
    const id = /\/cms\/items\/([^/]+)\/zh-CN/.exec(location)?.[1];
    if (response.status !== 303 || !id) {
      const text = await response.text();
      throw new Error(`${what} failed: HTTP ${response.status} ${text.slice(0, 300)}`);
    }
    await response.arrayBuffer().catch(() => {});
    return id;
  };
  /**
   * @param {{id?: string, category: string, title: string, summary?: string, body?: string, keep?: string[],
   *   remove?: string[], image?: Buffer}} item
   * @returns {Promise<string>}
   */
  const publish = async ({ id, category, title, summary = '', body = '', keep = [], remove = [], image }) => {
    const form = () => {
      const data = new FormData();
      if (id) data.set('id', id);
      data.set('locale', 'zh-CN');
      data.set('category', category);
      data.set('title', title);
      data.set('summary', summary);
      data.set('body', body);
      data.set('priority', '50');
      for (const sha of [...keep, ...remove]) {
        data.append('imageSha', sha);
        data.append('imageAlt', '');
      }
      for (const sha of remove) data.append('imageRemove', sha);
      if (image) {
        data.set('newImageAlt', '新图片');
        data.set('imageFile', new Blob([image], { type: 'image/png' }), 'image.png');
      }
      return data;
    };
    const page = id ? `/cms/items/${id}/zh-CN` : '/cms/items/new';
    if (!reviewed) return itemOf(await admin(`${page}?/publish`, form()), 'publishing');
    const submitted = await itemOf(await admin(`${page}?/submit`, form()), 'submitting for review');
    reviewer ??= await reviewerSession(serverUrl, admin, `sync-reviewer-${Date.now().toString(36)}`);
    return itemOf(
      await reviewer(`/cms/items/${submitted}/zh-CN?/approvePublish`, new URLSearchParams()),
      'approving and publishing',
    );
  };
  return { publish };
}

/**
 * @typedef {{method: string, path: string, range: string | null, status: number, bytes: number, cut: boolean,
 *   tampered: boolean}} ProxyLogEntry
 * @param {string} targetUrl
 * @returns {Promise<{url: string, faults: {manifest: 'body' | 'signature' | null, cutAssets: Set<string>},
 *   log: ProxyLogEntry[], dropEventStreams: () => void, bytesOf: (test: (path: string) => boolean) => number,
 *   stop: () => Promise<void>}>}
 */
export function startProxy(targetUrl) {
  const target = new URL(targetUrl);
  const agent = new http.Agent({ keepAlive: true });
  /** @type {{manifest: 'body' | 'signature' | null, cutAssets: Set<string>}} */
  const faults = {
    /** Change one byte of every 200 manifest (its body or its signature) on its way through. */
    manifest: null,
    /** Hashes of assets whose answers are cut after half of their body. */
    cutAssets: new Set(),
  };
  /** @type {ProxyLogEntry[]} */
  const log = [];
  const eventStreams = new Set();
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/api/v1/device/events') {
      eventStreams.add(res);
      res.on('close', () => eventStreams.delete(res));
    }
    const headers = { ...req.headers, host: target.host };
    const upstream = http.request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers, agent },
      (up) => {
        const entry = {
          method: req.method ?? 'GET',
          path,
          range: req.headers.range ?? null,
          status: up.statusCode ?? 0,
          bytes: 0,
          cut: false,
          tampered: false,
        };
        log.push(entry);
        const isManifest = path === '/api/v1/device/manifest';
        const asset = /^\/api\/v1\/assets\/([0-9a-f]{64})$/.exec(path)?.[1];
        if (isManifest && up.statusCode === 200 && faults.manifest) {
          const chunks = [];
          up.on('data', (chunk) => chunks.push(chunk));
          up.on('end', () => {
            const body = Buffer.concat(chunks);
            const outHeaders = { ...up.headers };
            if (faults.manifest === 'body') {
              const at = Math.floor(body.length / 2);
              body[at] ^= 0x01;
            } else {
              const signature = Buffer.from(String(outHeaders['x-linli-signature'] ?? ''), 'base64');
              if (signature.length > 0) signature[0] ^= 0x01;
              outHeaders['x-linli-signature'] = signature.toString('base64');
            }
            entry.tampered = true;
            entry.bytes = body.length;
            res.writeHead(up.statusCode ?? 502, outHeaders);
            res.end(body);
          });
          return;
        }
        res.writeHead(up.statusCode ?? 502, up.headers);
        const length = Number(up.headers['content-length'] ?? NaN);
        const cutAt = asset && faults.cutAssets.has(asset) && length > 1 ? Math.floor(length / 2) : null;
        up.on('data', (chunk) => {
          if (entry.cut) return;
          if (cutAt !== null && entry.bytes + chunk.length >= cutAt) {
            const part = chunk.subarray(0, cutAt - entry.bytes);
            entry.bytes += part.length;
            entry.cut = true;
            up.destroy();
            // FIN after the bytes: the kiosk sees a body that stops early, as when a network drops mid-file
            res.write(part, () => res.socket?.end());
            return;
          }
          entry.bytes += chunk.length;
          if (!res.write(chunk)) {
            up.pause();
            res.once('drain', () => up.resume());
          }
        });
        up.on('end', () => {
          if (!entry.cut) res.end();
        });
        up.on('error', () => res.destroy());
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({
        url: `http://127.0.0.1:${port}`,
        faults,
        log,
        /** Ends the open events streams: each kiosk reconnects, and its `hello` makes it sync at once. */
        dropEventStreams: () => {
          for (const res of eventStreams) res.destroy();
        },
        /** Body bytes of the requests whose path matches. */
        bytesOf: (test) => log.filter((e) => test(e.path)).reduce((sum, e) => sum + e.bytes, 0),
        stop: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
            agent.destroy();
          }),
      });
    });
  });
}
