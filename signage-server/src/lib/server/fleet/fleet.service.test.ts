import { DeviceCommandEventV1, type HeartbeatV1 } from '@linli/content';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditService } from '../audit/audit.service';
import { createTestSignage, makePng } from '../testing/signage.fixture';
import { DeviceEventHub } from '../manifest/device-events';
import { FleetRepository } from './fleet.repository';
import {
  connectivityOf,
  nextCommandState,
  pngSize,
  type CommandEvent,
  type CommandState,
} from './fleet.schema';
import { FleetService } from './fleet.service';

type Signage = ReturnType<typeof createTestSignage>;
let signage: Signage;
let fleet: FleetService;
// the fleet under test gets its own hub: the fixture's fleet answers the fixture's hub
let hub: DeviceEventHub;
let logged: { level: string; message: string; data: Record<string, unknown> }[];
const admin = { id: 'u-admin', username: 'admin' };

function enroll(name: string) {
  const code = signage.devices.createPairingCode({ deviceName: name }, admin);
  if (!code.ok) throw new Error('code');
  const result = signage.devices.enroll(
    { pairingCode: code.value.code, name, platform: 'linux', appVersion: '0.1.0' },
    signage.keys.publicKeyBase64,
  );
  if (!result.ok) throw new Error('enrol');
  return { id: result.value.deviceId, name, communityId: null };
}

function report(intervalMs = 1_000): HeartbeatV1 {
  return {
    schema: 'linli.heartbeat.v1',
    sentAt: signage.clock.now().toISOString(),
    intervalMs,
    appVersion: '0.1.0',
    content: {
      manifestVersion: 'v1',
      state: 'in-sync',
      lastSyncAt: null,
      missingAssets: { count: 0, sha256: [] },
    },
    peripherals: null,
    system: {
      diskFreeBytes: 1e9,
      memoryFreeBytes: 1e8,
      memoryTotalBytes: 2e9,
      uptimeSeconds: 100,
      appUptimeSeconds: 10,
    },
    lastError: null,
    screen: null,
  };
}

const auditActions = () =>
  (
    signage.db.prepare('SELECT action, target FROM audit_log ORDER BY id').all() as {
      action: string;
      target: string;
    }[]
  ).filter((row) => row.action !== 'device.pairing-code' && row.action !== 'device.enroll');

/** An open event stream of a device, collecting what is written to it. */
function openStream(deviceId: string) {
  const chunks: string[] = [];
  const close = hub.subscribe({
    deviceId,
    scope: 'all',
    write: (chunk) => chunks.push(chunk),
    close: () => {},
  });
  const commands = () =>
    chunks
      .filter((chunk) => chunk.startsWith('event: command\n'))
      .map((chunk) => DeviceCommandEventV1.parse(JSON.parse(chunk.split('\ndata: ')[1] ?? 'null')));
  return { chunks, commands, close };
}

beforeEach(() => {
  signage = createTestSignage();
  logged = [];
  hub = new DeviceEventHub();
  const capture = (level: string) => (data: Record<string, unknown>, message: string) =>
    void logged.push({ level, message, data });
  fleet = new FleetService(
    new FleetRepository(signage.db),
    signage.devices,
    hub,
    new AuditService(signage.db, signage.clock),
    signage.clock,
    { info: capture('info'), warn: capture('warn') } as never,
  );
  hub.onSubscribed((deviceId) => fleet.deliverOpenCommands(deviceId));
});
afterEach(() => {
  hub.closeAll();
  signage.cleanup();
});

describe('connectivityOf', () => {
  const table: [string, { receivedAtMs: number; intervalMs: number } | null, number, string][] = [
    ['never reported', null, 10_000, 'never'],
    ['just reported', { receivedAtMs: 10_000, intervalMs: 1_000 }, 10_000, 'online'],
    ['two intervals late', { receivedAtMs: 10_000, intervalMs: 1_000 }, 12_000, 'online'],
    ['exactly three intervals late', { receivedAtMs: 10_000, intervalMs: 1_000 }, 13_000, 'online'],
    ['past three intervals', { receivedAtMs: 10_000, intervalMs: 1_000 }, 13_001, 'offline'],
    ['a slow kiosk is judged by its own interval', { receivedAtMs: 0, intervalMs: 30_000 }, 80_000, 'online'],
    ['…and goes offline after 3 × 30 s', { receivedAtMs: 0, intervalMs: 30_000 }, 90_001, 'offline'],
  ];
  for (const [name, last, now, expected] of table) {
    it(name, () => expect(connectivityOf(last, now, 3).state).toBe(expected));
  }
  it('names the moment it goes offline', () => {
    expect(connectivityOf({ receivedAtMs: 1_000, intervalMs: 500 }, 0, 4).offlineAtMs).toBe(3_000);
  });
});

