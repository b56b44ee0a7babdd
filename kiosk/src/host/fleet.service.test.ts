import type { CommandAckV1, DeviceCommandEventV1, HeartbeatV1 } from '@linli/content';
import { HeartbeatV1 as HeartbeatSchema } from '@linli/content';
import { describe, expect, it } from 'vitest';
import type { KioskStatus } from '../shared/kiosk-api';
import { fail, ok } from '../shared/result';
import type { ServerEvent } from './device-api.client';
import { FleetService, heartbeatIntervalFrom, syncStateOf } from './fleet.service';
import { silentLogger } from './logger';
import type { ScreenCapturer } from './screen-capturer';
import { ManualClock } from './testing/manual-clock';
import { encodePng } from './testing/png-image';

const status = (change: Partial<KioskStatus> = {}): KioskStatus => ({
  enrolled: true,
  deviceId: 'd1',
  online: true,
  lastSyncAt: null,
  lastError: null,
  manifestVersion: 'v1',
  clockSkewMs: 0,
  ...change,
});

/**
 * The fleet service against stand-ins for its two edges: the server (what it was sent) and the sync service's
 * event stream (fed by hand). Screens and syncs are plain functions the test controls.
 */
function setup(options: { capturer?: ScreenCapturer; missing?: string[]; renderers?: number } = {}) {
  const clock = new ManualClock();
  const acks: { id: string; ack: CommandAckV1 | { png: Buffer } }[] = [];
  const heartbeats: HeartbeatV1[] = [];
  const listeners = new Set<(event: ServerEvent) => void>();
  let ackFails = 0;
  const identified: string[] = [];
  let syncs = 0;
  let restarts = 0;
  const fleet = new FleetService(
    {
      sync: {
        credential: () => 'credential',
        getStatus: () => status(),
        isSyncing: () => false,
        missingAssets: async () => options.missing ?? [],
        onServerEvent: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        syncNow: async () => {
          syncs++;
          return ok('unchanged' as const);
        },
      },
      client: {
        sendHeartbeat: async (_credential, report) => {
          heartbeats.push(HeartbeatSchema.parse(report));
          return ok(undefined);
        },
        acknowledgeCommand: async (_credential, id, ack) => {
          if (ackFails > 0) {
            ackFails--;
            return fail('offline', 'server unreachable');
          }
          acks.push({ id, ack });
          return ok(undefined);
        },
      },
      clock,
      logger: silentLogger,
      capturer: options.capturer ?? { capture: async () => fail('no-screen', 'none') },
      peripherals: () => null,
      rendererScreen: () => 'home',
      identify: (name) => {
        identified.push(name);
        return options.renderers ?? 1;
      },
      restart: () => {
        restarts++;
        return true;
      },
    },
    { heartbeatIntervalMs: 1_000, appVersion: '0.1.0', dataDir: '/', identifyMs: 10_000 },
  );
  const send = (command: DeviceCommandEventV1) => {
    for (const listener of listeners) listener({ event: 'command', data: JSON.stringify(command) });
  };
  return {
    fleet,
    clock,
    acks,
    heartbeats,
    send,
    identified,
    failNextAcks: (n: number) => (ackFails = n),
    counts: () => ({ syncs, restarts }),
  };
}

const command = (kind: DeviceCommandEventV1['kind'], id = crypto.randomUUID()): DeviceCommandEventV1 => ({
  id,
  kind,
  issuedAt: '2026-11-25T02:00:00.000Z',
  deviceName: 'Lobby A',
});

describe('syncStateOf', () => {
  const table: [string, Partial<KioskStatus>, boolean, string][] = [
    ['a sync running', {}, true, 'syncing'],
    ['the last sync failed', { lastError: { kind: 'offline', message: 'x' } }, false, 'error'],
    ['nothing synced yet', { manifestVersion: null }, false, 'never-synced'],
    ['all well', {}, false, 'in-sync'],
  ];
  for (const [name, change, syncing, expected] of table) {
    it(name, () => expect(syncStateOf(status(change), syncing)).toBe(expected));
  }
});

describe('heartbeatIntervalFrom', () => {
  it('reads LINLI_FLEET_HEARTBEAT_MS and falls back to 30 s for missing or silly values', () => {
    expect(heartbeatIntervalFrom({ LINLI_FLEET_HEARTBEAT_MS: '1000' })).toBe(1_000);
    expect(heartbeatIntervalFrom({})).toBe(30_000);
    expect(heartbeatIntervalFrom({ LINLI_FLEET_HEARTBEAT_MS: '5' })).toBe(30_000);
    expect(heartbeatIntervalFrom({ LINLI_FLEET_HEARTBEAT_MS: 'soon' })).toBe(30_000);
  });
});

