import { fleetPaths, type HeartbeatV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { POST as ackCommand } from '../../../routes/api/v1/device/commands/[commandId]/ack/+server';
import { POST as heartbeat } from '../../../routes/api/v1/device/heartbeat/+server';
import { createTestSignage, makePng } from '../testing/signage.fixture';

// The device-API routes of the fleet, called as SvelteKit calls them (a real Request, the services in locals):
// authentication, body validation and what reaches the database.

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
let credential: string;
let deviceId: string;

const report = (): HeartbeatV1 => ({
  schema: 'linli.heartbeat.v1',
  sentAt: '2026-11-25T02:00:00.000Z',
  intervalMs: 30_000,
  appVersion: '0.1.0',
  content: {
    manifestVersion: 'v1',
    state: 'in-sync',
    lastSyncAt: null,
    missingAssets: { count: 0, sha256: [] },
  },
  peripherals: [
    {
      driver: 'pcsc',
      kind: 'card-reader',
      state: 'running',
      restarts: 0,
      lastError: null,
      devices: [{ reader: 'Linli Test Reader 00 00', state: 'ready', lastEventAt: null }],
    },
  ],
  system: {
    diskFreeBytes: 1,
    memoryFreeBytes: 1,
    memoryTotalBytes: 2,
    uptimeSeconds: 3,
    appUptimeSeconds: 4,
  },
  lastError: null,
  screen: { mode: 'home', width: 1080, height: 1920, orientation: 'portrait' },
});

function call(
  handler: typeof heartbeat | typeof ackCommand,
  path: string,
  body: BodyInit,
  headers: Record<string, string>,
  params: Record<string, string> = {},
) {
  const request = new Request(`http://localhost${path}`, { method: 'POST', body, headers });
  // the handlers only read request, locals and params
  return handler({ request, locals: { services: signage }, params } as never);
}

const heartbeatRows = () => signage.db.prepare('SELECT count(*) FROM device_heartbeats').pluck().get();

beforeEach(() => {
  signage = createTestSignage();
  const code = signage.devices.createPairingCode({}, null);
  if (!code.ok) throw new Error('code');
  const enrolled = signage.devices.enroll(
    { pairingCode: code.value.code, name: 'Lobby', platform: '', appVersion: '' },
    signage.keys.publicKeyBase64,
  );
  if (!enrolled.ok) throw new Error('enrol');
  credential = enrolled.value.credential;
  deviceId = enrolled.value.deviceId;
});
afterEach(() => signage.cleanup());

describe('POST /api/v1/device/heartbeat', () => {
  const json = (auth: string | null) => ({
    'content-type': 'application/json',
    ...(auth ? { authorization: auth } : {}),
  });

  it('stores the latest report of an authenticated device', async () => {
    const answer = await call(
      heartbeat,
      fleetPaths.heartbeat,
      JSON.stringify(report()),
      json(`Bearer ${credential}`),
    );
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ receivedAt: signage.clock.now().toISOString() });
    const device = signage.fleet.overview().find((d) => d.id === deviceId);
    expect(device).toMatchObject({ connectivity: 'online', report: { peripherals: [{ driver: 'pcsc' }] } });
  });

  it('refuses a missing credential and a malformed report, writing nothing', async () => {
    expect((await call(heartbeat, fleetPaths.heartbeat, JSON.stringify(report()), json(null))).status).toBe(
      401,
    );
    const bad = { ...report(), intervalMs: 5 };
    const refused = await call(
      heartbeat,
      fleetPaths.heartbeat,
      JSON.stringify(bad),
      json(`Bearer ${credential}`),
    );
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { kind: 'invalid-body', field: 'intervalMs' } });
    expect((await call(heartbeat, fleetPaths.heartbeat, '{', json(`Bearer ${credential}`))).status).toBe(400);
    expect(heartbeatRows()).toBe(0);
  });
});

describe('POST /api/v1/device/commands/<id>/ack', () => {
  it('takes a screenshot as a PNG and refuses other bytes, another device and a second ack', async () => {
    const issued = signage.fleet.issueCommand(deviceId, 'screenshot', null);
    if (!issued.ok) throw new Error('issue');
    const id = issued.value.id;
    const post = (body: BodyInit, type: string, auth = `Bearer ${credential}`) =>
      call(
        ackCommand,
        fleetPaths.commandAck(id),
        body,
        { 'content-type': type, authorization: auth },
        {
          commandId: id,
        },
      );

    const html = Buffer.from('<html><script>alert(1)</script></html>'.padEnd(64, ' '));
    const notPng = await post(new Uint8Array(html), 'image/png');
    expect(notPng.status).toBe(415);
    expect(signage.fleet.screenshot(id)).toBeNull();
    expect((await post(new Uint8Array(makePng(4, 4)), 'image/png', 'Bearer nope')).status).toBe(401);

    const png = makePng(30, 20);
    const accepted = await post(new Uint8Array(png), 'image/png');
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toEqual({ id, state: 'acked' });
    expect(signage.fleet.screenshot(id)?.equals(png)).toBe(true);
    expect((await post(new Uint8Array(png), 'image/png')).status).toBe(409);
  });

  it('answers 404 for an unknown command and 400 for a malformed JSON ack', async () => {
    const issued = signage.fleet.issueCommand(deviceId, 'identify', null);
    if (!issued.ok) throw new Error('issue');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${credential}` };
    const unknown = crypto.randomUUID();
    expect(
      (await call(ackCommand, fleetPaths.commandAck(unknown), '{"ok":true}', headers, { commandId: unknown }))
        .status,
    ).toBe(404);
    const id = issued.value.id;
    expect(
      (await call(ackCommand, fleetPaths.commandAck(id), '{"ok":"yes"}', headers, { commandId: id })).status,
    ).toBe(400);
    const done = await call(
      ackCommand,
      fleetPaths.commandAck(id),
      '{"ok":true,"result":{"shownMs":10000}}',
      headers,
      {
        commandId: id,
      },
    );
    expect(done.status).toBe(200);
    expect(signage.fleet.overview()[0]?.recentCommands[0]).toMatchObject({
      state: 'acked',
      result: { shownMs: 10000 },
    });
  });
});
