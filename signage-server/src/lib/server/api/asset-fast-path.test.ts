import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import fs from 'node:fs';
import { apiPaths, ASSET_BUNDLE_MAX_ASSETS, ASSET_BUNDLE_MEDIA_TYPE } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POST as bundleRoute } from '../../../routes/api/v1/assets/bundle/+server';
import { createTestSignage, listFiles, makeNoisePng, makePng } from '../testing/signage.fixture';
import { assetResponse } from './asset-response';

// The asset fast path (server.js, before SvelteKit) must answer exactly as the SvelteKit route does: both are
// compared here on the same requests, over real HTTP in process.
describe('asset fast path (real HTTP, in process)', () => {
  let signage: ReturnType<typeof createTestSignage>;
  let server: http.Server;
  let url: string;
  let auth: Record<string, string>;
  let png: Buffer;
  let sha: string;

  beforeEach(async () => {
    signage = createTestSignage();
    const code = signage.devices.createPairingCode({}, null);
    if (!code.ok) throw new Error('code');
    const enrolled = signage.devices.enroll(
      { pairingCode: code.value.code, name: 'k', platform: '', appVersion: '' },
      signage.keys.publicKeyBase64,
    );
    if (!enrolled.ok) throw new Error('enrol');
    auth = { authorization: `Bearer ${enrolled.value.credential}` };
    png = makePng(700, 500);
    sha = crypto.createHash('sha256').update(png).digest('hex');
    expect((await signage.assets.upload(png)).ok).toBe(true);
    server = http.createServer((req, res) => {
      if (signage.fastPath(req, res)) return;
      res.writeHead(418).end('fell through');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve));
    signage.cleanup();
  });

  const viaFastPath = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, { headers: { ...auth, ...headers } });
  const viaRoute = (headers: Record<string, string> = {}) =>
    assetResponse(signage.assets, sha, new Request(`http://test${apiPaths.asset(sha)}`, { headers }));

  it.each([
    ['whole file', {}],
    ['a range', { range: 'bytes=1000-70000' }],
    ['a suffix range', { range: 'bytes=-500' }],
    ['an unsatisfiable range', { range: `bytes=99999999-` }],
    ['a malformed range (ignored)', { range: 'bytes=x-y' }],
    ['a stale If-Range (whole file)', { range: 'bytes=0-9', 'if-range': '"other"' }],
    ['a matching If-None-Match', { 'if-none-match': '"SHA"' }],
  ])('%s: same status, headers and bytes as the SvelteKit route', async (_name, template) => {
    const headers = Object.fromEntries(
      Object.entries(template as Record<string, string>).map(([k, v]) => [k, v.replace('SHA', sha)]),
    );
    const fast = await viaFastPath(apiPaths.asset(sha), headers);
    const route = await viaRoute(headers);
    expect(fast.status).toBe(route.status);
    for (const name of [
      'content-type',
      'content-length',
      'content-range',
      'etag',
      'cache-control',
      'accept-ranges',
      'content-disposition',
      'x-content-type-options',
    ]) {
      // a web Response has no content-length for an error body until it is sent; the fast path sets one
      if (name === 'content-length' && route.headers.get(name) === null) continue;
      expect(fast.headers.get(name), name).toBe(route.headers.get(name));
    }
    expect(Buffer.from(await fast.arrayBuffer())).toEqual(Buffer.from(await route.arrayBuffer()));
  });

  it('sends the exact bytes of the file', async () => {
    const response = await viaFastPath(apiPaths.asset(sha));
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(png)).toBe(true);
  });

  it('refuses a missing or wrong credential with 401 and an unknown asset with 404', async () => {
    const anonymous = await fetch(`${url}${apiPaths.asset(sha)}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { kind: 'unauthorized' } });
    const forged = await fetch(`${url}${apiPaths.asset(sha)}`, {
      headers: { authorization: 'Bearer lds_nope' },
    });
    expect(forged.status).toBe(401);
    const unknown = await viaFastPath(apiPaths.asset('0'.repeat(64)));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { kind: 'not-found' } });
  });

  it('leaves everything that is not a well-formed asset GET to SvelteKit', async () => {
    for (const [method, path] of [
      ['POST', apiPaths.asset(sha)],
      ['GET', apiPaths.asset(sha.toUpperCase())],
      ['GET', apiPaths.asset('abc')],
      ['GET', `${apiPaths.asset(sha)}/x`],
      ['GET', apiPaths.asset('')],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method, headers: auth });
      expect(response.status, `${method} ${path}`).toBe(418);
    }
  });

  it('sends every byte right when large files go out at once to fast and slow readers (reused buffers)', async () => {
    // random pixels do not compress: each file spans several of the fast path's 512 KB reads
    const files = [makeNoisePng(2000, 1000), makeNoisePng(1800, 1100)];
    const hashes = files.map((bytes) => crypto.createHash('sha256').update(bytes).digest('hex'));
    for (const bytes of files) expect((await signage.assets.upload(bytes)).ok).toBe(true);
    expect(files.every((bytes) => bytes.length > 3 * 512 * 1024)).toBe(true);
    // a reader that stops for a while leaves the server's buffers queued on its socket; a buffer reused before
    // the socket had sent it would put another file's bytes into this one
    const download = (sha256: string, slow: boolean) =>
      new Promise<Buffer>((resolve, reject) => {
        http
          .get(`${url}${apiPaths.asset(sha256)}`, { headers: auth }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => {
              chunks.push(chunk);
              // a long stop first (the kernel's socket buffers fill up, then the server's writes queue), then
              // short ones
              if (slow && (chunks.length === 1 || chunks.length % 8 === 0)) {
                res.pause();
                setTimeout(() => res.resume(), chunks.length === 1 ? 150 : 10);
              }
            });
            res.on('end', () => resolve(Buffer.concat(chunks)));
            res.on('error', reject);
          })
          .on('error', reject);
      });
    const received = await Promise.all(
      hashes.flatMap((sha256) => [download(sha256, true), download(sha256, false)]),
    );
    received.forEach((bytes, i) =>
      expect(bytes.equals(files[Math.floor(i / 2)]!), `download ${i}`).toBe(true),
    );
    // a range across read boundaries
    const range = await viaFastPath(apiPaths.asset(hashes[0]!), { range: 'bytes=524000-1100000' });
    expect(range.status).toBe(206);
    expect(Buffer.from(await range.arrayBuffer()).equals(files[0]!.subarray(524000, 1100001))).toBe(true);
  });

  it('survives a client that goes away mid-download', async () => {
    const big = makePng(2000, 2000);
    const bigSha = crypto.createHash('sha256').update(big).digest('hex');
    expect((await signage.assets.upload(big)).ok).toBe(true);
    const controller = new AbortController();
    const response = await fetch(`${url}${apiPaths.asset(bigSha)}`, {
      headers: auth,
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    // the server keeps serving
    const after = await viaFastPath(apiPaths.asset(sha));
    expect(Buffer.from(await after.arrayBuffer()).equals(png)).toBe(true);
  });

  describe('bundles', () => {
    const bundle = (body: unknown, headers: Record<string, string> = auth) =>
      fetch(`${url}${apiPaths.assetBundle}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    // the SvelteKit route (runs without server.js), called as SvelteKit calls it
    const viaBundleRoute = (body: unknown) =>
      (bundleRoute as unknown as (event: unknown) => Promise<Response>)({
        request: new Request(`http://test${apiPaths.assetBundle}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: JSON.stringify(body),
        }),
        locals: { services: signage },
      });
    /** The frames of an answer: each header line's hash and size, then that many bytes. */
    const framesOf = (answer: Buffer) => {
      const frames: { sha256: string; bytes: Buffer }[] = [];
      for (let at = 0; at < answer.length;) {
        const newline = answer.indexOf(0x0a, at);
        const [sha256, size] = answer.subarray(at, newline).toString('latin1').split(' ');
        const end = newline + 1 + Number(size);
        frames.push({ sha256: sha256!, bytes: answer.subarray(newline + 1, end) });
        at = end;
      }
      return frames;
    };

    it('sends the assets held, in the order asked, and leaves unknown ones out; the route answers alike', async () => {
      const noise = makeNoisePng(1200, 800); // several 512 KB reads
      const noiseSha = crypto.createHash('sha256').update(noise).digest('hex');
      expect((await signage.assets.upload(noise)).ok).toBe(true);
      const asked = { sha256: [noiseSha, '0'.repeat(64), sha] };
      const response = await bundle(asked);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(ASSET_BUNDLE_MEDIA_TYPE);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const answer = Buffer.from(await response.arrayBuffer());
      expect(Number(response.headers.get('content-length'))).toBe(answer.length);
      const frames = framesOf(answer);
      expect(frames.map((frame) => frame.sha256)).toEqual([noiseSha, sha]);
      expect(frames[0]!.bytes.equals(noise)).toBe(true);
      expect(frames[1]!.bytes.equals(png)).toBe(true);

      const routed = await viaBundleRoute(asked);
      expect(routed.status).toBe(200);
      expect(routed.headers.get('content-length')).toBe(String(answer.length));
      expect(Buffer.from(await routed.arrayBuffer()).equals(answer)).toBe(true);
    });

    it('refuses a missing credential with 401 and a malformed request with 400 invalid-body', async () => {
      const anonymous = await bundle({ sha256: [sha] }, {});
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({ error: { kind: 'unauthorized' } });
      for (const body of [
        'not json',
        {},
        { sha256: [] },
        { sha256: [sha, sha] },
        { sha256: [sha.toUpperCase()] },
        { sha256: [sha], extra: 1 },
        {
          sha256: Array.from({ length: ASSET_BUNDLE_MAX_ASSETS + 1 }, (_, i) =>
            i.toString(16).padStart(64, '0'),
          ),
        },
      ]) {
        const refused = await bundle(body);
        expect(refused.status, JSON.stringify(body).slice(0, 80)).toBe(400);
        expect(await refused.json()).toMatchObject({ error: { kind: 'invalid-body' } });
        const routed = await viaBundleRoute(body);
        expect(routed.status).toBe(400);
      }
      const huge = await bundle({ sha256: [sha], pad: 'x'.repeat(100_000) });
      expect(huge.status).toBe(413);
      // only POST is a bundle: anything else goes on to SvelteKit (its route answers 405)
      const get = await fetch(`${url}${apiPaths.assetBundle}`, { headers: auth });
      expect(get.status).toBe(418);
    });

    it('cuts the answer when a file has gone from the store: the declared length is never met', async () => {
      const other = makePng(300, 200, [10, 200, 30]);
      const otherSha = crypto.createHash('sha256').update(other).digest('hex');
      expect((await signage.assets.upload(other)).ok).toBe(true);
      const file = listFiles(signage.dataDir).find((name) => name.endsWith(otherSha));
      fs.rmSync(`${signage.dataDir}/${file}`);
      const response = await bundle({ sha256: [sha, otherSha] });
      expect(response.status).toBe(200);
      await expect(response.arrayBuffer()).rejects.toThrow();
      // the server keeps serving
      const after = await viaFastPath(apiPaths.asset(sha));
      expect(Buffer.from(await after.arrayBuffer()).equals(png)).toBe(true);
    });

    it('survives a client that goes away mid-bundle', async () => {
      const big = makeNoisePng(1500, 1500);
      const bigSha = crypto.createHash('sha256').update(big).digest('hex');
      expect((await signage.assets.upload(big)).ok).toBe(true);
      const controller = new AbortController();
      const response = await fetch(`${url}${apiPaths.assetBundle}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({ sha256: [bigSha, sha] }),
        signal: controller.signal,
      });
      await response.body!.getReader().read();
      controller.abort();
      const after = await bundle({ sha256: [sha] });
      expect(framesOf(Buffer.from(await after.arrayBuffer()))[0]!.bytes.equals(png)).toBe(true);
    });
  });
});
