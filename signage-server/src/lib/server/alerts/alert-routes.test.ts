import { alertPaths, DeviceAlertsV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POST as webhook } from '../../../routes/api/v1/alerts/webhook/+server';
import { GET as deviceAlerts } from '../../../routes/api/v1/device/alerts/+server';
import { createAlertServices } from '../alerts.services';
import { AuditService } from '../audit/audit.service';
import { createTestSignage } from '../testing/signage.fixture';
import type { AlertService } from './alert.service';

// The alert routes called as SvelteKit calls them (a real Request, the services in locals): authentication, body
// validation, idempotency and what reaches the database.

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
let alerts: AlertService;
let token: string;
let credential: string;
const admin = { id: 'u-admin', username: 'admin' };

const locals = () => ({ services: { ...signage, alerts } });
const post = (body: string, authorization: string | null = `Bearer ${token}`) =>
  webhook({
    request: new Request(`http://localhost${alertPaths.webhook}`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    }),
    locals: locals(),
  } as never);
const get = (authorization: string | null) =>
  deviceAlerts({
    request: new Request(`http://localhost${alertPaths.deviceAlerts}`, {
      headers: authorization ? { authorization } : {},
    }),
    locals: locals(),
  } as never);
const alertRows = () => signage.db.prepare('SELECT count(*) FROM alerts').pluck().get();

beforeEach(() => {
  signage = createTestSignage();
  signage.db.exec("INSERT INTO communities (id, name, created_at) VALUES ('xfl', '幸福里社区', 'x')");
  ({ alerts } = createAlertServices({
    clock: signage.clock,
    db: signage.db,
    audit: new AuditService(signage.db, signage.clock),
    devices: signage.devices,
    deviceEvents: signage.deviceEvents,
    options: { defaultTtlMinutes: 120 },
  }));
  const source = alerts.createSource({ name: 'panel', communityId: 'xfl' }, admin);
  if (!source.ok) throw new Error('source');
  token = source.value.token;
  const code = signage.devices.createPairingCode({ communityId: 'xfl' }, admin);
  if (!code.ok) throw new Error('code');
  const enrolled = signage.devices.enroll(
    { pairingCode: code.value.code, name: 'Lobby', platform: '', appVersion: '' },
    signage.keys.publicKeyBase64,
  );
  if (!enrolled.ok) throw new Error('enrol');
  credential = enrolled.value.credential;
});
afterEach(() => {
  alerts.stop();
  signage.cleanup();
});

describe('POST /api/v1/alerts/webhook', () => {
  const raise = JSON.stringify({ action: 'raise', externalId: 'zone-1', kind: 'gas' });

  it('raises with 201, answers a repeat with 200 replayed, clears, and 404s an unknown clear', async () => {
    const first = await post(raise);
    expect(first.status).toBe(201);
    const body = (await first.json()) as { alertId: string };
    expect(body).toMatchObject({ state: 'active', replayed: false, pushedTo: 0 });
    const again = await post(raise);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ alertId: body.alertId, replayed: true });
    expect(alertRows()).toBe(1);
    const cleared = await post(JSON.stringify({ action: 'clear', externalId: 'zone-1' }));
    expect(await cleared.json()).toMatchObject({ alertId: body.alertId, state: 'cleared', replayed: false });
    const unknown = await post(JSON.stringify({ action: 'clear', externalId: 'zone-2' }));
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { kind: 'not-found' } });
  });

  it.each([
    ['no token', null],
    ['a made-up token', `Bearer lnk_alert_${'A'.repeat(43)}`],
    ['a device credential', 'device'],
  ])('refuses %s with 401 and writes nothing', async (_, authorization) => {
    const response = await post(raise, authorization === 'device' ? `Bearer ${credential}` : authorization);
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(alertRows()).toBe(0);
  });

  it('refuses a revoked source', async () => {
    const source = alerts.listSources()[0]!;
    alerts.revokeSource(source.id, admin);
    expect((await post(raise)).status).toBe(401);
    expect(alertRows()).toBe(0);
  });

  it.each([
    ['not JSON', '{', ''],
    ['an unknown kind', JSON.stringify({ action: 'raise', externalId: 'z', kind: 'earthquake' }), 'kind'],
    ['an unknown action', JSON.stringify({ action: 'panic', externalId: 'z' }), 'action'],
    ['a bad external id', JSON.stringify({ action: 'raise', externalId: 'a b', kind: 'fire' }), 'externalId'],
    [
      'a building of another community',
      JSON.stringify({ action: 'raise', externalId: 'z', kind: 'fire', target: { buildings: ['nowhere'] } }),
      'target.buildings',
    ],
    [
      'a lifetime of 0',
      JSON.stringify({ action: 'raise', externalId: 'z', kind: 'fire', ttlMinutes: 0 }),
      'ttlMinutes',
    ],
  ])('answers %s with 400 naming the field, and writes nothing', async (_, body, field) => {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { kind: 'invalid-body', field } });
    expect(alertRows()).toBe(0);
  });

  it('refuses a body over 8 KB with 413', async () => {
    const body = JSON.stringify({ action: 'raise', externalId: 'z', kind: 'fire', pad: 'x'.repeat(9_000) });
    expect((await post(body)).status).toBe(413);
    expect(alertRows()).toBe(0);
  });
});

describe('GET /api/v1/device/alerts', () => {
  it('needs the device credential and answers the active set', async () => {
    expect((await get(null)).status).toBe(401);
    expect((await get(`Bearer ${token}`)).status).toBe(401);
    const empty = DeviceAlertsV1.parse(await (await get(`Bearer ${credential}`)).json());
    expect(empty.alerts).toEqual([]);
    await post(JSON.stringify({ action: 'raise', externalId: 'zone-1', kind: 'fire' }));
    const response = await get(`Bearer ${credential}`);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const active = DeviceAlertsV1.parse(await response.json());
    expect(active.alerts).toMatchObject([{ kind: 'fire', title: { 'zh-CN': '火警', en: 'Fire alarm' } }]);
    signage.clock.advance(120 * 60_000);
    expect(DeviceAlertsV1.parse(await (await get(`Bearer ${credential}`)).json()).alerts).toEqual([]);
  });
});
