import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RawHttpClient, type RawBody } from './raw-http';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A real node:http server on a free port; counts the connections it accepted. */
async function serve(handler: http.RequestListener, secure?: { key: string; cert: string }) {
  const server = secure ? https.createServer(secure, handler) : http.createServer(handler);
  const stats = { connections: 0 };
  server.on(secure ? 'secureConnection' : 'connection', () => (stats.connections += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  closers.push(() => server.closeAllConnections());
  const { port } = server.address() as net.AddressInfo;
  return { port, stats, server };
}

/** A server that speaks raw bytes: `onRequest` gets each request's head and body, and the socket to answer on. */
async function serveRaw(onRequest: (socket: net.Socket, request: string, index: number) => void) {
  const stats = { connections: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    stats.connections += 1;
    sockets.add(socket);
    let buffered = '';
    let index = 0;
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      for (;;) {
        const end = buffered.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + 4 + length) return;
        const request = buffered.slice(0, end + 4 + length);
        buffered = buffered.slice(end + 4 + length);
        onRequest(socket, request, index++);
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => server.close(resolve)));
  closers.push(() => sockets.forEach((socket) => socket.destroy()));
  const { port } = server.address() as net.AddressInfo;
  return { port, stats };
}

function client(base: string, options?: ConstructorParameters<typeof RawHttpClient>[1]) {
  const raw = new RawHttpClient(base, options);
  closers.push(() => raw.close());
  return raw;
}

async function bytesOf(body: RawBody): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

describe('RawHttpClient', () => {
  it('sends the request below the base path and reads a declared-length answer, reusing the socket', async () => {
    const seen: { method?: string; url?: string; host?: string; body: string }[] = [];
    const { port, stats } = await serve((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        seen.push({ method: req.method, url: req.url, host: req.headers.host, body: body.toString() });
        const answer = Buffer.from(`you sent ${body.length} bytes, 你好`);
        res.writeHead(201, {
          'content-length': answer.length,
          'x-kind': 'test',
          date: 'Thu, 26 Nov 2026 10:00:00 GMT',
        });
        res.end(answer);
      });
    });
    const raw = client(`http://127.0.0.1:${port}/linli/`);
    for (const payload of ['{"a":1}', '{"b":"二"}']) {
      const { head, body } = await raw.request(
        'POST',
        '/api/v1/x',
        { 'content-type': 'application/json' },
        payload,
      );
      expect(head.status).toBe(201);
      expect(head.headers.get('x-kind')).toBe('test');
      expect(body).not.toBeNull();
      expect((await bytesOf(body!)).toString()).toBe(`you sent ${Buffer.byteLength(payload)} bytes, 你好`);
      expect(body!.complete).toBe(true);
    }
    expect(seen).toEqual([
      { method: 'POST', url: '/linli/api/v1/x', host: `127.0.0.1:${port}`, body: '{"a":1}' },
      { method: 'POST', url: '/linli/api/v1/x', host: `127.0.0.1:${port}`, body: '{"b":"二"}' },
    ]);
    expect(stats.connections).toBe(1);
  });

  it('delivers a large answer whole to a slow reader (reading pauses and resumes)', async () => {
    const big = crypto.randomBytes(12 * 1024 * 1024);
    const { port } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': big.length });
      res.end(big);
    });
    const { body } = await client(`http://127.0.0.1:${port}`).request('GET', '/big', {});
    const hash = crypto.createHash('sha256');
    let chunks = 0;
    for await (const chunk of body!) {
      hash.update(chunk);
      if (++chunks % 16 === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(hash.digest('hex')).toBe(crypto.createHash('sha256').update(big).digest('hex'));
    expect(body!.complete).toBe(true);
  });

  it('answers without a declared length come back with no body, and their socket is not reused', async () => {
    const { port, stats } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('chunked ');
      res.end('answer');
    });
    const raw = client(`http://127.0.0.1:${port}`);
    const first = await raw.request('GET', '/', {});
    expect(first.head.status).toBe(200);
    expect(first.head.headers.get('transfer-encoding')).toBe('chunked');
    expect(first.body).toBeNull();
    expect((await raw.request('GET', '/', {})).body).toBeNull();
    expect(stats.connections).toBe(2);
  });

  it('an answer cut before its declared length fails its reader; the next request gets a new socket', async () => {
    const { port, stats } = await serveRaw((socket, _request, index) => {
      if (index === 0 && stats.connections === 1) {
        socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n' + 'x'.repeat(40));
        setTimeout(() => socket.end(), 20);
      } else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const raw = client(`http://127.0.0.1:${port}`);
    const { body } = await raw.request('GET', '/', {});
    await expect(bytesOf(body!)).rejects.toThrow(/closed before the answer was complete/);
    expect(body!.complete).toBe(false);
    const again = await raw.request('GET', '/', {});
    expect((await bytesOf(again.body!)).toString()).toBe('ok');
    expect(stats.connections).toBe(2);
  });

  it('a kept-alive socket the server closed meanwhile is replaced, and the request still goes through', async () => {
    // the server answers the first request of each connection, then drops the connection at the next one
    const { port, stats } = await serveRaw((socket, _request, index) => {
      if (index > 0) socket.destroy();
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nfirst');
    });
    const raw = client(`http://127.0.0.1:${port}`);
    expect((await bytesOf((await raw.request('POST', '/', {}, 'a')).body!)).toString()).toBe('first');
    expect((await bytesOf((await raw.request('POST', '/', {}, 'b')).body!)).toString()).toBe('first');
    expect(stats.connections).toBe(2);
  });

  it('a new socket that closes before answering is an error, not a retry', async () => {
    const { port, stats } = await serveRaw((socket) => socket.destroy());
    await expect(client(`http://127.0.0.1:${port}`).request('GET', '/', {})).rejects.toThrow();
    expect(stats.connections).toBe(1);
  });

  it('cannot reach a closed port: the request rejects', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    await expect(client(`http://127.0.0.1:${port}`).request('GET', '/', {})).rejects.toThrow(/ECONNREFUSED/);
  });

  it('a stalled answer fails when its time is up, head or body', async () => {
    const { port } = await serveRaw((socket, request) => {
      if (request.startsWith('GET /body')) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc');
    });
    const raw = client(`http://127.0.0.1:${port}`);
    await expect(raw.request('GET', '/head', {}, '', 100)).rejects.toThrow(
      /no complete answer within 100 ms/,
    );
    const { body } = await raw.request('GET', '/body', {}, '', 150);
    await expect(bytesOf(body!)).rejects.toThrow(/no complete answer within 150 ms/);
  });

  it('bytes past the declared length are dropped with the socket; what was declared is read whole', async () => {
    const { port, stats } = await serveRaw((socket) =>
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nfourEXTRA'),
    );
    const raw = client(`http://127.0.0.1:${port}`);
    expect((await bytesOf((await raw.request('GET', '/', {})).body!)).toString()).toBe('four');
    expect((await bytesOf((await raw.request('GET', '/', {})).body!)).toString()).toBe('four');
    expect(stats.connections).toBe(2);
  });

  it('a reader that stops early closes the socket instead of reusing it', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    const { port, stats } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': big.length });
      res.end(big);
    });
    const raw = client(`http://127.0.0.1:${port}`);
    const { body } = await raw.request('GET', '/', {});
    for await (const chunk of body!) {
      expect(chunk.byteLength).toBeGreaterThan(0);
      break;
    }
    body!.destroy();
    expect(body!.complete).toBe(false);
    await expect(bytesOf(body!)).rejects.toThrow(/abandoned/);
    expect((await bytesOf((await raw.request('GET', '/', {})).body!)).byteLength).toBe(big.length);
    expect(stats.connections).toBe(2);
  });

  it('refuses what is not HTTP, a head that never ends, and a header holding a line break', async () => {
    const { port } = await serveRaw((socket, request) => {
      if (request.startsWith('GET /junk')) socket.write('SSH-2.0-OpenSSH\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\n' + 'x-filler: yes\r\n'.repeat(4000));
    });
    const raw = client(`http://127.0.0.1:${port}`);
    await expect(raw.request('GET', '/junk', {})).rejects.toThrow(/not HTTP/);
    await expect(raw.request('GET', '/long', {})).rejects.toThrow(/head is too long/);
    await expect(raw.request('GET', '/', { 'x-bad': 'a\r\nx-injected: 1' })).rejects.toThrow(/line break/);
  });

  it('skips interim answers, and reads 204, 304 and HEAD answers as bodiless whatever their length says', async () => {
    const { port, stats } = await serveRaw((socket, request) => {
      if (request.startsWith('GET /early'))
        socket.write(
          'HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nyes',
        );
      else if (request.startsWith('GET /none'))
        socket.write('HTTP/1.1 304 Not Modified\r\ncontent-length: 99\r\n\r\n');
      else socket.write('HTTP/1.1 200 OK\r\ncontent-length: 99\r\n\r\n');
    });
    const raw = client(`http://127.0.0.1:${port}`);
    const early = await raw.request('GET', '/early', {});
    expect(early.head.status).toBe(200);
    expect((await bytesOf(early.body!)).toString()).toBe('yes');
    const none = await raw.request('GET', '/none', {});
    expect(none.head.status).toBe(304);
    expect((await bytesOf(none.body!)).byteLength).toBe(0);
    const head = await raw.request('HEAD', '/', {});
    expect((await bytesOf(head.body!)).byteLength).toBe(0);
    expect(stats.connections).toBe(1);
  });

  it('honours connection: close and HTTP/1.0 answers by not reusing their sockets', async () => {
    const { port, stats } = await serveRaw((socket, request) => {
      if (request.startsWith('GET /close'))
        socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 1\r\n\r\na');
      else socket.write('HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\nb');
    });
    const raw = client(`http://127.0.0.1:${port}`);
    for (const url of ['/close', '/old', '/close']) await bytesOf((await raw.request('GET', url, {})).body!);
    expect(stats.connections).toBe(3);
  });

  it('speaks TLS to an https base (a private CA here)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-raw-tls-'));
    closers.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=DNS:localhost',
        '-keyout',
        key,
        '-out',
        cert,
      ],
      { stdio: 'ignore' },
    );
    const pem = { key: fs.readFileSync(key, 'utf8'), cert: fs.readFileSync(cert, 'utf8') };
    const { port, stats } = await serve((_req, res) => {
      res.writeHead(200, { 'content-length': 6 });
      res.end('secure');
    }, pem);
    const raw = client(`https://localhost:${port}`, { tls: { ca: pem.cert } });
    for (let i = 0; i < 2; i++)
      expect((await bytesOf((await raw.request('GET', '/', {})).body!)).toString()).toBe('secure');
    expect(stats.connections).toBe(1);
    // without the CA the certificate is refused, as any unknown one is
    await expect(client(`https://localhost:${port}`).request('GET', '/', {})).rejects.toThrow(
      /self[- ]signed|certificate/i,
    );
  });
});
