import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, relative, sep } from 'node:path';
import { WebSocketServer } from 'ws';
import { PeripheralEvent, STATION_BRIDGE_PATH } from '@linli/content';
import { hostPaths } from '../shared/kiosk-api';
import type { ServiceDispatcher } from '../shared/service-definition';
import { serveOverWebSocket } from '../shared/websocket-transport';
import type { AssetStore } from './asset-store';
import type { CacheRepository } from './cache/cache.repository';
import type { Logger } from './logger';
import type { SimulatedPeripherals } from './session.service';
import type { StationBridge } from './station-bridge';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  // pdf.js's worker (content kinds: PDF); a module worker is refused unless served as JavaScript
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};
const SESSION_COOKIE = 'linli-kiosk';
const ASSET_PATH = /^\/assets\/([0-9a-f]{64})$/;
/** Loopback route of the peripheral simulator (only with `--simulate-peripherals`). */
export const SIMULATOR_PATH = '/simulate/peripheral-event';
const MAX_SIMULATOR_BODY = 64 * 1024;

/** What the loopback server needs. */
export interface KioskHttpServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** The built renderer (index.html + app/…). */
  rendererDir: string;
  assets: AssetStore;
  repository: CacheRepository;
  logger: Logger;
  /** Fixed token for tests; a random one per launch otherwise. */
  token?: string;
  /** Accept `POST /simulate/peripheral-event` (a PeripheralEvent as JSON) into this simulator. */
  simulator?: SimulatedPeripherals;
  /**
   * Station mode: serve the reader bridge at `/station-bridge` to pages of `allowedOrigin` (the signage server's
   * station console) that carry the token.
   */
  stationBridge?: { allowedOrigin: string; bridge: StationBridge };
}

/** The running loopback server. */
export interface KioskHttpServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  token: string;
  /** The renderer's URL, token included: what a shell opens. */
  rendererUrl: string;
  /** URL template of a cached asset for the renderer (`{sha256}` to fill in). */
  assetUrlTemplate: string;
  /** `ws://127.0.0.1:<port>/station-bridge?token=…`: the station bridge a console page connects to. */
  stationBridgeUrl: string;
  /** Serves KioskApi on the WebSocket; until called, API connections are refused. */
  attachApi(dispatcher: ServiceDispatcher): void;
  close(): Promise<void>;
}

/**
 * The host's loopback HTTP server for the browser shell: the built renderer, cached assets and the KioskApi
 * WebSocket. It listens on 127.0.0.1 only and answers nothing without the per-launch token, so neither another
 * machine nor another local page (DNS rebinding, a stray tab) can read content or drive the API.
 */
