import type { IncomingMessage, ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { apiPaths } from '@linli/content';
import type { AssetService } from '../assets/asset.service';
import type { DeviceService } from '../devices/device.service';
import type { ApiErrorKind } from '@linli/content';
import { API_JSON_HEADERS, apiErrorBody } from './api-error';
import { planAssetAnswer } from './asset-response';
import { UNAUTHORIZED_MESSAGE } from './device-api';

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * The Node-level fast path for `GET /api/v1/assets/<sha256>` (server.js calls it before SvelteKit). A kiosk's cold
 * sync pulls hundreds of megabytes through here: piping the file to the socket skips SvelteKit's web-stream body,
 * which cost more per chunk than the copy itself (bench/sync-cold.mjs). Same answers as the SvelteKit route (both
 * use planAssetAnswer); anything that is not a well-formed asset GET returns false and goes to SvelteKit.
 */
export function createAssetFastPath(devices: DeviceService, assets: AssetService) {
  const prefix = apiPaths.asset('');
  return function assetFastPath(req: IncomingMessage, res: ServerResponse): boolean {
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
          void stream(res, assets, sha256, answer.status, answer.headers, answer.range);
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
  range: { start: number; end: number } | undefined,
): Promise<void> {
  try {
    const opened = await assets.open(sha256, range);
    if (!opened) {
      sendError(res, 404, 'not-found', 'no such asset');
      return;
    }
    res.writeHead(status, headers);
    await pump(opened.stream, res);
  } catch (error) {
    // a kiosk that goes away mid-download is normal (it resumes with Range): only real failures are logged
    if ((error as NodeJS.ErrnoException).code !== 'ERR_STREAM_PREMATURE_CLOSE') failed(res, error);
  }
}

/**
 * Copies a file stream to the response, waiting for the socket when it is full. A plain loop instead of
 * `pipeline`: per chunk, pipeline's stream plumbing cost more CPU than the copy (a third of the server's CPU for
 * a cold sync, measured with bench/sync-cold.mjs), and the server's CPU is what a syncing kiosk waits for.
 */
async function pump(source: Readable, res: ServerResponse): Promise<void> {
  const closed = once(res, 'close').catch(() => undefined);
  try {
    for await (const chunk of source) {
      // the kiosk went away: it resumes with Range later, nothing more to send
      if (res.destroyed) return;
      if (!res.write(chunk)) await Promise.race([once(res, 'drain'), closed]);
    }
    if (!res.destroyed) res.end();
  } finally {
    source.destroy();
  }
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
