import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import { apiPaths, ASSET_BUNDLE_MEDIA_TYPE, AssetBundleRequestV1 } from '@linli/content';
import type { AssetReader, ByteRange } from '../assets/asset-store';
import type { AssetService } from '../assets/asset.service';
import type { DeviceService } from '../devices/device.service';
import type { ApiErrorKind } from '@linli/content';
import { API_JSON_HEADERS, apiErrorBody, MAX_JSON_BODY_BYTES, parseJsonText } from './api-error';
import { planAssetAnswer, planBundle } from './asset-response';
import { UNAUTHORIZED_MESSAGE } from './device-api';
import { readNodeBody } from './node-body';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The Node-level fast path for `GET /api/v1/assets/<sha256>` (server.js calls it before SvelteKit). A kiosk's cold
 * sync pulls hundreds of megabytes through here: piping the file to the socket skips SvelteKit's web-stream body,
 * which cost more per chunk than the copy itself (bench/sync-cold.mjs). Same answers as the SvelteKit route (both
 * use planAssetAnswer); anything that is not a well-formed asset GET returns false and goes to SvelteKit.
 * `POST /api/v1/assets/bundle` (many small assets in one answer, content/src/protocol/asset-bundle.schema.ts) is
 * answered here too, with the same buffers.
 */
export function createAssetFastPath(devices: DeviceService, assets: AssetService) {
  const prefix = apiPaths.asset('');
  return function assetFastPath(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method === 'POST' && req.url === apiPaths.assetBundle) {
      bundle(devices, assets, req, res).catch((error: unknown) => failed(res, error));
      return true;
    }
    if (req.method !== 'GET') return false;
    const url = req.url ?? '';
    if (!url.startsWith(prefix)) return false;
    const query = url.indexOf('?', prefix.length);
    const sha256 = url.slice(prefix.length, query === -1 ? undefined : query);
    if (!SHA256.test(sha256)) return false;

    try {
      const device = devices.authenticate(req.headers.authorization);
      if (!device) {
        sendError(res, 401, 'unauthorized', UNAUTHORIZED_MESSAGE, { 'www-authenticate': 'Bearer' });
        return true;
      }
      devices.touch(device);
      const answer = planAssetAnswer(assets, sha256, {
        ifNoneMatch: single(req.headers['if-none-match']),
        range: single(req.headers.range),
        ifRange: single(req.headers['if-range']),
      });
      switch (answer.kind) {
        case 'not-found':
          sendError(res, 404, 'not-found', 'no such asset');
          break;
        case 'not-modified':
          res.writeHead(304, answer.headers).end();
          break;
        case 'unsatisfiable':
          sendError(res, 416, 'range-not-satisfiable', `range not satisfiable for ${answer.size} bytes`, {
            'content-range': `bytes */${answer.size}`,
          });
          break;
        case 'bytes':
          void stream(res, assets, sha256, answer.status, answer.headers, answer.range ?? whole(answer.size));
          break;
      }
    } catch (error) {
      failed(res, error);
    }
    return true;
  };
}

async function stream(
  res: ServerResponse,
  assets: AssetService,
  sha256: string,
  status: number,
  headers: Record<string, string>,
  range: ByteRange,
): Promise<void> {
  try {
    const reader = await assets.openReader(sha256, range);
    if (!reader) {
      sendError(res, 404, 'not-found', 'no such asset');
      return;
    }
    try {
      res.writeHead(status, headers);
      await pump(reader, res, closedOf(res));
      if (!res.destroyed) res.end();
    } finally {
      await reader.close();
    }
  } catch (error) {
    // a kiosk that goes away mid-download is normal (it resumes with Range): only real failures are logged
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') failed(res, error);
  }
}

/** Bytes per read of an asset file being served. */
const CHUNK_BYTES = 512 * 1024;
/** Buffers kept for reuse between reads and between downloads: four kiosks syncing at once need about eight. */
const SPARE_BUFFERS = 16;
const spare: Buffer[] = [];

/**
 * Copies a file to the response through reused buffers: a buffer goes back to `spare` once the socket has taken
 * its bytes (the write callback). A fresh 512 KB buffer per read made a cold sync's 100+ MB pass through newly
 * mapped memory and, as external memory, set off full garbage collections of the whole server heap (bench/
 * sync-cold.mjs: the server's CPU per sync, profiled). Not `pipeline`: per chunk its stream plumbing cost more CPU
 * than the copy. Waits for the socket when it is full; stops when the kiosk goes away (it resumes with Range).
 */
