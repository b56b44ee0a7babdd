import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  createIpcClientTransport,
  serveOverIpc,
  type IpcMainLike,
  type IpcRendererLike,
  type IpcSenderLike,
} from './ipc-transport';
import { kioskApiDefinition, type ContentSnapshot, type KioskApi, type KioskStatus } from './kiosk-api';
import { fail, ok } from './result';
import {
  createServiceDispatcher,
  createServiceProxy,
  defineService,
  type ServiceApi,
} from './service-definition';

const status: KioskStatus = {
  enrolled: true,
  deviceId: 'dev-1',
  online: true,
  lastSyncAt: '2026-11-20T00:00:00.000Z',
  lastError: null,
  manifestVersion: 'v1',
  clockSkewMs: 0,
};
const snapshot: ContentSnapshot = {
  manifestVersion: 'v1',
  items: [],
  assetUrlTemplate: 'http://127.0.0.1:1/assets/{sha256}',
};

/** A host-side KioskApi whose events the test fires by hand. */
function fakeHost() {
  const contentListeners = new Set<(s: ContentSnapshot) => void>();
  const api: KioskApi = {
    getContent: async () => ok(snapshot),
    getStatus: async () => ok(status),
    getSettings: async () =>
      ok({ idleTimeoutMs: 1, attractSlideMs: 1, heartbeatIntervalMs: 1, publicItemUrlTemplate: null }),
    getSession: async () => ok({ sequence: 0, card: null, document: null, barcode: null, speaking: false }),
    resetSession: async () => ok({ sequence: 1, card: null, document: null, barcode: null, speaking: false }),
    search: async (request) => ok({ query: request.query, method: 'none', hits: [] }),
    speak: async () => fail('speech-unavailable', 'no espeak-ng here'),
    stopSpeaking: async () => ok(null),
    heartbeat: async () => ok(null),
    getDevConfig: async () => ok({ enabled: false, devices: [] }),
    simTapCard: async () => fail('dev-panel-disabled', 'off'),
    simRemoveCard: async () => fail('dev-panel-disabled', 'off'),
    simScanBarcode: async () => fail('dev-panel-disabled', 'off'),
    simFeedDocument: async () => fail('dev-panel-disabled', 'off'),
    paymentCard: async () => fail('no-card', 'tap your card first'),
    paymentPay: async () => fail('no-card', 'tap your card first'),
    paymentStatement: async () => fail('no-card', 'tap your card first'),
    paymentReportLost: async () => fail('server-unreachable', 'no server here'),
    paymentTopUpStart: async () => fail('no-card', 'tap your card first'),
    paymentTopUpStatus: async () => fail('no-topup', 'no top-up started'),
    visitorSettings: async () => ok({ consentTextVersion: 'v1', retentionDays: 90, gateMode: false }),
    visitorConsent: async () => ok(null),
    visitorDocument: async () => fail('no-document', 'nothing scanned'),
    visitorIdentify: async () => fail('no-document', 'nothing scanned'),
    visitorBuildings: async () => fail('server-unreachable', 'no server here'),
    visitorUnitLookup: async () => fail('server-unreachable', 'no server here'),
    visitorSubmit: async () => fail('no-consent', 'no consent'),
    visitorProgress: async () => fail('no-registration', 'nothing submitted'),
    getAlerts: async () => ok({ alerts: [] }),
    rateProvider: async () => fail('offline', 'no server here'),
    getSignage: async () => ok({ mode: 'touch', layout: null, playlists: [] }),
    recordPlay: async () => ok(null),
    recordTouch: async () => ok(null),
    onContentChanged: (listener) => {
      contentListeners.add(listener);
      return () => contentListeners.delete(listener);
    },
    onStatusChanged: () => () => {},
    onSessionChanged: () => () => {},
    onIdentify: () => () => {},
    onAlertsChanged: () => () => {},
    onSignageChanged: () => () => {},
  };
  return { api, fireContent: (s: ContentSnapshot) => contentListeners.forEach((l) => l(s)) };
}

/**
 * An in-memory stand-in for Electron's ipcMain/ipcRenderer pair: the one true edge here (there is no Electron
 * binary on build machines). It behaves like Electron in what matters: invoke reaches the handler of the channel
 * with the sender's frame, and send reaches the listeners of the channel.
 */
