import net from 'node:net';
import tls from 'node:tls';

/** An answer's status line and headers (names in lower case; a repeated header's values joined by ", "). */
export interface RawHead {
  status: number;
  headers: Map<string, string>;
}

/**
 * The body of an answer framed by `content-length`: the socket's own chunks, sliced to the declared length. It
 * throws when the connection ends or fails before that length (or when the exchange's time is up). Read it once.
 */
export interface RawBody extends AsyncIterable<Uint8Array> {
  /** Whether every declared byte was read. */
  readonly complete: boolean;
  /** Stops reading; an incomplete answer's connection is closed, never reused. */
  destroy(): void;
}

/** What `request` resolves with: the head, and the body when the answer declared its length (else null). */
export interface RawAnswer {
  head: RawHead;
  body: RawBody | null;
}

/** A kept-alive socket the server had closed before it read the request: safe to send again on a new one. */
class StaleSocketError extends Error {}

/** The most a head may take: enough for any server or proxy; more is a broken answer. */
const MAX_HEAD_BYTES = 32 * 1024;
/** Reading pauses when this much is queued and unread, and resumes below a quarter of it. */
const HIGH_WATER = 2 * 1024 * 1024;

/**
 * A minimal HTTP/1.1 client for the kiosk's largest downloads (asset bundles, sync.service.ts): one request at a
 * time per kept-alive socket, answers framed by `content-length` only. It exists because node:http's parser
 * copies every body byte into a new Buffer before handing it over (node_http_parser.cc `on_body`), which was
 * about a tenth of the kiosk's CPU in a cold sync of 110 MB (bench/sync-cold.mjs); here a body chunk is the
 * Buffer the socket read, sliced. Anything it does not handle (a chunked or close-delimited answer) comes back
 * with `body: null`, its connection closed, so the caller can use another way.
 */
export class RawHttpClient {
  private readonly url: URL;
  private readonly idle: net.Socket[] = [];
  /** The listener that drops an idle socket from `idle` when the server closes it. */
  private readonly forgetters = new WeakMap<net.Socket, () => void>();
  private closed = false;

  private readonly maxIdle: number;
  private readonly tlsOptions: tls.ConnectionOptions;

  /** `tls` adds to the TLS options of an https base (a private CA, in tests); `maxIdle` bounds the kept sockets. */
  constructor(base: string, options: { maxIdle?: number; tls?: tls.ConnectionOptions } = {}) {
    this.maxIdle = options.maxIdle ?? 8;
    this.tlsOptions = options.tls ?? {};
    this.url = new URL(base);
    if (this.url.protocol !== 'http:' && this.url.protocol !== 'https:')
      throw new Error(`not an http(s) URL: ${base}`);
  }

  /**
   * Sends one request (a path below the base URL) and resolves once the answer's head arrived. The whole exchange,
   * body included, must end within `timeoutMs`; after it the body fails as a broken-off one. Rejects when the
   * server cannot be reached or answers something that is not HTTP/1.x. A kept-alive socket the server had
   * already closed is retried once on a new one (only before any byte of the answer came: the request was not
   * read), so use it only for requests that are safe to send twice.
   */
  async request(
    method: string,
    path: string,
    headers: Record<string, string>,
    body: string | Buffer = '',
    timeoutMs = 120_000,
  ): Promise<RawAnswer> {
    const payload = typeof body === 'string' ? Buffer.from(body) : body;
    const head = this.requestHead(method, path, headers, payload.byteLength);
    const reused = this.takeIdle();
    if (reused) {
      try {
        return await this.exchange(reused, true, method, head, payload, timeoutMs);
      } catch (error) {
        if (!(error instanceof StaleSocketError)) throw error;
      }
    }
    return this.exchange(await this.connect(), false, method, head, payload, timeoutMs);
  }

  /** Closes the kept-alive sockets; later requests open new ones. */
  close(): void {
    this.closed = true;
    for (const socket of this.idle.splice(0)) socket.destroy();
  }

