import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { kioskApiDefinition, type ContentSnapshot, type KioskApi } from '../shared/kiosk-api';
import { createServiceProxy } from '../shared/service-definition';
import { createWebSocketClientTransport, type WebSocketFactory } from '../shared/websocket-transport';
import { startKioskHost, type KioskHost, type KioskHostConfig } from './kiosk-host';
import { silentLogger } from './logger';
import { SIMULATOR_PATH } from './kiosk-http.server';
import { ManualClock } from './testing/manual-clock';
import { FakeSignageServer } from './testing/fake-signage-server';
import { publishFixtureContent, fixtureItem } from './testing/fixture-content';
import { makeTempDir, waitFor } from './testing/temp-dir';

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
let rendererDir: string;
const hosts: KioskHost[] = [];
const closers: (() => void)[] = [];

beforeEach(async () => {
  server = await FakeSignageServer.start();
  temp = makeTempDir();
  // A stand-in for the built renderer: these tests are about the host, not the Svelte build.
  rendererDir = join(temp.dir, 'renderer');
  mkdirSync(join(rendererDir, 'app'), { recursive: true });
  writeFileSync(
    join(rendererDir, 'index.html'),
    '<!doctype html><script type="module" src="./app/main.js"></script>',
  );
  writeFileSync(join(rendererDir, 'app', 'main.js'), 'console.log("renderer")');
});
afterEach(async () => {
  closers.splice(0).forEach((close) => close());
  for (const host of hosts.splice(0)) await host.stop();
  await server.stop();
  temp.remove();
});

async function startHost(
  overrides: Partial<KioskHostConfig> = {},
  dependencies: Parameters<typeof startKioskHost>[1] = {},
) {
  const host = await startKioskHost(
    {
      dataDir: join(temp.dir, 'data'),
      serverUrl: server.url,
      pairingCode: server.createPairingCode(),
      port: 0,
      rendererDir,
      sync: { pollIntervalMs: 3_600_000, retryInitialMs: 20, retryMaxMs: 200 },
      ...overrides,
    },
    { logger: () => silentLogger, speechTools: { synthesizer: null, player: null }, ...dependencies },
  );
  hosts.push(host);
  return host;
}