describe('nextCommandState', () => {
  const table: [CommandState, CommandEvent, CommandState | null][] = [
    ['pending', 'deliver', 'delivered'],
    ['pending', 'ack', 'acked'],
    ['pending', 'fail', 'failed'],
    ['delivered', 'deliver', 'delivered'],
    ['delivered', 'ack', 'acked'],
    ['delivered', 'fail', 'failed'],
    ['acked', 'deliver', null],
    ['acked', 'ack', null],
    ['acked', 'fail', null],
    ['failed', 'deliver', null],
    ['failed', 'ack', null],
    ['failed', 'fail', null],
  ];
  for (const [state, event, next] of table) {
    it(`${state} + ${event} → ${next}`, () => expect(nextCommandState(state, event)).toBe(next));
  }
});

describe('pngSize', () => {
  it('reads width and height of a real PNG and refuses other bytes', () => {
    expect(pngSize(makePng(40, 30))).toEqual({ width: 40, height: 30 });
    expect(pngSize(Buffer.from('GIF89a not a png at all, long enough to have a header'))).toBeNull();
    const truncated = makePng(4, 4).subarray(0, 20);
    expect(pngSize(truncated)).toBeNull();
  });
});

describe('heartbeats and offline detection', () => {
  it('marks a quiet device offline once, logs and audits each transition, and brings it back', () => {
    const lobby = enroll('Lobby A');
    const gate = enroll('Gate');
    fleet.recordHeartbeat(lobby, report(1_000));
    fleet.recordHeartbeat(gate, report(1_000));
    expect(fleet.overview().map((d) => d.connectivity)).toEqual(['online', 'online']);

    signage.clock.advance(2_000);
    fleet.recordHeartbeat(gate, report(1_000));
    signage.clock.advance(1_001);
    expect(fleet.check()).toEqual([
      { deviceId: lobby.id, name: 'Lobby A', state: 'offline', at: signage.clock.now().toISOString() },
    ]);
    expect(fleet.check()).toEqual([]);
    expect(fleet.offlineDevices().map((d) => d.name)).toEqual(['Lobby A']);
    const lobbyView = fleet.overview().find((d) => d.id === lobby.id);
    expect(lobbyView).toMatchObject({ connectivity: 'offline', report: { appVersion: '0.1.0' } });
    expect(logged.filter((l) => l.level === 'warn')).toEqual([
      expect.objectContaining({
        message: 'device offline: heartbeats stopped',
        data: expect.objectContaining({ deviceId: lobby.id }),
      }),
    ]);

    fleet.recordHeartbeat(lobby, report(1_000));
    expect(fleet.offlineDevices()).toEqual([]);
    expect(auditActions()).toEqual([
      { action: 'device.online', target: lobby.id },
      { action: 'device.online', target: gate.id },
      { action: 'device.offline', target: lobby.id },
      { action: 'device.online', target: lobby.id },
    ]);
  });

  it('survives a restart without announcing again, and ignores revoked devices', () => {
    const lobby = enroll('Lobby A');
    fleet.recordHeartbeat(lobby, report(1_000));
    signage.clock.advance(5_000);
    expect(fleet.check()).toHaveLength(1);
    const restarted = new FleetService(
      new FleetRepository(signage.db),
      signage.devices,
      signage.deviceEvents,
      { record: () => 0 },
      signage.clock,
      { info: () => {}, warn: () => {} } as never,
    );
    expect(restarted.check()).toEqual([]);
    signage.devices.revoke(lobby.id, admin);
    expect(restarted.offlineDevices()).toEqual([]);
  });
});

