import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { alertPaths, type DeviceAlertsV1, type DeviceAlertV1 } from '@linli/content';
import { afterEach, describe, expect, it } from 'vitest';
import type { KioskAlerts, KioskStatus } from '../shared/kiosk-api';
import { AlertRepository } from './alert.repository';
import { AlertService } from './alert.service';
import { migrate, openCacheDatabase, type CacheDatabase } from './cache/cache-database';
import { correctedClock, type Clock } from './clock';
import { DeviceApiClient, type ServerEvent } from './device-api.client';
import { silentLogger } from './logger';
import { ManualClock } from './testing/manual-clock';
import { makeTempDir, waitFor } from './testing/temp-dir';

const T0 = Date.UTC(2026, 10, 20, 2, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const fire: DeviceAlertV1 = {
  id: 'alert-fire',
  kind: 'fire',
  severity: 'critical',
  title: { 'zh-CN': '火警', en: 'Fire alarm' },
  body: { 'zh-CN': '请立即撤离', en: 'Leave now' },
  raisedAt: iso(T0),
  expiresAt: iso(T0 + 10 * 60_000),
};
const bins: DeviceAlertV1 = {
  ...fire,
  id: 'alert-bins',
  kind: 'bin-full',
  severity: 'info',
  raisedAt: iso(T0 + 1_000),
  expiresAt: iso(T0 + 60 * 60_000),
};
const set = (alerts: DeviceAlertV1[], sentAtMs = T0): DeviceAlertsV1 => ({ alerts, sentAt: iso(sentAtMs) });
const event = (data: unknown): ServerEvent => ({ event: 'alert', data: JSON.stringify(data) });

let temp: ReturnType<typeof makeTempDir> | undefined;
const opened: CacheDatabase[] = [];
const services: AlertService[] = [];
let http: Server | undefined;
afterEach(async () => {
  services.splice(0).forEach((s) => s.stop());
  opened.splice(0).forEach((db) => db.close());
  temp?.remove();
  temp = undefined;
  if (http) await new Promise((resolve) => http!.close(resolve));
  http = undefined;
});

/** A kiosk's alert service over a cache.db file in `dir` (the same dir again is a restarted kiosk). */
function kiosk(
  dir: string,
  clock: Clock,
  client: Pick<DeviceApiClient, 'fetchAlerts'> = {
    fetchAlerts: async () => ({ ok: false, error: { kind: 'offline', message: 'no server' } }),
  },
) {
  const db = openCacheDatabase(join(dir, 'cache.db'));
  migrate(db);
  opened.push(db);
  const listeners = new Set<(event: ServerEvent) => void>();
  const statusListeners = new Set<(status: KioskStatus) => void>();
  let status = { deviceId: 'device-1' } as KioskStatus;
  const service = new AlertService(
    {
      repository: new AlertRepository(db),
      sync: {
        onServerEvent: (listener) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        credential: () => 'credential',
        getStatus: () => status,
        onStatusChanged: (listener) => {
          statusListeners.add(listener);
          return () => statusListeners.delete(listener);
        },
      },
      client,
      clock,
      logger: silentLogger,
    },
    { pollIntervalMs: 30_000 },
  );
  services.push(service);
  const seen: KioskAlerts[] = [];
  service.onChanged((alerts) => seen.push(alerts));
  service.load();
  service.start();
  return {
    service,
    seen,
    ids: () => service.current().alerts.map((a) => a.id),
    push: (e: ServerEvent) => listeners.forEach((listener) => listener(e)),
    /** The sync service reports an enrolment (a status with this device id). */
    enrolled: (deviceId: string) => {
      status = { ...status, deviceId };
      statusListeners.forEach((listener) => listener(status));
    },
  };
}

describe('kiosk alerts', () => {
  it('shows a pushed alert, keeps it in cache.db and shows it again after a restart without a server', () => {
    temp = makeTempDir();
    const clock = new ManualClock(T0);
    const first = kiosk(temp.dir, clock);
    expect(first.ids()).toEqual([]);
    first.push(event(set([fire, bins])));
    expect(first.ids()).toEqual(['alert-fire', 'alert-bins']);
    expect(first.seen.at(-1)?.alerts.map((a) => a.id)).toEqual(['alert-fire', 'alert-bins']);
    first.service.stop();

    clock.advance(60_000);
    const restarted = kiosk(temp.dir, clock);
    expect(restarted.ids()).toEqual(['alert-fire', 'alert-bins']);
    expect(restarted.service.current().alerts[0]).toEqual(fire);
  });

  it('drops the alerts of an earlier enrolment as soon as the kiosk is enrolled again, and asks the new server', async () => {
    temp = makeTempDir();
    const clock = new ManualClock(T0);
    const asked: string[] = [];
    const k = kiosk(temp.dir, clock, {
      fetchAlerts: async (credential) => {
        asked.push(credential);
        return { ok: true, value: set([bins], T0 - 60_000) };
      },
    });
    k.push(event(set([fire], T0 + 5_000)));
    expect(k.ids()).toEqual(['alert-fire']);
    // a status that repeats the same enrolment changes nothing
    k.enrolled('device-1');
    expect(k.ids()).toEqual(['alert-fire']);
    expect(asked).toEqual([]);

    // enrolled again (moved to another community): the old alarm goes at once, and the new server's set (whose
    // clock may be behind the old one's) is taken from a poll without waiting for the next one
    k.enrolled('device-2');
    expect(k.ids()).not.toContain('alert-fire');
    await waitFor(() => k.ids().includes('alert-bins'), 'the alerts of the new enrolment');
    expect(asked).toEqual(['credential']);
    k.service.stop();
    // nothing of the earlier enrolment comes back after a restart
    expect(kiosk(temp.dir, clock).ids()).toEqual(['alert-bins']);
  });

  it('removes an alert on a clear and ignores an older set that arrives late', () => {
    temp = makeTempDir();
    const clock = new ManualClock(T0);
    const k = kiosk(temp.dir, clock);
    k.push(event(set([fire], T0 + 1_000)));
    k.push(event(set([], T0 + 2_000)));
    expect(k.ids()).toEqual([]);
    expect(k.seen.map((s) => s.alerts.length)).toEqual([1, 0]);
    // a poll answered before the clear but delivered after it must not bring the alarm back
    expect(k.service.apply(set([fire], T0 + 1_500))).toBe(false);
    expect(k.ids()).toEqual([]);
    k.push({ event: 'alert', data: '{"alerts": "not a list"}' });
    k.push({ event: 'alert', data: 'not json' });
    k.push({ event: 'manifest-changed', data: JSON.stringify(set([fire], T0 + 9_000)) });
    expect(k.ids()).toEqual([]);
    k.service.stop();
    expect(kiosk(temp.dir, clock).ids()).toEqual([]);
  });

  it('ends an alert at its expiry by the server-corrected clock, offline and across a restart', () => {
    temp = makeTempDir();
    const local = new ManualClock(T0 - 60 * 60_000);
    // this kiosk's own clock runs an hour behind the server's; the host has measured that skew
    const serverClock = correctedClock(local, () => -60 * 60_000);
    const k = kiosk(temp.dir, serverClock);
    k.push(event(set([fire, bins])));
    local.advance(10 * 60_000 - 1_000);
    expect(k.ids()).toEqual(['alert-fire', 'alert-bins']);
    local.advance(1_001);
    expect(k.ids()).toEqual(['alert-bins']);
    expect(k.seen.at(-1)?.alerts.map((a) => a.id)).toEqual(['alert-bins']);
    k.service.stop();

    // restarted after the second one ran out too: nothing shows, although the server was never heard again
    local.advance(60 * 60_000);
    expect(kiosk(temp.dir, serverClock).ids()).toEqual([]);
  });

  it('polls GET /api/v1/device/alerts when no event comes', async () => {
    temp = makeTempDir();
    let answer: DeviceAlertsV1 = set([fire], T0);
    const requests: string[] = [];
    http = createServer((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.authorization}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => http!.listen(0, '127.0.0.1', resolve));
    const client = new DeviceApiClient(`http://127.0.0.1:${(http.address() as AddressInfo).port}`);
    const clock = new ManualClock(T0);
    const k = kiosk(temp.dir, clock, client);
    clock.advance(30_000);
    await waitFor(() => k.ids().length === 1, 'the polled alert');
    expect(requests).toEqual([`GET ${alertPaths.deviceAlerts} Bearer credential`]);
    answer = set([], T0 + 40_000);
    clock.advance(30_000);
    await waitFor(() => k.ids().length === 0, 'the polled clear');
  });
});