  private requestHead(method: string, path: string, headers: Record<string, string>, length: number) {
    const prefix = this.url.pathname.replace(/\/+$/, '');
    const lines = [`${method} ${prefix}${path} HTTP/1.1`, `host: ${this.url.host}`];
    for (const [name, value] of Object.entries(headers)) {
      if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`header ${name} holds a line break`);
      lines.push(`${name}: ${value}`);
    }
    lines.push(`content-length: ${length}`, '', '');
    return Buffer.from(lines.join('\r\n'), 'latin1');
  }

  private takeIdle(): net.Socket | null {
    for (let socket = this.idle.pop(); socket; socket = this.idle.pop()) {
      const forget = this.forgetters.get(socket);
      if (forget) socket.off('close', forget).off('error', forget).off('end', forget);
      if (!socket.destroyed && socket.readable && socket.writable) {
        socket.ref();
        return socket;
      }
      socket.destroy();
    }
    return null;
  }

  private keep(socket: net.Socket): void {
    if (this.closed || this.idle.length >= this.maxIdle || socket.destroyed) {
      socket.destroy();
      return;
    }
    const forget = () => {
      const index = this.idle.indexOf(socket);
      if (index >= 0) this.idle.splice(index, 1);
      socket.destroy();
    };
    this.forgetters.set(socket, forget);
    socket.once('close', forget).once('error', forget).once('end', forget);
    // an idle socket must not hold a stopping host
    socket.unref();
    this.idle.push(socket);
  }

  private connect(): Promise<net.Socket> {
    const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1');
    const secure = this.url.protocol === 'https:';
    const port = Number(this.url.port) || (secure ? 443 : 80);
    return new Promise((resolve, reject) => {
      const socket = secure
        ? tls.connect({
            ...this.tlsOptions,
            host,
            port,
            servername: net.isIP(host) ? undefined : host,
            ALPNProtocols: ['http/1.1'],
          })
        : net.connect({ host, port });
      socket.setNoDelay(true);
      const failed = (error: Error) => reject(error);
      socket.once('error', failed);
      socket.once(secure ? 'secureConnect' : 'connect', () => {
        socket.off('error', failed);
        resolve(socket);
      });
    });
  }

  private exchange(
    socket: net.Socket,
    reused: boolean,
    method: string,
    head: Buffer,
    payload: Buffer,
    timeoutMs: number,
  ): Promise<RawAnswer> {
    return new Promise<RawAnswer>((resolve, reject) => {
      let headBytes: Buffer | null = Buffer.alloc(0);
      let gotBytes = false;
      let body: SocketBody | null = null;
      let answered = false;
      const timer = setTimeout(
        () => finish(new Error(`no complete answer within ${timeoutMs} ms`)),
        timeoutMs,
      );
      // the socket keeps a running download alive; this timer alone must not hold a stopping host
      timer.unref();

      const detach = () => {
        clearTimeout(timer);
        socket.off('data', onData).off('end', onEnd).off('close', onEnd).off('error', finish);
      };
      /** The exchange ends: with an error (the socket goes), or cleanly (the socket may be kept). */
      function finish(error?: Error) {
        detach();
        if (error || !body?.reusable) socket.destroy();
        if (!answered) {
          answered = true;
          // a kept-alive socket that fails before any byte came back: the server had closed it, and never read
          // the request
          if (reused && !gotBytes) reject(new StaleSocketError(error?.message ?? 'closed'));
          else reject(error ?? new Error('the connection closed before an answer'));
        } else if (error) body?.fail(error);
      }
      const onEnd = () => finish(new Error('the connection closed before the answer was complete'));
      const onData = (chunk: Buffer) => {
        gotBytes = true;
        if (body) {
          body.push(chunk);
          return;
        }
        headBytes = headBytes!.byteLength ? Buffer.concat([headBytes!, chunk]) : chunk;
        const end = headBytes.indexOf('\r\n\r\n');
        if (end < 0) {
          if (headBytes.byteLength > MAX_HEAD_BYTES) finish(new Error('the answer head is too long'));
          return;
        }
        const parsed = parseHead(headBytes.subarray(0, end).toString('latin1'));
        if (!parsed) {
          finish(new Error('the answer is not HTTP/1.x'));
          return;
        }
        const rest = headBytes.subarray(end + 4);
        const { status, headers } = parsed.head;
        if (status >= 100 && status < 200) {
          // an interim answer (100 Continue, 103 Early Hints): the real one follows on the same socket
          headBytes = Buffer.alloc(0);
          if (rest.byteLength > 0) onData(rest);
          return;
        }
        headBytes = null;
        // these answers never have a body, whatever their content-length says
        const bodiless = status === 204 || status === 304 || method === 'HEAD';
        const length = bodiless ? 0 : Number(headers.get('content-length'));
        const framed =
          bodiless ||
          (headers.has('content-length') &&
            Number.isSafeInteger(length) &&
            length >= 0 &&
            !headers.has('transfer-encoding'));
        answered = true;
        if (!framed) {
          // chunked or close-delimited: not for this client; the caller is told by `body: null`
          detach();
          socket.destroy();
          resolve({ head: parsed.head, body: null });
          return;
        }
        const keepAlive = parsed.keepAlive;
        body = new SocketBody(socket, length, (clean) => {
          detach();
          if (clean && keepAlive) this.keep(socket);
          else socket.destroy();
        });
        resolve({ head: parsed.head, body });
        // also when `rest` is empty: a zero-length answer ends here
        body.push(rest);
      };

      socket.on('data', onData).on('end', onEnd).on('close', onEnd).on('error', finish);
      socket.write(payload.byteLength > 0 ? Buffer.concat([head, payload]) : head);
    });
  }
}

