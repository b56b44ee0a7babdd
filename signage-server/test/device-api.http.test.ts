import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import {
  ALERT_EVENT_NAME,
  alertPaths,
  API_V1,
  ApiErrorBody,
  apiPaths,
  EnrollResponseV1,
  fleetPaths,
  IDEMPOTENCY_KEY_HEADER,
  MANIFEST_SIGNATURE_HEADER,
  ManifestV1,
  ratingPaths,
  signagePaths,
  type EnrollResponseV1 as Enrolled,
} from '@linli/content';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePng } from '../src/lib/server/testing/signage.fixture';
import { enrollDevice, postForm, startServerAsAdmin, type AdminServer } from './support/cms-http';
import { signInNewUser } from './support/cms-users';
import {
  BUILD_PRESENT,
  NO_BUILD_MESSAGE,
  pairingCodeFromCli,
  type ServerProcess,
} from './support/server-process';

if (!BUILD_PRESENT) console.warn(`skipping device API HTTP tests: ${NO_BUILD_MESSAGE}`);

let running: AdminServer;
let server: ServerProcess;
let session: string;

const api = (p: string) => `${server.url}${p}`;
const assetFiles = () =>
  fs.existsSync(path.join(server.dataDir, 'assets'))
    ? (fs.readdirSync(path.join(server.dataDir, 'assets'), { recursive: true }) as string[]).filter((f) =>
        /[0-9a-f]{64}$/.test(f),
      )
    : [];

const enroll = (name = 'Lobby'): Promise<Enrolled> => enrollDevice(server, name);

const bearer = (device: Enrolled) => ({ authorization: `Bearer ${device.credential}` });

/** A CMS form post (what the browser sends without JavaScript). */
const cmsForm = (pathAndAction: string, fields: [string, string][], cookie = session) =>
  postForm(server.url, cookie, pathAndAction, fields);

async function uploadImage(bytes: Uint8Array) {
  return fetch(api('/cms/assets'), {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', origin: server.url, cookie: session },
    body: new Uint8Array(bytes), // a copy backed by a plain ArrayBuffer, as BodyInit wants
  });
}

/** Reads server-sent events from a streaming response. */
function eventReader(response: Response) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  return {
    /** The next event (comments skipped), or null when the stream ends. */
    async next(timeoutMs = 5_000): Promise<{ event: string; data: string } | null> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const end = buffer.indexOf('\n\n');
        if (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const lines = block
            .split('\n')
            .filter((line) => !line.startsWith(':') && !line.startsWith('retry:'));
          if (lines.length === 0) continue;
          const field = (name: string) =>
            lines.find((line) => line.startsWith(`${name}: `))?.slice(name.length + 2) ?? '';
          return { event: field('event'), data: field('data') };
        }
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error('no event in time');
        const chunk = await Promise.race([
          reader.read(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('no event in time')), remaining),
          ),
        ]);
        if (chunk.done) return null;
        buffer += decoder.decode(chunk.value, { stream: true });
      }
    },
    cancel: () => reader.cancel(),
  };
}