export async function startKioskHttpServer(options: KioskHttpServerOptions): Promise<KioskHttpServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const tokenBytes = Buffer.from(token);
  const files = await listStaticFiles(options.rendererDir);
  let dispatcher: ServiceDispatcher | null = null;
  let origin = '';
  let host = '';
  let csp = '';

  const tokenMatches = (candidate: string | null | undefined) => {
    if (!candidate) return false;
    const bytes = Buffer.from(candidate);
    return bytes.length === tokenBytes.length && timingSafeEqual(bytes, tokenBytes);
  };
  const queryToken = (url: URL) => url.searchParams.get(hostPaths.tokenParameter);

  const send = (res: ServerResponse, status: number, text: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    setSecurityHeaders(res, csp);
    // The Host check defeats DNS rebinding: a page at evil.example resolving to 127.0.0.1 sends its own name.
    if (req.headers.host !== host) return send(res, 421, 'wrong host');
    const url = new URL(req.url ?? '/', origin);
    const viaQuery = tokenMatches(queryToken(url));
    if (!viaQuery && !tokenMatches(cookieOf(req, SESSION_COOKIE))) return send(res, 403, 'token required');
    if (req.method === 'POST' && url.pathname === SIMULATOR_PATH && options.simulator) {
      return simulate(req, res, options.simulator);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');

    const asset = ASSET_PATH.exec(url.pathname);
    if (asset?.[1]) return serveAsset(res, asset[1], req.method === 'HEAD');

    const file = files.get(url.pathname === '/' ? '/index.html' : url.pathname);
    if (!file) return send(res, 404, 'not found');
    const headers: Record<string, string> = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-cache',
    };
    // The page's subresources (scripts, styles) cannot carry the query token; a strict, HTTP-only cookie set
    // by the token-bearing page load carries it for them.
    if (viaQuery && file.endsWith('index.html')) {
      headers['set-cookie'] = `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    }
    const body = await readFile(file);
    res.writeHead(200, { ...headers, 'content-length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };

  const serveAsset = async (res: ServerResponse, sha256: string, headOnly: boolean) => {
    const record = options.repository.getAsset(sha256);
    if (!record || !(await options.assets.isPresent(sha256, record.size)))
      return send(res, 404, 'asset not cached');
    res.writeHead(200, {
      'content-type': record.mime,
      'content-length': String(record.size),
      // Content-addressed: the bytes behind a name never change.
      'cache-control': 'private, max-age=31536000, immutable',
    });
    if (headOnly) return res.end();
    createReadStream(options.assets.pathOf(sha256))
      .on('error', () => res.destroy())
      .pipe(res);
  };

  const simulate = async (req: IncomingMessage, res: ServerResponse, simulator: SimulatedPeripherals) => {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_SIMULATOR_BODY) return send(res, 413, 'too large');
      chunks.push(chunk);
    }
    let json: unknown = null;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return send(res, 400, 'not JSON');
    }
    const event = PeripheralEvent.safeParse(json);
    if (!event.success) return send(res, 400, `not a PeripheralEvent: ${event.error.issues[0]?.message}`);
    simulator.emit(event.data);
    send(res, 204, '');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.logger.error('request failed', { url: req.url, error: String(error) });
      if (!res.headersSent) send(res, 500, 'internal error');
      else res.destroy();
    });
  });

  const sockets = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const station = options.stationBridge;
    if (station && url.pathname === STATION_BRIDGE_PATH) {
      // Cross-origin on purpose: the console page lives on the server. Only that origin, with the token it was
      // handed in its URL fragment, may listen to the readers.
      const admitted =
        req.headers.host === host &&
        req.headers.origin === station.allowedOrigin &&
        tokenMatches(queryToken(url));
      if (!admitted) {
        socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      sockets.handleUpgrade(req, socket, head, (ws) => station.bridge.accept(ws));
      return;
    }
    const allowed =
      req.headers.host === host &&
      url.pathname === hostPaths.api &&
      // Browsers always send Origin on a WebSocket; only our own page may connect.
      req.headers.origin === origin &&
      tokenMatches(queryToken(url)) &&
      dispatcher !== null;
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (ws) => {
      const connection = serveOverWebSocket(dispatcher!, ws);
      ws.on('message', (data, isBinary) => {
        if (isBinary) return ws.close(1003, 'text only');
        void connection.onMessage(data.toString());
      });
      ws.on('close', () => connection.onClose());
      ws.on('error', () => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  host = `127.0.0.1:${port}`;
  origin = `http://${host}`;
  csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ws://${host}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  const encodedToken = encodeURIComponent(token);

  return {
    origin,
    token,
    rendererUrl: `${origin}/?${hostPaths.tokenParameter}=${encodedToken}`,
    stationBridgeUrl: `ws://${host}${STATION_BRIDGE_PATH}?${hostPaths.tokenParameter}=${encodedToken}`,
    assetUrlTemplate: `${origin}${hostPaths.assets}{sha256}?${hostPaths.tokenParameter}=${encodedToken}`,
    attachApi(next) {
      dispatcher = next;
    },
    async close() {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function setSecurityHeaders(res: ServerResponse, csp: string) {
  res.setHeader('content-security-policy', csp);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-resource-policy', 'same-origin');
}

function cookieOf(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}

/** Every file of the built renderer by URL path, read once: no path from a request ever reaches the file system. */
async function listStaticFiles(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const walk = async (current: string) => {
    for (const entry of await readdir(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files.set('/' + relative(dir, path).split(sep).join('/'), path);
    }
  };
  try {
    if ((await stat(dir)).isDirectory()) await walk(dir);
  } catch {
    // No build: the API and assets still work; the page answers 404 until `npm run build -w @linli/kiosk`.
  }
  return files;
}