describe('commands', () => {
  it('wait while the device has no stream, are sent when it connects, and are acknowledged once', () => {
    const lobby = enroll('Lobby A');
    const issued = fleet.issueCommand(lobby.id, 'identify', admin);
    if (!issued.ok) throw new Error(issued.error.message);
    expect(issued.value).toMatchObject({ state: 'pending', issuedBy: 'admin', kind: 'identify' });

    const stream = openStream(lobby.id);
    expect(stream.commands()).toEqual([
      expect.objectContaining({ id: issued.value.id, kind: 'identify', deviceName: 'Lobby A' }),
    ]);
    // a reconnect before the ack gets it again
    const again = openStream(lobby.id);
    expect(again.commands().map((c) => c.id)).toEqual([issued.value.id]);

    expect(fleet.acknowledge(lobby, issued.value.id, { ok: true, result: { shownMs: 5000 } })).toMatchObject({
      ok: true,
      value: { state: 'acked', result: { shownMs: 5000 } },
    });
    expect(fleet.acknowledge(lobby, issued.value.id, { ok: true })).toMatchObject({
      ok: false,
      error: { kind: 'conflict' },
    });
    openStream(lobby.id);
    expect(openStream(lobby.id).commands()).toEqual([]);
    expect(auditActions()).toEqual([{ action: 'device.command', target: lobby.id }]);
  });

  it('go out at once to a connected device; a failure is recorded with its reason', () => {
    const lobby = enroll('Lobby A');
    const stream = openStream(lobby.id);
    const issued = fleet.issueCommand(lobby.id, 'reload-content', admin);
    if (!issued.ok) throw new Error('issue');
    expect(issued.value.state).toBe('delivered');
    expect(stream.commands().map((c) => c.kind)).toEqual(['reload-content']);
    const failed = fleet.acknowledge(lobby, issued.value.id, {
      ok: false,
      error: { kind: 'offline', message: 'server unreachable' },
    });
    expect(failed).toMatchObject({
      ok: true,
      value: { state: 'failed', result: { error: { kind: 'offline' } } },
    });
  });

  it('refuse another device, revoked and unknown devices', () => {
    const lobby = enroll('Lobby A');
    const gate = enroll('Gate');
    const issued = fleet.issueCommand(lobby.id, 'identify', admin);
    if (!issued.ok) throw new Error('issue');
    expect(fleet.acknowledge(gate, issued.value.id, { ok: true })).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    expect(fleet.issueCommand('nope', 'identify', admin)).toMatchObject({
      ok: false,
      error: { kind: 'not-found' },
    });
    signage.devices.revoke(gate.id, admin);
    expect(fleet.issueCommand(gate.id, 'identify', admin)).toMatchObject({
      ok: false,
      error: { kind: 'revoked' },
    });
  });

  it('take a screenshot only as a PNG, and store nothing for bad bytes', () => {
    const lobby = enroll('Lobby A');
    const issued = fleet.issueCommand(lobby.id, 'screenshot', admin);
    if (!issued.ok) throw new Error('issue');
    expect(fleet.acknowledge(lobby, issued.value.id, { ok: true })).toMatchObject({
      ok: false,
      error: { kind: 'unsupported' },
    });
    const fake = Buffer.concat([Buffer.from('<svg onload=alert(1)>'), Buffer.alloc(64)]);
    expect(fleet.acknowledgeScreenshot(lobby, issued.value.id, fake)).toMatchObject({
      ok: false,
      error: { kind: 'unsupported' },
    });
    expect(fleet.screenshot(issued.value.id)).toBeNull();
    const png = makePng(108, 192, [10, 120, 90]);
    expect(fleet.acknowledgeScreenshot(lobby, issued.value.id, png)).toMatchObject({
      ok: true,
      value: { state: 'acked', hasScreenshot: true, result: { width: 108, height: 192 } },
    });
    expect(fleet.screenshot(issued.value.id)?.equals(png)).toBe(true);
    expect(fleet.overview().find((d) => d.id === lobby.id)?.latestScreenshot?.id).toBe(issued.value.id);

    const identify = fleet.issueCommand(lobby.id, 'identify', admin);
    if (!identify.ok) throw new Error('issue');
    expect(fleet.acknowledgeScreenshot(lobby, identify.value.id, png)).toMatchObject({
      ok: false,
      error: { kind: 'invalid' },
    });
  });

  it('expire when nobody acknowledges them in time', () => {
    const lobby = enroll('Lobby A');
    const issued = fleet.issueCommand(lobby.id, 'restart-app', admin);
    if (!issued.ok) throw new Error('issue');
    signage.clock.advance(15 * 60 * 1000 + 1);
    fleet.check();
    expect(fleet.overview()[0]?.recentCommands[0]).toMatchObject({
      state: 'failed',
      result: { error: { kind: 'expired' } },
    });
  });
});