describe.skipIf(!BUILD_PRESENT)('device API over HTTP (built server, real process)', () => {
  beforeAll(async () => {
    running = await startServerAsAdmin();
    ({ server, admin: session } = running);
  }, 60_000);
  afterAll(() => running?.stop());

  describe('enrolment', () => {
    it('exchanges a CLI pairing code once; the second use is 403 pairing-code-invalid', async () => {
      const pairingCode = await pairingCodeFromCli(server.dataDir);
      const body = JSON.stringify({ pairingCode, name: 'Gate kiosk' });
      const first = await fetch(api(apiPaths.enroll), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(first.status).toBe(201);
      expect(EnrollResponseV1.parse(await first.json()).credential).toMatch(/^[0-9a-f-]{36}\./);
      const again = await fetch(api(apiPaths.enroll), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(again.status).toBe(403);
      expect(ApiErrorBody.parse(await again.json()).error.kind).toBe('pairing-code-invalid');
    });

    it.each([
      ['a malformed code', { pairingCode: 'abc', name: 'x' }, 'pairingCode'],
      ['a missing name', { pairingCode: 'ABCDEFGH' }, 'name'],
      ['a wrong type', { pairingCode: 'ABCDEFGH', name: 42 }, 'name'],
    ])('answers %s with 400 invalid-body naming the field', async (_case, body, field) => {
      const response = await fetch(api(apiPaths.enroll), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status).toBe(400);
      const error = ApiErrorBody.parse(await response.json()).error;
      expect(error).toMatchObject({ kind: 'invalid-body', field });
    });

    it('answers a body that is not JSON with 400 invalid-body', async () => {
      const response = await fetch(api(apiPaths.enroll), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"pairingCode":',
      });
      expect(response.status).toBe(400);
      expect(ApiErrorBody.parse(await response.json()).error.kind).toBe('invalid-body');
    });

    it('refuses an oversized body with 413 payload-too-large', async () => {
      const response = await fetch(api(apiPaths.enroll), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pairingCode: 'ABCDEFGH', name: 'x'.repeat(100_000) }),
      });
      expect(response.status).toBe(413);
      expect(ApiErrorBody.parse(await response.json()).error.kind).toBe('payload-too-large');
    });

    it('answers an unknown code with 403 and creates no device', async () => {
      const response = await fetch(api(apiPaths.enroll), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ pairingCode: 'ZZZZ-ZZZZ', name: 'x' }),
      });
      expect(response.status).toBe(403);
      expect(ApiErrorBody.parse(await response.json()).error.kind).toBe('pairing-code-invalid');
    });
  });

  describe('authentication', () => {
    it('refuses missing, forged and revoked credentials with 401 unauthorized on every device path', async () => {
      const device = await enroll('To revoke');
      const [id, secret] = device.credential.split('.') as [string, string];
      const forged = `${id}.${secret.slice(0, -2)}${secret.endsWith('AA') ? 'BB' : 'AA'}`;
      const paths = [apiPaths.manifest, apiPaths.events, apiPaths.asset('0'.repeat(64))];
      for (const p of paths) {
        for (const authorization of [
          undefined,
          `Bearer ${forged}`,
          `Bearer ${crypto.randomUUID()}.${secret}`,
          'Bearer x',
        ]) {
          const response = await fetch(api(p), { headers: authorization ? { authorization } : {} });
          expect(response.status, `${p} ${authorization}`).toBe(401);
          expect(ApiErrorBody.parse(await response.json()).error.kind).toBe('unauthorized');
        }
      }
      expect((await fetch(api(apiPaths.manifest), { headers: bearer(device) })).status).toBe(200);

      const revoke = await cmsForm('/admin/devices?/revoke', [['deviceId', device.deviceId]]);
      expect(revoke.status).toBeLessThan(400);
      const after = await fetch(api(apiPaths.manifest), { headers: bearer(device) });
      expect(after.status).toBe(401);
    });
  });

  describe('online top-up switched off (the default)', () => {
    it('refuses orders with 409 topup-unavailable and has no simulated checkout page', async () => {
      const device = await enroll();
      const response = await fetch(api(apiPaths.topUpOrders), {
        method: 'POST',
        headers: {
          ...bearer(device),
          'content-type': 'application/json',
          [IDEMPOTENCY_KEY_HEADER]: crypto.randomUUID(),
        },
        body: JSON.stringify({ uid: '04A1B2C3D4E5F6', amount: 10_000 }),
      });
      expect(response.status).toBe(409);
      expect(ApiErrorBody.parse(await response.json()).error.kind).toBe('topup-unavailable');
      expect((await fetch(`${server.url}/sim-pay/T123`)).status).toBe(404);
    });
  });

  describe('manifest', () => {
    it('is signed with the key pinned at enrolment and answers 304 to its ETag', async () => {
      const device = await enroll();
      const response = await fetch(api(apiPaths.manifest), { headers: bearer(device) });
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      const signature = response.headers.get(MANIFEST_SIGNATURE_HEADER) ?? '';
      const publicKey = crypto.createPublicKey({
        key: Buffer.from(device.serverPublicKey, 'base64'),
        format: 'der',
        type: 'spki',
      });
      expect(crypto.verify(null, bytes, publicKey, Buffer.from(signature, 'base64'))).toBe(true);
      const manifest = ManifestV1.parse(JSON.parse(bytes.toString('utf8')));
      expect(manifest.deviceId).toBe(device.deviceId);
      expect(response.headers.get('etag')).toBe(`"${manifest.version}"`);

      const again = await fetch(api(apiPaths.manifest), {
        headers: { ...bearer(device), 'if-none-match': `"${manifest.version}"` },
      });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
      const stale = await fetch(api(apiPaths.manifest), {
        headers: { ...bearer(device), 'if-none-match': '"old"' },
      });
      expect(stale.status).toBe(200);
      await stale.arrayBuffer();
    });

    it('publishing in the CMS sends manifest-changed over SSE and the new manifest lists the item and its image', async () => {
      const device = await enroll('SSE kiosk');
      const events = await fetch(api(apiPaths.events), { headers: bearer(device) });
      expect(events.status).toBe(200);
      expect(events.headers.get('content-type')).toContain('text/event-stream');
      const stream = eventReader(events);
      const hello = await stream.next();
      expect(hello?.event).toBe('hello');
      const before = JSON.parse(hello?.data ?? '{}') as { version: string };
      // every stream that opens is told the device's active emergency alerts at once (none here)
      const alerts = await stream.next();
      expect(alerts?.event).toBe(ALERT_EVENT_NAME);
      expect(JSON.parse(alerts?.data ?? '{}')).toMatchObject({ alerts: [] });

      const image = await uploadImage(makePng(4, 3, [20, 140, 90]));
      expect(image.status).toBe(201);
      const { sha256 } = (await image.json()) as { sha256: string };
      const published = await cmsForm('/cms/items/new?/submit', [
        ['id', 'sse-notice'],
        ['locale', 'zh-CN'],
        ['category', 'government'],
        ['title', '电梯检修通知'],
        ['body', `周五检修。\n\n![电梯](asset:${sha256})`],
        ['imageSha', sha256],
        ['imageAlt', '电梯'],
      ]);
      expect(published.status).toBe(303);
      expect(published.headers.get('location')).toBe('/cms/items/sse-notice/zh-CN');
      // the admin wrote it, so a reviewer publishes it
      const reviewer = await signInNewUser(server.url, session, 'sse-reviewer', ['reviewer']);
      const approved = await cmsForm('/cms/items/sse-notice/zh-CN?/approvePublish', [], reviewer);
      expect(approved.status).toBe(303);

      const changed = await stream.next();
      expect(changed?.event).toBe('manifest-changed');
      const { version } = JSON.parse(changed?.data ?? '{}') as { version: string };
      expect(version).not.toBe(before.version);

      const manifest = ManifestV1.parse(
        await (await fetch(api(apiPaths.manifest), { headers: bearer(device) })).json(),
      );
      expect(manifest.version).toBe(version);
      expect(manifest.items.find((item) => item.id === 'sse-notice')?.images).toEqual([
        { sha256, alt: '电梯' },
      ]);
      expect(manifest.assets.map((asset) => asset.sha256)).toContain(sha256);

      const withdrawn = await cmsForm('/cms/items/sse-notice/zh-CN?/archive', []);
      expect(withdrawn.status).toBe(303);
      expect((await stream.next())?.event).toBe('manifest-changed');
      await stream.cancel();
    });

    it('closes the event stream of a device when it is revoked', async () => {
      const device = await enroll('Revoked while listening');
      const stream = eventReader(await fetch(api(apiPaths.events), { headers: bearer(device) }));
      expect((await stream.next())?.event).toBe('hello');
      expect((await stream.next())?.event).toBe(ALERT_EVENT_NAME);
      await cmsForm('/admin/devices?/revoke', [['deviceId', device.deviceId]]);
      expect(await stream.next()).toBeNull();
    });
  });

  describe('assets', () => {
    it('serves bytes by sha256 with immutable caching, Range (206) and 416', async () => {
      const device = await enroll();
      const png = makePng(8, 8, [200, 200, 10]);
      const uploaded = await uploadImage(png);
      const { sha256 } = (await uploaded.json()) as { sha256: string };

      const full = await fetch(api(apiPaths.asset(sha256)), { headers: bearer(device) });
      expect(full.status).toBe(200);
      expect(Buffer.from(await full.arrayBuffer())).toEqual(png);
      expect(Object.fromEntries(full.headers)).toMatchObject({
        'content-type': 'image/png',
        etag: `"${sha256}"`,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        'content-disposition': 'inline',
        'accept-ranges': 'bytes',
      });

      const part = await fetch(api(apiPaths.asset(sha256)), {
        headers: { ...bearer(device), range: 'bytes=8-15' },
      });
      expect(part.status).toBe(206);
      expect(part.headers.get('content-range')).toBe(`bytes 8-15/${png.length}`);
      expect(Buffer.from(await part.arrayBuffer())).toEqual(png.subarray(8, 16));

      const tail = await fetch(api(apiPaths.asset(sha256)), {
        headers: { ...bearer(device), range: 'bytes=-4' },
      });
      expect(Buffer.from(await tail.arrayBuffer())).toEqual(png.subarray(-4));

      const beyond = await fetch(api(apiPaths.asset(sha256)), {
        headers: { ...bearer(device), range: `bytes=${png.length}-` },
      });
      expect(beyond.status).toBe(416);
      expect(beyond.headers.get('content-range')).toBe(`bytes */${png.length}`);
      expect(ApiErrorBody.parse(await beyond.json()).error.kind).toBe('range-not-satisfiable');

      const unknown = await fetch(api(apiPaths.asset('f'.repeat(64))), { headers: bearer(device) });
      expect(unknown.status).toBe(404);
      expect(ApiErrorBody.parse(await unknown.json()).error.kind).toBe('not-found');
    });
  });

  describe('uploads', () => {
    it('refuses a non-image with 415 and stores nothing', async () => {
      const before = assetFiles();
      const response = await uploadImage(Buffer.from('<html><script>alert(1)</script></html>'));
      expect(response.status).toBe(415);
      expect(((await response.json()) as { error: { kind: string } }).error.kind).toBe('unsupported-type');
      expect(assetFiles()).toEqual(before);
    });

    it('refuses a 100 MB upload with a clear 413 before reading it, and stores nothing', async () => {
      const before = assetFiles();
      const size = 100 * 1024 * 1024;
      let answered = false;
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const url = new URL(api('/cms/assets'));
        const request = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: {
              'content-type': 'application/octet-stream',
              'content-length': size,
              origin: server.url,
              cookie: session,
              'accept-language': 'en',
            },
          },
          (response) => {
            answered = true; // stop sending the rest
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () => {
              request.destroy();
              resolve({ status: response.statusCode ?? 0, body });
            });
          },
        );
        request.on('error', (error) => {
          if (!('code' in error) || (error.code !== 'EPIPE' && error.code !== 'ECONNRESET')) reject(error);
        });
        // an image header, then zeros: only the size is wrong
        request.write(makePng());
        const chunk = Buffer.alloc(1024 * 1024);
        let sent = 0;
        const pump = () => {
          while (sent < size - 2 * chunk.length && !answered && !request.destroyed) {
            sent += chunk.length;
            if (!request.write(chunk)) return void request.once('drain', pump);
          }
        };
        pump();
      });
      expect(answer.status).toBe(413);
      const error = (JSON.parse(answer.body) as { error: { kind: string; message: string } }).error;
      expect(error.kind).toBe('file-too-large');
      expect(error.message).toMatch(/too large.*10 MB/);
      expect(assetFiles()).toEqual(before);
    });
  });

  describe('documents and errors', () => {
    it('serves the OpenAPI document with every device path', async () => {
      const response = await fetch(api(apiPaths.openapi));
      expect(response.status).toBe(200);
      const document = (await response.json()) as { openapi: string; paths: Record<string, unknown> };
      expect(document.openapi).toMatch(/^3\./);
      expect(Object.keys(document.paths).sort()).toEqual(
        [
          apiPaths.enroll,
          apiPaths.manifest,
          apiPaths.events,
          apiPaths.asset('{sha256}'),
          apiPaths.assetBundle,
          apiPaths.health,
          apiPaths.cardLookup,
          apiPaths.payBills,
          apiPaths.statement,
          apiPaths.reportLost,
          apiPaths.topUpOrders,
          apiPaths.topUpOrder('{orderId}'),
          apiPaths.providerCallback('{provider}'),
          fleetPaths.heartbeat,
          `${API_V1}/device/commands/{commandId}/ack`,
          apiPaths.visitorBuildings,
          apiPaths.visitorUnitLookup,
          apiPaths.visitorRegistrations,
          apiPaths.visitorRegistration('{clientRef}'),
          apiPaths.accessVerify,
          apiPaths.accessPublicKey,
          alertPaths.deviceAlerts,
          alertPaths.webhook,
          signagePaths.deviceStats,
          ratingPaths.deviceRatings,
        ].sort(),
      );
    });

    it('answers unknown API paths and wrong methods in the API error shape', async () => {
      const unknown = await fetch(api('/api/v1/nothing/here'));
      expect(unknown.status).toBe(404);
      expect(ApiErrorBody.parse(await unknown.json()).error.kind).toBe('not-found');
      const wrongMethod = await fetch(api(apiPaths.enroll));
      expect(wrongMethod.status).toBe(405);
      expect(ApiErrorBody.parse(await wrongMethod.json()).error.kind).toBe('not-found');
    });
  });
});
