import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { createIpcScreenCapturer, type IpcEndpoint } from './screen-capturer';
import { findChromiumBinary, launchChromium } from './shell-launcher';

// The Chromium capturer against a real headless Chromium over --remote-debugging-pipe, on a page of one colour.

let server: Server | null = null;
let close: (() => void) | null = null;
const savedFlags = process.env.LINLI_CHROMIUM_FLAGS;

afterEach(async () => {
  close?.();
  close = null;
  if (server) await new Promise((resolve) => server!.close(resolve));
  server = null;
  if (savedFlags === undefined) delete process.env.LINLI_CHROMIUM_FLAGS;
  else process.env.LINLI_CHROMIUM_FLAGS = savedFlags;
});

/** The colour of the PNG's centre pixel (8-bit RGB or RGBA, filter types handled: what Chromium writes). */
function centrePixel(png: Buffer): { width: number; height: number; rgb: number[] } {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const channels = png[25] === 6 ? 4 : 3;
  const chunks: Buffer[] = [];
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    if (png.toString('ascii', at + 4, at + 8) === 'IDAT') chunks.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(chunks));
  const stride = width * channels;
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = Buffer.from(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)));
    const previous = rows[y - 1] ?? Buffer.alloc(stride);
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? line[x - channels]! : 0;
      const b = previous[x]!;
      const c = x >= channels ? previous[x - channels]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const add = [0, a, b, (a + b) >> 1, paeth][filter] ?? 0;
      line[x] = (line[x]! + add) & 0xff;
    }
    rows.push(line);
  }
  const row = rows[Math.floor(height / 2)]!;
  const x = Math.floor(width / 2) * channels;
  return { width, height, rgb: [row[x]!, row[x + 1]!, row[x + 2]!] };
}

describe('Chromium capture over --remote-debugging-pipe', () => {
  const chromium = findChromiumBinary();
  it.skipIf(!chromium)(
    'captures what the page shows, at the screen size',
    async () => {
      server = createServer((_req, res) =>
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end('<body style="margin:0;background:rgb(200,30,90)"></body>'),
      );
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      process.env.LINLI_CHROMIUM_FLAGS =
        '--headless --disable-gpu --screen-info={640x360} --window-size=640,360';
      const window = launchChromium(chromium!, url, { debuggingPipe: true });
      close = () => window.close();
      expect(window.capturer).not.toBeNull();
      const last: { shot: Buffer | null } = { shot: null };
      // the browser needs a moment to start and load the page; capture until the page's colour is there
      await expect
        .poll(
          async () => {
            const shot = await window.capturer!.capture();
            last.shot = shot.ok ? shot.value : null;
            return shot.ok ? centrePixel(shot.value).rgb : shot.error.kind;
          },
          { timeout: 30_000, interval: 250 },
        )
        .toEqual([200, 30, 90]);
      expect(last.shot && centrePixel(last.shot)).toMatchObject({ width: 640, height: 360 });
    },
    60_000,
  );

  it('says so when there is no browser', async () => {
    const window = launchChromium('/nonexistent/chromium', 'http://127.0.0.1:9/', { debuggingPipe: true });
    close = () => window.close();
    const shot = await window.capturer!.capture();
    expect(shot).toMatchObject({ ok: false, error: { kind: 'capture-failed' } });
  });
});

describe('the supervised host asks its supervisor over IPC', () => {
  it('matches the answer to its request, and gives up without a supervisor', async () => {
    const listeners = new Set<(message: unknown) => void>();
    const sent: unknown[] = [];
    const endpoint: IpcEndpoint = {
      connected: true,
      send: (message) => {
        sent.push(message);
        const { id } = message as { id: string };
        // another request's answer first: ignored
        queueMicrotask(() => {
          for (const l of listeners) l({ type: 'screenshot-result', id: 'someone-else', pngBase64: 'AAAA' });
          for (const l of listeners)
            l({ type: 'screenshot-result', id, pngBase64: Buffer.from('png!').toString('base64') });
        });
        return true;
      },
      on: (_event, listener) => listeners.add(listener),
      off: (_event, listener) => listeners.delete(listener),
    };
    const shot = await createIpcScreenCapturer(endpoint).capture();
    expect(shot).toEqual({ ok: true, value: Buffer.from('png!') });
    expect(sent).toEqual([{ type: 'screenshot-request', id: expect.any(String) }]);
    expect(listeners.size).toBe(0);

    const alone = await createIpcScreenCapturer({ on: () => undefined, off: () => undefined }).capture();
    expect(alone).toMatchObject({ ok: false, error: { kind: 'no-screen' } });
  });
});