describe('FleetService', () => {
  it('sends a heartbeat at start and every interval, valid against HeartbeatV1, missing assets capped at 20', async () => {
    const missing = Array.from({ length: 25 }, (_, i) => i.toString(16).padStart(64, '0'));
    const world = setup({ missing });
    world.fleet.start();
    world.clock.advance(0); // the first heartbeat goes out at once
    await expect.poll(() => world.heartbeats.length).toBe(1);
    world.clock.advance(1_000);
    await expect.poll(() => world.heartbeats.length).toBe(2);
    const [report] = world.heartbeats;
    expect(report?.content).toMatchObject({ state: 'in-sync', manifestVersion: 'v1' });
    expect(report?.content.missingAssets.count).toBe(25);
    expect(report?.content.missingAssets.sha256).toHaveLength(20);
    expect(report?.screen).toMatchObject({ mode: 'home' });
    await world.fleet.stop();
    world.clock.advance(5_000);
    expect(world.heartbeats).toHaveLength(2);
  });

  it('carries out each command once, acknowledges it, and tries again when the ack was lost', async () => {
    const world = setup();
    world.fleet.start();
    const reload = command('reload-content');
    world.send(reload);
    world.send(reload); // the stream reconnected before the ack: sent again
    await expect.poll(() => world.acks.length).toBe(1);
    expect(world.acks[0]).toEqual({ id: reload.id, ack: { ok: true, result: { outcome: 'unchanged' } } });
    expect(world.counts().syncs).toBe(1);

    world.failNextAcks(1);
    const identify = command('identify');
    world.send(identify);
    await expect.poll(() => world.identified.length).toBe(1);
    world.send(identify); // the server still has it pending: the kiosk acks this time
    await expect.poll(() => world.acks.map((a) => a.id)).toContain(identify.id);
    expect(world.identified).toEqual(['Lobby A', 'Lobby A']);
    await world.fleet.stop();
  });

  it('ignores malformed command events', async () => {
    const world = setup();
    world.fleet.start();
    world.send({ id: 'not-a-uuid', kind: 'identify', issuedAt: 'x' } as never);
    world.send(command('format-disk' as never));
    await world.fleet.beat();
    expect(world.acks).toEqual([]);
    await world.fleet.stop();
  });

  it('uploads a screenshot as its PNG, or says why there is none', async () => {
    const png = encodePng(12, 20, () => [10, 110, 105]);
    const world = setup({ capturer: { capture: async () => ok(png) } });
    world.fleet.start();
    const shot = command('screenshot');
    world.send(shot);
    await expect.poll(() => world.acks.length).toBe(1);
    expect(world.acks[0]?.ack).toEqual({ png });
    expect((await world.fleet.report()).screen).toEqual({
      mode: 'home',
      width: 12,
      height: 20,
      orientation: 'portrait',
    });
    await world.fleet.stop();

    const blind = setup();
    blind.fleet.start();
    blind.send(command('screenshot'));
    await expect.poll(() => blind.acks.length).toBe(1);
    expect(blind.acks[0]?.ack).toMatchObject({ ok: false, error: { kind: 'no-screen' } });
    await blind.fleet.stop();
  });

  it('fails identify without a screen, and restart without a supervisor', async () => {
    const world = setup({ renderers: 0 });
    world.fleet.start();
    world.send(command('identify'));
    await expect.poll(() => world.acks.length).toBe(1);
    expect(world.acks[0]?.ack).toMatchObject({ ok: false, error: { kind: 'no-renderer' } });
    const saved = process.env.LINLI_KIOSK_TOKEN;
    delete process.env.LINLI_KIOSK_TOKEN;
    try {
      world.send(command('restart-app'));
      await expect.poll(() => world.acks.length).toBe(2);
      expect(world.acks[1]?.ack).toMatchObject({ ok: false, error: { kind: 'no-supervisor' } });
      expect(world.counts().restarts).toBe(0);
      process.env.LINLI_KIOSK_TOKEN = 'supervised';
      world.send(command('restart-app'));
      await expect.poll(() => world.counts().restarts).toBe(1);
      // the ack went out before the restart, so the server knows it was done
      expect(world.acks[2]?.ack).toEqual({ ok: true, result: { restarting: true } });
    } finally {
      if (saved === undefined) delete process.env.LINLI_KIOSK_TOKEN;
      else process.env.LINLI_KIOSK_TOKEN = saved;
    }
    await world.fleet.stop();
  });
});