function fakeElectronIpc(frameUrl: string) {
  const handlers = new Map<string, (event: IpcSenderLike, ...args: unknown[]) => unknown>();
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipcMain: IpcMainLike = {
    handle: (channel, handler) => void handlers.set(channel, handler),
    removeHandler: (channel) => void handlers.delete(channel),
  };
  const ipcRenderer: IpcRendererLike = {
    invoke: async (channel, ...args) => {
      const handler = handlers.get(channel);
      if (!handler) throw new Error(`No handler registered for '${channel}'`);
      return structuredClone(await handler({ senderFrame: { url: frameUrl } }, ...structuredClone(args)));
    },
    on: (channel, listener) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(listener)),
    removeListener: (channel, listener) => listeners.get(channel)?.delete(listener),
  };
  const send = (channel: string, data: unknown) =>
    listeners.get(channel)?.forEach((l) => l({}, structuredClone(data)));
  return { ipcMain, ipcRenderer, send, handlers };
}

describe('KioskApi over Electron IPC', () => {
  const origin = 'http://127.0.0.1:4567';
  const trusted = (event: IpcSenderLike) =>
    event.senderFrame !== null && new URL(event.senderFrame.url).origin === origin;

  it('answers calls and forwards events from the one definition', async () => {
    const host = fakeHost();
    const ipc = fakeElectronIpc(`${origin}/?token=x`);
    const stop = serveOverIpc(
      kioskApiDefinition,
      createServiceDispatcher(kioskApiDefinition, host.api),
      ipc.ipcMain,
      {
        isTrustedSender: trusted,
        send: ipc.send,
      },
    );
    const api = createServiceProxy(
      kioskApiDefinition,
      createIpcClientTransport(kioskApiDefinition, ipc.ipcRenderer),
    );
    expect(await api.getStatus()).toEqual({ ok: true, value: status });

    const seen: ContentSnapshot[] = [];
    const unsubscribe = api.onContentChanged((s) => seen.push(s));
    host.fireContent({ ...snapshot, manifestVersion: 'v2' });
    expect(seen.map((s) => s.manifestVersion)).toEqual(['v2']);
    unsubscribe();
    host.fireContent({ ...snapshot, manifestVersion: 'v3' });
    expect(seen).toHaveLength(1);

    stop();
    expect(ipc.handlers.size).toBe(0);
  });

  it('refuses calls from a frame of another origin', async () => {
    const host = fakeHost();
    const ipc = fakeElectronIpc('https://evil.example/');
    serveOverIpc(kioskApiDefinition, createServiceDispatcher(kioskApiDefinition, host.api), ipc.ipcMain, {
      isTrustedSender: trusted,
      send: ipc.send,
    });
    const api = createServiceProxy(
      kioskApiDefinition,
      createIpcClientTransport(kioskApiDefinition, ipc.ipcRenderer),
    );
    expect(await api.getContent()).toMatchObject({ ok: false, error: { kind: 'forbidden' } });
  });
});

describe('service dispatcher and proxy', () => {
  const echo = defineService({
    name: 'test.echo',
    methods: {
      twice: { args: z.tuple([z.number()]), result: z.number() },
      explode: { args: z.tuple([]), result: z.number() },
      lie: { args: z.tuple([]), result: z.number() },
    },
    events: {},
  });
  const impl: ServiceApi<typeof echo> = {
    twice: async (n) => ok(n * 2),
    explode: async () => {
      throw new Error('boom');
    },
    lie: async () => ok('not a number' as unknown as number),
  };
  const dispatcher = createServiceDispatcher(echo, impl);
  const proxy = createServiceProxy(echo, {
    invoke: (m, a) => dispatcher.call(m, a),
    onEvent: () => () => {},
  });

  it.each([
    ['a valid call', 'twice', [21], { ok: true, value: 42 }],
    ['an unknown method', 'nope', [], fail('unknown-method', 'no method test.echo.nope')],
    ['bad arguments', 'twice', ['21'], { ok: false, error: { kind: 'invalid-arguments' } }],
    ['a prototype name', 'constructor', [], { ok: false, error: { kind: 'unknown-method' } }],
    ['a throwing implementation', 'explode', [], { ok: false, error: { kind: 'internal', message: 'boom' } }],
  ])('dispatches %s', async (_what, method, args, expected) => {
    expect(await dispatcher.call(method, args)).toMatchObject(expected);
  });

  it('refuses a result that does not match the definition', async () => {
    expect(await proxy.lie()).toMatchObject({ ok: false, error: { kind: 'invalid-result' } });
    expect(await proxy.twice(4)).toEqual({ ok: true, value: 8 });
  });
});