/** The body of one answer: chunks queued as the socket delivers them, read by one async iterator. */
class SocketBody implements RawBody {
  private readonly queue: Buffer[] = [];
  private queued = 0;
  private remaining: number;
  private error: Error | null = null;
  private wake: (() => void) | null = null;
  private paused = false;
  private done = false;
  /** Whether the socket may carry another exchange (the answer ended exactly at its declared length). */
  reusable = true;

  constructor(
    private readonly socket: net.Socket,
    length: number,
    private readonly onDone: (clean: boolean) => void,
  ) {
    this.remaining = length;
  }

  get complete(): boolean {
    return this.remaining === 0 && this.error === null;
  }

  push(chunk: Buffer): void {
    if (this.done) return;
    let own = chunk;
    if (chunk.byteLength > this.remaining) {
      // bytes past the declared length: a broken server; what we asked for is still whole, the socket is not
      own = chunk.subarray(0, this.remaining);
      this.reusable = false;
    }
    this.remaining -= own.byteLength;
    if (own.byteLength > 0) {
      this.queue.push(own);
      this.queued += own.byteLength;
    }
    if (this.remaining === 0) this.end(true);
    else if (this.queued >= HIGH_WATER && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    this.wake?.();
  }

  fail(error: Error): void {
    if (this.done) return;
    this.error = error;
    this.end(false);
    this.wake?.();
  }

  destroy(): void {
    if (this.done) return;
    this.fail(new Error('the answer was abandoned'));
  }

  private end(clean: boolean): void {
    this.done = true;
    if (this.paused) this.socket.resume();
    this.onDone(clean && this.reusable);
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = this.queue.shift();
      if (chunk) {
        this.queued -= chunk.byteLength;
        if (this.paused && this.queued < HIGH_WATER / 4) {
          this.paused = false;
          this.socket.resume();
        }
        yield chunk;
        continue;
      }
      if (this.error) throw this.error;
      if (this.done) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = null;
    }
  }
}

/** Parses a status line and header lines; null when it is not an HTTP/1.x answer. */
function parseHead(text: string): { head: RawHead; keepAlive: boolean } | null {
  const lines = text.split('\r\n');
  const status = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0] ?? '');
  if (!status) return null;
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const before = headers.get(name);
    headers.set(name, before === undefined ? value : `${before}, ${value}`);
  }
  const connection = headers.get('connection')?.toLowerCase() ?? '';
  const keepAlive = status[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
  return { head: { status: Number(status[2]), headers }, keepAlive };
}