async function pump(reader: AssetReader, res: ServerResponse, closed: Promise<unknown>): Promise<void> {
  for (;;) {
    const buffer = spare.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    const bytes = await reader.read(buffer);
    if (bytes === 0 || res.destroyed) {
      spare.push(buffer);
      break;
    }
    const written = res.write(bytes === buffer.length ? buffer : buffer.subarray(0, bytes), (error) => {
      // after an error the socket may still hold the buffer: let it go instead of reusing it
      if (!error && spare.length < SPARE_BUFFERS) spare.push(buffer);
    });
    if (!written) await Promise.race([once(res, 'drain'), closed]);
  }
}

/** Settles when the response closes (sent, or the client went away): one listener per answer, not per file. */
function closedOf(res: ServerResponse): Promise<unknown> {
  return once(res, 'close').catch(() => undefined);
}

/**
 * A bundle: the frames of the assets asked for that the store holds, in the order asked. The length is known from
 * the records, so the answer declares it; a file that turns out to be missing or short after the headers went out
 * cannot keep that promise, and the connection is cut (the kiosk fetches what it lacks one by one). The next file
 * is opened while the current one is sent, so a bundle of small files does not wait for an open per file.
 */
async function bundle(
  devices: DeviceService,
  assets: AssetService,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const device = devices.authenticate(req.headers.authorization);
  if (!device) {
    sendError(res, 401, 'unauthorized', UNAUTHORIZED_MESSAGE, { 'www-authenticate': 'Bearer' });
    req.resume();
    return;
  }
  devices.touch(device);
  const body = await readNodeBody(req, MAX_JSON_BODY_BYTES, () =>
    sendError(res, 413, 'payload-too-large', `the body may have at most ${MAX_JSON_BODY_BYTES} bytes`),
  );
  if (body === null) return;
  const parsed = parseJsonText(body.toString('utf8'), AssetBundleRequestV1);
  if (!parsed.ok) {
    const text = JSON.stringify(parsed.error);
    res.writeHead(400, { ...API_JSON_HEADERS, 'content-length': Buffer.byteLength(text) }).end(text);
    return;
  }
  const { frames, length } = planBundle(assets, parsed.value.sha256);
  res.writeHead(200, {
    'content-type': ASSET_BUNDLE_MEDIA_TYPE,
    'content-length': length,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  const closed = closedOf(res);
  const open = (index: number) => {
    const frame = frames[index];
    // an empty asset has nothing to read: no file to open
    if (!frame || frame.size === 0) return Promise.resolve(null);
    // a failure to open is the frame's own business, met when its turn comes
    const reader = assets.openReader(frame.sha256, whole(frame.size));
    reader.catch(() => undefined);
    return reader;
  };
  let next = open(0);
  try {
    for (let index = 0; index < frames.length && !res.destroyed; index++) {
      const frame = frames[index]!;
      const reader = await next.catch(() => null);
      next = open(index + 1);
      if (!reader && frame.size > 0) {
        console.error(`asset bundle: the file of ${frame.sha256} is missing; cutting the answer`);
        res.destroy();
        return;
      }
      res.write(frame.header, 'latin1');
      if (!reader) continue;
      try {
        await pump(reader, res, closed);
      } finally {
        await reader.close();
      }
    }
    if (!res.destroyed) res.end();
  } finally {
    // the client went away (or a file failed) with the next file already open
    const left = await next.catch(() => null);
    await left?.close();
  }
}

/** All of a file: the size comes from its record, so the file need not be asked (a `stat` per download). */
function whole(size: number): ByteRange {
  return { start: 0, end: size - 1 };
}

function single(value: string | string[] | undefined): string | null {
  return typeof value === 'string' ? value : null;
}

function sendError(
  res: ServerResponse,
  status: number,
  kind: ApiErrorKind,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify(apiErrorBody(kind, message));
  res
    .writeHead(status, { ...API_JSON_HEADERS, ...headers, 'content-length': Buffer.byteLength(body) })
    .end(body);
}

function failed(res: ServerResponse, error: unknown): void {
  // outside SvelteKit nothing else would catch this: answer like any other API error instead of crashing
  console.error('asset fast path failed', error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(res, 500, 'internal', 'internal error');
}
