import type { IncomingMessage, ServerResponse } from 'node:http';
import { apiPaths, MANIFEST_SIGNATURE_HEADER } from '@linli/content';
import type { AuthenticatedDevice } from '../devices/device.schema';
import type { DeviceService } from '../devices/device.service';
import type { ManifestService, SignedManifest } from '../manifest/manifest.service';
import { manifestCounter } from '../observability/metrics';
import { API_JSON_HEADERS, apiError, apiErrorBody } from './api-error';

/** The answer to a 401: the same for missing, malformed, unknown and revoked credentials. */
export const UNAUTHORIZED_MESSAGE = 'missing, unknown or revoked device credential';

/** Authenticates a device-API request by its bearer credential (and notes that the device was seen). */
export function authenticateDevice(
  request: Request,
  devices: DeviceService,
): { ok: true; device: AuthenticatedDevice } | { ok: false; response: Response } {
  const device = devices.authenticate(request.headers.get('authorization'));
  if (!device) {
    return {
      ok: false,
      response: apiError('unauthorized', UNAUTHORIZED_MESSAGE, {}, 401, { 'www-authenticate': 'Bearer' }),
    };
  }
  devices.touch(device);
  return { ok: true, device };
}

/** True when an `If-None-Match` header names this ETag (weak or strong, in a list, or `*`). */
export function etagMatches(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch === etag) return true;
  return ifNoneMatch.split(',').some((candidate) => {
    const tag = candidate.trim();
    return tag === '*' || tag === etag || tag === `W/${etag}`;
  });
}

// Kiosks may keep the manifest but must ask before using it again; only the one device may cache it.
const MANIFEST_CACHE_CONTROL = 'private, no-cache';

/** Status and headers of a manifest answer: 304 when the device already holds this version. */
export function manifestAnswer(
  signed: SignedManifest,
  ifNoneMatch: string | null | undefined,
): { status: 200 | 304; headers: Record<string, string>; body: Buffer | null } {
  if (etagMatches(ifNoneMatch, signed.etag)) {
    return {
      status: 304,
      headers: { etag: signed.etag, 'cache-control': MANIFEST_CACHE_CONTROL },
      body: null,
    };
  }
  return {
    status: 200,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'content-length': String(signed.body.length),
      etag: signed.etag,
      'cache-control': MANIFEST_CACHE_CONTROL,
      'x-content-type-options': 'nosniff',
      [MANIFEST_SIGNATURE_HEADER]: signed.signature,
    },
    body: signed.body,
  };
}

/**
 * The Node-level fast path for `GET /api/v1/device/manifest` (server.js calls it before SvelteKit). A kiosk polls
 * this every few seconds and nearly always gets a 304, so the whole answer is made from memory: the credential map
 * of the device service and the signed bytes of the manifest service. Anything else returns false for SvelteKit.
 */
export function createFastPath(devices: DeviceService, manifests: ManifestService) {
  const manifestPath = apiPaths.manifest;
  const unauthorized = Buffer.from(JSON.stringify(apiErrorBody('unauthorized', UNAUTHORIZED_MESSAGE)));
  const unauthorizedHeaders = {
    ...API_JSON_HEADERS,
    'www-authenticate': 'Bearer',
    'content-length': String(unauthorized.length),
  };

  // Node writes a flat [name, value, ...] header list without building and validating an object per response.
  const rawHeaders = new WeakMap<SignedManifest, { ok: string[]; notModified: string[] }>();
  const headersOf = (signed: SignedManifest) => {
    let raw = rawHeaders.get(signed);
    if (!raw) {
      const flat = (headers: Record<string, string>) => Object.entries(headers).flat();
      raw = {
        ok: flat(manifestAnswer(signed, null).headers),
        notModified: flat(manifestAnswer(signed, signed.etag).headers),
      };
      rawHeaders.set(signed, raw);
    }
    return raw;
  };

  return function fastPath(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET') return false;
    const url = req.url ?? '';
    if (url !== manifestPath && !(url.startsWith(manifestPath) && url[manifestPath.length] === '?'))
      return false;

    try {
      const device = devices.authenticate(req.headers.authorization);
      if (!device) {
        res.writeHead(401, unauthorizedHeaders).end(unauthorized);
        return true;
      }
      devices.touch(device);
      const signed = manifests.forDevice(device);
      if (etagMatches(req.headers['if-none-match'], signed.etag)) {
        res.writeHead(304, headersOf(signed).notModified).end();
        manifestCounter.record(304);
      } else {
        res.writeHead(200, headersOf(signed).ok).end(signed.body);
        manifestCounter.record(200);
      }
    } catch (error) {
      // outside SvelteKit nothing else would catch this: answer like any other API error instead of crashing
      console.error('manifest fast path failed', error);
      if (!res.headersSent) res.writeHead(500, API_JSON_HEADERS);
      res.end(JSON.stringify(apiErrorBody('internal', 'internal error')));
    }
    return true;
  };
}