async function content(api: KioskApi): Promise<ContentSnapshot> {
  const result = await api.getContent();
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

/** A raw GET with full control of the headers (fetch will not let a test set Host). */
function get(url: string, headers: Record<string, string> = {}) {
  return new Promise<{
    status: number;
    headers: Record<string, string | string[] | undefined>;
    body: Buffer;
  }>((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function connectApi(host: KioskHost, url: string, origin = host.origin) {
  const factory: WebSocketFactory = (target) =>
    new WebSocket(target, { origin }) as unknown as ReturnType<WebSocketFactory>;
  let connected = false;
  let refused = false;
  const transport = createWebSocketClientTransport({
    url,
    createSocket: factory,
    onConnected: () => (connected = true),
    onDisconnected: () => (refused = true),
    reconnectDelayMs: () => 60_000,
  });
  closers.push(() => transport.close());
  return {
    api: createServiceProxy(kioskApiDefinition, transport),
    isConnected: () => connected,
    wasRefused: () => refused && !connected,
  };
}

function wsUrl(host: KioskHost, token: string | null) {
  return `${host.origin.replace('http', 'ws')}/api${token === null ? '' : `?token=${encodeURIComponent(token)}`}`;
}
const tokenOf = (host: KioskHost) => new URL(host.rendererUrl).searchParams.get('token')!;

describe('kiosk host', () => {
  it('enrols, syncs and serves content, assets and the API only with its token', async () => {
    publishFixtureContent(server);
    const host = await startHost();
    await waitFor(async () => (await content(host.api)).items.length === 10, 'the fixture content');
    const snapshot = await content(host.api);
    const sha = snapshot.items[0]!.translations['zh-CN']!.images[0]!.sha256;
    const assetUrl = snapshot.assetUrlTemplate.replace('{sha256}', sha);
    const token = tokenOf(host);

    // The page: only with the token; it sets the session cookie and a strict CSP.
    expect((await get(`${host.origin}/`)).status).toBe(403);
    expect((await get(`${host.origin}/?token=wrong`)).status).toBe(403);
    const page = await get(host.rendererUrl);
    expect(page.status).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("img-src 'self' data:");
    expect(csp).toContain(`connect-src 'self' ${host.origin.replace('http', 'ws')}`);
    const cookie = String(page.headers['set-cookie']).split(';')[0]!;
    expect(String(page.headers['set-cookie'])).toMatch(/HttpOnly; SameSite=Strict/);

    // Subresources: with the cookie, not without.
    expect((await get(`${host.origin}/app/main.js`)).status).toBe(403);
    expect((await get(`${host.origin}/app/main.js`, { cookie })).status).toBe(200);

    // Assets: from the cache, by token.
    const asset = await get(assetUrl);
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('image/png');
    expect((await get(`${host.origin}/assets/${sha}`)).status).toBe(403);
    expect((await get(`${host.origin}/assets/${'0'.repeat(64)}?token=${token}`)).status).toBe(404);

    // A page that resolves some other name to 127.0.0.1 (DNS rebinding) is refused even with the token.
    expect((await get(host.rendererUrl, { host: `evil.example:${new URL(host.origin).port}` })).status).toBe(
      421,
    );
  });

  it('serves KioskApi over the WebSocket to its own page only, and pushes content changes', async () => {
    publishFixtureContent(server);
    const host = await startHost();
    await waitFor(async () => (await content(host.api)).items.length === 10, 'the fixture content');

    const stranger = connectApi(host, wsUrl(host, tokenOf(host)), 'http://evil.example');
    const tokenless = connectApi(host, wsUrl(host, null));
    const own = connectApi(host, wsUrl(host, tokenOf(host)));
    await waitFor(own.isConnected, 'the WebSocket');
    await waitFor(stranger.wasRefused, 'the refusal of another origin');
    await waitFor(tokenless.wasRefused, 'the refusal of a connection without token');
    expect(await stranger.api.getStatus()).toMatchObject({ ok: false, error: { kind: 'disconnected' } });

    const status = await own.api.getStatus();
    expect(status).toMatchObject({ ok: true, value: { enrolled: true, online: true } });
    const remote = await own.api.getContent();
    expect(remote.ok && remote.value.items.map((i) => i.id)).toEqual(
      (await content(host.api)).items.map((i) => i.id),
    );

    const pushed: ContentSnapshot[] = [];
    own.api.onContentChanged((snapshot) => pushed.push(snapshot));
    server.publish(
      fixtureItem({ id: 'water-cut', category: 'services' }, 'zh-CN', {
        title: '停水通知',
        summary: '',
        body: '',
      }),
    );
    const changed = await waitFor(
      () => pushed.find((s) => s.items.some((i) => i.id === 'water-cut')),
      'a push',
    );
    expect(changed.items[0]!.translations['zh-CN']!.title).toBe('停水通知');
  });

  it('starts from its cache with the server down, images included, without pairing again', async () => {
    publishFixtureContent(server);
    const first = await startHost();
    await waitFor(async () => (await content(first.api)).items.length === 10, 'the fixture content');
    await first.stop();
    hosts.splice(hosts.indexOf(first), 1);
    const enrolments = server.seen.filter((r) => r.path === '/api/v1/device/enroll').length;
    await server.stop();

    const again = await startHost({ pairingCode: null });
    const snapshot = await content(again.api);
    expect(snapshot.items).toHaveLength(10);
    for (const item of snapshot.items) {
      const sha = item.translations['zh-CN']!.images[0]!.sha256;
      const asset = await get(snapshot.assetUrlTemplate.replace('{sha256}', sha));
      expect(asset.status).toBe(200);
      expect(asset.body.subarray(1, 4).toString()).toBe('PNG');
    }
    await again.ready;
    await waitFor(() => again.sync.getStatus().lastError?.kind === 'offline', 'the offline status');
    expect(again.sync.getStatus()).toMatchObject({ enrolled: true, online: false });

    server = await FakeSignageServer.start(); // for afterEach
    expect(enrolments).toBe(1);
  });

  it('searches the synced content through KioskApi, offline, and keeps the index in step with the manifest', async () => {
    publishFixtureContent(server);
    const host = await startHost();
    await waitFor(async () => (await content(host.api)).items.length === 10, 'the fixture content');
    const search = async (query: string, locale: 'zh-CN' | 'en' = 'zh-CN') => {
      const result = await host.api.search({ query, locale });
      if (!result.ok) throw new Error(result.error.message);
      return result.value;
    };
    expect((await search('供暖')).hits.map((hit) => hit.id)).toEqual(['heating-notice']);
    expect((await search('heating', 'en')).hits[0]).toMatchObject({
      id: 'heating-notice',
      title: 'Winter heating starts',
    });

    server.publish(
      fixtureItem({ id: 'water-cut', category: 'services' }, 'zh-CN', {
        title: '停水通知',
        summary: '',
        body: '',
      }),
    );
    await waitFor(async () => (await search('停水')).hits.length === 1, 'the new item in the index');
    server.unpublish('water-cut');
    await waitFor(
      async () => (await search('停水')).hits.length === 0,
      'the withdrawn item gone from search',
    );
  });

  it('takes simulated reader events only when asked to, and forgets them on resetSession', async () => {
    const host = await startHost({ simulatePeripherals: true });
    const post = (body: unknown, url = `${host.origin}${SIMULATOR_PATH}?token=${tokenOf(host)}`) =>
      fetch(url, { method: 'POST', body: JSON.stringify(body) });
    const card = {
      type: 'card-present',
      at: '2026-11-20T02:00:00.000Z',
      reader: 'sim',
      uid: '04A1B2C3D4E5F6',
      atr: null,
      technology: 'mifare-classic-1k',
    };
    expect((await post(card, `${host.origin}${SIMULATOR_PATH}`)).status).toBe(403);
    expect((await post({ type: 'card-present' })).status).toBe(400);
    const changes: unknown[] = [];
    host.api.onSessionChanged((session) => changes.push(session));
    expect((await post(card)).status).toBe(204);
    const session = await host.api.getSession();
    expect(session).toMatchObject({ ok: true, value: { card: { maskedUid: '04A1B2****E5F6' } } });
    expect(host.session.holdsPersonalData()).toBe(true);
    expect(changes).toHaveLength(1);

    expect(await host.api.resetSession()).toMatchObject({ ok: true, value: { card: null, sequence: 1 } });
    expect(host.session.holdsPersonalData()).toBe(false);

    const plain = await startHost({ dataDir: join(temp.dir, 'other') });
    expect(
      (
        await fetch(`${plain.origin}${SIMULATOR_PATH}?token=${tokenOf(plain)}`, {
          method: 'POST',
          body: '{}',
        })
      ).status,
    ).toBe(405);
  });

  it('dev panel on: the renderer taps, scans and feeds through KioskApi, and the session sees it masked', async () => {
    const host = await startHost({ devPanel: true });
    const { api, isConnected } = connectApi(host, wsUrl(host, tokenOf(host)));
    await waitFor(isConnected, 'the WebSocket transport');
    const devConfig = await api.getDevConfig();
    expect(devConfig).toMatchObject({ ok: true, value: { enabled: true } });
    expect(devConfig.ok && devConfig.value.devices.map((device) => device.kind)).toEqual(
      expect.arrayContaining(['pcsc', 'hid-card', 'hid-barcode', 'document']),
    );

    const changes: unknown[] = [];
    host.api.onSessionChanged((session) => changes.push(session));
    expect(await api.simTapCard({ uid: '04A1B2C3D4E5F6' })).toMatchObject({
      ok: true,
      value: { reader: 'Linli Sim Reader' },
    });
    await waitFor(
      async () => (await api.getSession()).ok && host.session.holdsPersonalData(),
      'card in session',
    );
    const withCard = await api.getSession();
    expect(withCard).toMatchObject({
      ok: true,
      value: { card: { reader: 'Linli Sim Reader', maskedUid: '04A1B2****E5F6' } },
    });
    // The unmasked UID never crosses to the renderer.
    expect(JSON.stringify(withCard)).not.toContain('04A1B2C3D4E5F6');
    expect(changes.length).toBeGreaterThan(0);

    expect(await api.simRemoveCard()).toEqual({ ok: true, value: null });
    await waitFor(async () => {
      const session = await api.getSession();
      return session.ok && session.value.card === null;
    }, 'card removed');

    const fed = await api.simFeedDocument({
      kind: 'cn-id-fields',
      fields: { idNumber: '11010519491231002X', name: '张三丰' },
    });
    expect(fed).toEqual({ ok: true, value: { kind: 'cn-id', valid: true } });
    await waitFor(async () => {
      const session = await api.getSession();
      return session.ok && session.value.document !== null;
    }, 'document in session');
    expect(await api.getSession()).toMatchObject({
      ok: true,
      value: { document: { kind: 'cn-id', maskedName: '张**', maskedNumber: '110105********002X' } },
    });

    expect(await api.simScanBarcode('LINLI:VISIT:8F3A')).toEqual({ ok: true, value: null });
    await waitFor(async () => {
      const session = await api.getSession();
      return session.ok && session.value.barcode !== null;
    }, 'barcode in session');

    expect(await api.resetSession()).toMatchObject({ ok: true, value: { card: null, document: null } });
    expect(host.session.holdsPersonalData()).toBe(false);
  });

  it('dev panel off (the default): getDevConfig says so and every simulator call is refused', async () => {
    const host = await startHost();
    const { api, isConnected } = connectApi(host, wsUrl(host, tokenOf(host)));
    await waitFor(isConnected, 'the WebSocket transport');
    expect(await api.getDevConfig()).toEqual({ ok: true, value: { enabled: false, devices: [] } });
    const refusals = await Promise.all([
      api.simTapCard({ uid: '04A1B2C3' }),
      api.simRemoveCard(),
      api.simScanBarcode('x'),
      api.simFeedDocument({ kind: 'mrz-lines', lines: ['a', 'b'] }),
    ]);
    for (const refused of refusals) {
      expect(refused).toMatchObject({ ok: false, error: { kind: 'dev-panel-disabled' } });
    }
    expect(host.session.holdsPersonalData()).toBe(false);
  });

  it('survives a wrong clock: it measures the skew from the server and shows today’s content anyway', async () => {
    // A notice valid for one hour around the real now; the kiosk's clock is a day fast.
    const now = Date.now();
    server.publish({
      ...fixtureItem({ id: 'today', category: 'government' }, 'zh-CN', {
        title: '今日通知',
        summary: '',
        body: '',
      }),
      validFrom: new Date(now - 3_600_000).toISOString(),
      validUntil: new Date(now + 3_600_000).toISOString(),
    });
    const clock = new ManualClock(now + 86_400_000);
    const host = await startHost({}, { clock });
    await waitFor(() => host.sync.getStatus().manifestVersion !== null, 'a manifest');
    const skew = host.sync.getStatus().clockSkewMs!;
    expect(Math.abs(skew - 86_400_000)).toBeLessThan(5_000);
    expect((await content(host.api)).items.map((item) => item.id)).toEqual(['today']);
  });
});
