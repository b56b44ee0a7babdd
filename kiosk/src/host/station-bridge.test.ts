import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseStationBridgeFragment, StationBridgeHostMessage } from '@linli/content';
import type { RendererHeartbeat } from '../shared/kiosk-api';
import { startKioskHost, type KioskHost, type KioskHostConfig } from './kiosk-host';
import { SIMULATOR_PATH } from './kiosk-http.server';
import { silentLogger } from './logger';
import { FakeSignageServer } from './testing/fake-signage-server';
import { makeTempDir, waitFor } from './testing/temp-dir';

// Station mode end to end inside the host: the window's URL is the server's console with the bridge ticket in
// its fragment, the bridge admits only the server's origin with the token, and forwards reader events to it.

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
const hosts: KioskHost[] = [];
const sockets: WebSocket[] = [];

beforeEach(async () => {
  server = await FakeSignageServer.start();
  temp = makeTempDir();
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  for (const host of hosts.splice(0)) await host.stop();
  await server.stop();
  temp.remove();
});

async function startHost(overrides: Partial<KioskHostConfig> = {}) {
  const rendererDir = join(temp.dir, 'renderer');
  mkdirSync(rendererDir, { recursive: true });
  const host = await startKioskHost(
    {
      dataDir: join(temp.dir, 'data'),
      serverUrl: server.url,
      pairingCode: server.createPairingCode(),
      port: 0,
      rendererDir,
      deviceName: 'station-1',
      simulatePeripherals: true,
      stationMode: true,
      sync: { pollIntervalMs: 3_600_000, retryInitialMs: 20, retryMaxMs: 200 },
      ...overrides,
    },
    { logger: () => silentLogger, speechTools: { synthesizer: null, player: null } },
  );
  hosts.push(host);
  return host;
}

const ticketOf = (host: KioskHost) => {
  const ticket = parseStationBridgeFragment(new URL(host.rendererUrl).hash);
  if (!ticket) throw new Error(`no ticket in ${host.rendererUrl}`);
  return ticket;
};

/** Opens the bridge as a page of `origin` would; resolves with the socket and what it received, or rejects. */
function connect(url: string, origin: string) {
  const messages: StationBridgeHostMessage[] = [];
  const socket = new WebSocket(url, { origin });
  sockets.push(socket);
  socket.on('message', (data) => messages.push(StationBridgeHostMessage.parse(JSON.parse(String(data)))));
  return new Promise<{ socket: WebSocket; messages: StationBridgeHostMessage[] }>((resolve, reject) => {
    socket.once('open', () => resolve({ socket, messages }));
    socket.once('error', reject);
  });
}

const card = {
  type: 'card-present',
  at: '2026-11-25T02:00:00.000Z',
  reader: 'Station Sim Reader',
  uid: '04A1B2C3D4E5F6',
  atr: null,
  technology: 'mifare-classic-1k',
} as const;

describe('station mode', () => {
  it('opens the server console with a bridge ticket in the fragment, never in the query', async () => {
    const host = await startHost();
    const url = new URL(host.rendererUrl);
    expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/station`);
    expect(url.search).toBe('');
    expect(host.pageOrigin).toBe(new URL(server.url).origin);
    const ticket = ticketOf(host);
    expect(ticket.device).toBe('station-1');
    expect(ticket.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/station-bridge\?token=/);
    expect(new URL(ticket.url).host).toBe(new URL(host.origin).host);
  });

  it('admits only the server origin with the token, and forwards every reader event to it', async () => {
    const host = await startHost();
    const ticket = ticketOf(host);
    const serverOrigin = new URL(server.url).origin;
    const wrongToken = ticket.url.replace(/token=[^&]+/, 'token=not-the-token');
    await expect(connect(ticket.url, 'http://evil.example')).rejects.toThrow(/403/);
    // The kiosk's own renderer origin is not the console either.
    await expect(connect(ticket.url, host.origin)).rejects.toThrow(/403/);
    await expect(connect(wrongToken, serverOrigin)).rejects.toThrow(/403/);

    const { messages } = await connect(ticket.url, serverOrigin);
    await waitFor(() => messages.length >= 1, 'the reader list');
    expect(messages[0]).toEqual({ type: 'readers', readers: [] });

    const token = new URL(ticket.url).searchParams.get('token');
    const posted = await fetch(`${host.origin}${SIMULATOR_PATH}?token=${token}`, {
      method: 'POST',
      body: JSON.stringify(card),
    });
    expect(posted.status).toBe(204);
    await waitFor(() => messages.length >= 3, 'the card event and the new reader list');
    expect(messages[1]).toEqual({ type: 'event', event: card });
    expect(messages[2]).toMatchObject({
      type: 'readers',
      readers: [{ reader: 'Station Sim Reader', state: 'card-present' }],
    });
  });

  it('takes the console page heartbeat as the window heartbeat and closes on anything else', async () => {
    const host = await startHost();
    const beats: RendererHeartbeat[] = [];
    host.onRendererHeartbeat((beat) => beats.push(beat));
    const { socket } = await connect(ticketOf(host).url, new URL(server.url).origin);
    socket.send(
      JSON.stringify({
        type: 'heartbeat',
        screen: '/station',
        lastInteractionAt: '2026-11-25T02:00:00.000Z',
      }),
    );
    await waitFor(() => beats.length === 1, 'the heartbeat');
    expect(beats[0]).toEqual({ screen: '/station', items: 1, lastInteractionAt: '2026-11-25T02:00:00.000Z' });

    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    socket.send(JSON.stringify({ type: 'simulate', event: card }));
    expect(await closed).toBe(1003);
  });

  it('serves no bridge outside station mode', async () => {
    const host = await startHost({ stationMode: false });
    expect(host.rendererUrl.startsWith(host.origin)).toBe(true);
    const token = new URL(host.rendererUrl).searchParams.get('token');
    const url = `ws://${new URL(host.origin).host}/station-bridge?token=${token}`;
    await expect(connect(url, new URL(server.url).origin)).rejects.toThrow(/403/);
  });
});
