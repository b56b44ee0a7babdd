import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiPaths, MANIFEST_SIGNATURE_HEADER } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishReviewed } from '../content/content-workflow.fixture';
import { createTestSignage } from '../testing/signage.fixture';
import { etagMatches } from './device-api';

describe('etagMatches', () => {
  it.each([
    [null, false],
    ['"v1"', true],
    ['W/"v1"', true],
    ['"v0", "v1"', true],
    ['"v0",W/"v1"', true],
    ['*', true],
    ['"v2"', false],
    ['v1', false],
    ['', false],
  ])('If-None-Match %j -> %s', (header, expected) => {
    expect(etagMatches(header, '"v1"')).toBe(expected);
  });
});

describe('manifest fast path (real HTTP, in process)', () => {
  let signage: ReturnType<typeof createTestSignage>;
  let server: http.Server;
  let url: string;
  let credential: string;

  beforeEach(async () => {
    signage = createTestSignage();
    const code = signage.devices.createPairingCode({}, null);
    if (!code.ok) throw new Error('code');
    const enrolled = signage.devices.enroll(
      { pairingCode: code.value.code, name: 'k', platform: '', appVersion: '' },
      signage.keys.publicKeyBase64,
    );
    if (!enrolled.ok) throw new Error('enrol');
    credential = enrolled.value.credential;
    // what server.js does: the fast path first, everything else to "SvelteKit" (here a teapot)
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

  it('answers 200 with signed bytes, then 304 for the ETag, and 401 without a credential', async () => {
    const auth = { authorization: `Bearer ${credential}` };
    const first = await fetch(`${url}${apiPaths.manifest}`, { headers: auth });
    expect(first.status).toBe(200);
    expect(first.headers.get(MANIFEST_SIGNATURE_HEADER)).toBeTruthy();
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(JSON.parse(await first.text())).toMatchObject({ schema: 'linli.manifest.v1' });

    const again = await fetch(`${url}${apiPaths.manifest}?poll=1`, {
      headers: { ...auth, 'if-none-match': etag },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);

    const anonymous = await fetch(`${url}${apiPaths.manifest}`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({ error: { kind: 'unauthorized' } });
  });

  it('leaves every other request to SvelteKit', async () => {
    const auth = { authorization: `Bearer ${credential}` };
    for (const [method, path] of [
      ['POST', apiPaths.manifest],
      ['GET', `${apiPaths.manifest}x`],
      ['GET', apiPaths.events],
      ['GET', '/cms'],
    ] as const) {
      const response = await fetch(`${url}${path}`, { method, headers: auth });
      expect(response.status, `${method} ${path}`).toBe(418);
      await response.arrayBuffer();
    }
  });

  it('serves the new version after a publish', async () => {
    const auth = { authorization: `Bearer ${credential}` };
    const before = (await fetch(`${url}${apiPaths.manifest}`, { headers: auth })).headers.get('etag') ?? '';
    publishReviewed(signage.content, { id: 'n', locale: 'zh-CN', category: 'legal', title: '法律援助' });
    const after = await fetch(`${url}${apiPaths.manifest}`, {
      headers: { ...auth, 'if-none-match': before },
    });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(before);
  });
});
