import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILD_PRESENT,
  login,
  NO_BUILD_MESSAGE,
  startServer,
  type ServerProcess,
} from './support/server-process';
import { enrollDevice } from './support/cms-http';

if (!BUILD_PRESENT) console.warn(`skipping body-limit HTTP tests: ${NO_BUILD_MESSAGE}`);

const ADMIN_PASSWORD = 'body-limit-test-pw';
const MB = 1024 * 1024;
let server: ServerProcess;
let session: string;
let workDir: string;
let clip: string;
let warmUp: string;
let clipSha: string;
let clipSize: number;

/** One answer of node:http (unlike fetch, it shows the connection header and lets a test pick the agent). */
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * Sends a request whose body is written by `write` (Content-Length when `length` is given, else chunked) and
 * collects the answer. The body is streamed: the test holds at most one chunk of it.
 */
function send(
  agent: http.Agent,
  pathname: string,
  headers: Record<string, string>,
  write: (req: http.ClientRequest) => Promise<void>,
  length?: number,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${server.url}${pathname}`,
      {
        method: 'POST',
        agent,
        headers: {
          origin: server.url,
          ...headers,
          ...(length !== undefined && { 'content-length': length }),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    // a server that answers early and closes may make the rest of our write fail: the answer is what counts
    let answered = false;
    req.once('response', () => (answered = true));
    req.on('error', (error) => (answered ? undefined : reject(error)));
    write(req).then(
      () => req.end(),
      () => req.destroy(),
    );
  });
}

/** Writes `total` bytes of `filler` in 1 MB chunks, respecting backpressure, stopping if the socket goes away. */
async function writeFiller(req: http.ClientRequest, total: number, filler = 'x'): Promise<void> {
  const chunk = Buffer.alloc(MB, filler);
  for (let sent = 0; sent < total && !req.destroyed; sent += MB) {
    const piece = chunk.subarray(0, Math.min(MB, total - sent));
    if (!req.write(piece)) await drained(req);
  }
}

/** Resolves when the request can take more, or is gone. */
const drained = (req: http.ClientRequest) =>
  new Promise<void>((resolve) => {
    const done = () => {
      req.off('drain', done).off('close', done);
      resolve();
    };
    req.once('drain', done).once('close', done);
  });

/** Posts one video through the library's upload form (multipart), streamed from disk. */
async function uploadVideo(agent: http.Agent, file: string, size: number): Promise<Answer> {
  const boundary = `----linli${crypto.randomBytes(8).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="宣传片.mp4"\r\n` +
      'Content-Type: video/mp4\r\n\r\n',
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return send(
    agent,
    '/cms/media?/upload',
    { cookie: session, accept: 'text/html', 'content-type': `multipart/form-data; boundary=${boundary}` },
    async (req) => {
      req.write(head);
      for await (const chunk of fs.createReadStream(file, { highWaterMark: MB })) {
        if (!req.write(chunk)) await drained(req);
      }
      req.write(tail);
    },
    head.length + size + tail.length,
  );
}

const get = (agent: http.Agent, pathname: string) =>
  new Promise<Answer>((resolve, reject) => {
    http
      .get(`${server.url}${pathname}`, { agent, headers: { cookie: session } }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      })
      .on('error', reject);
  });

/** Resident memory of the server process now (kB), from the kernel. */
const rssKb = () =>
  Number(/^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))![1]);

describe.skipIf(!BUILD_PRESENT)('request body limits (built server, real process)', () => {
  beforeAll(async () => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-body-limit-'));
    clip = path.join(workDir, 'clip.mp4');
    warmUp = path.join(workDir, 'warm-up.mp4');
    // two different real, playable ~40 MB videos: lossless H.264 of noise (seeded) does not compress
    for (const [file, seed] of [
      [clip, 1],
      [warmUp, 2],
    ] as const) {
      execFileSync('ffmpeg', [
        ...[
          '-v',
          'error',
          '-f',
          'lavfi',
          '-i',
          `testsrc=size=640x360:rate=25,noise=alls=100:allf=t:all_seed=${seed}`,
        ],
        ...[
          '-t',
          '5',
          '-c:v',
          'libx264',
          '-preset',
          'ultrafast',
          '-qp',
          '0',
          '-pix_fmt',
          'yuv420p',
          '-y',
          file,
        ],
      ]);
    }
    const bytes = fs.readFileSync(clip);
    clipSize = bytes.length;
    clipSha = crypto.createHash('sha256').update(bytes).digest('hex');
    server = await startServer({ LINLI_SEED_DEMO: 'false', LINLI_ADMIN_PASSWORD: ADMIN_PASSWORD });
    session = await login(server.url, 'admin', ADMIN_PASSWORD);
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    server?.cleanup();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('takes a video larger than the forms limit through the media upload, streamed, not held in memory', async () => {
    expect(clipSize).toBeGreaterThan(30 * MB);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    // the first large upload of a process grows it once (allocator arenas, V8's young generation; ~35 MB here):
    // measure the second, where a server that buffered the body would grow by the upload's size again
    expect((await uploadVideo(agent, warmUp, fs.statSync(warmUp).size)).status).toBe(200);
    const before = rssKb();
    // sampled while the upload runs (VmHWM would only show start-up's higher peak)
    let highest = before;
    const sampler = setInterval(() => (highest = Math.max(highest, rssKb())), 20);
    const answer = await uploadVideo(agent, clip, clipSize);
    clearInterval(sampler);
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('已上传');
    const stored = path.join(server.dataDir, 'assets', clipSha.slice(0, 2), clipSha);
    expect(fs.statSync(stored).size).toBe(clipSize);
    const growthMb = (highest - before) / 1024;
    console.log(
      `server peak RSS grew by ${growthMb.toFixed(1)} MB for a ${(clipSize / MB).toFixed(1)} MB upload`,
    );
    expect(growthMb).toBeLessThan(clipSize / MB / 2);
    const detail = await get(agent, `/cms/media/${clipSha}`);
    expect(detail.body).toContain('640×360');
    agent.destroy();
  }, 60_000);

  it('refuses a 40 MB JSON body to an API route before reading it, and the next request goes through', async () => {
    const device = await enrollDevice(server, 'Body limit lobby');
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const refused = await send(
      agent,
      '/api/v1/device/stats',
      { 'content-type': 'application/json', authorization: `Bearer ${device.credential}` },
      (req) => writeFiller(req, 40 * MB, ' '),
      40 * MB,
    );
    expect(refused.status).toBe(413);
    // the device API's own error form, as for any other refusal of that route
    expect(JSON.parse(refused.body)).toMatchObject({ error: { kind: 'payload-too-large' } });
    expect(refused.headers.connection).toBe('close');
    // the same agent (one socket at a time): a connection left with an unread body would hang this request
    const next = await get(agent, '/healthz');
    expect(next.status).toBe(200);
    agent.destroy();
  }, 30_000);

  it('drains a small body a route refused without reading, and the same connection carries the next request', async () => {
    // the stats route refuses an unauthenticated device before reading its (2 MB, within the forms limit) body
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set<unknown>();
    agent.on('free', (socket) => sockets.add(socket));
    const refused = await send(
      agent,
      '/api/v1/device/stats',
      { 'content-type': 'application/json', authorization: 'Bearer nobody' },
      (req) => writeFiller(req, 2 * MB, ' '),
      2 * MB,
    );
    expect(refused.status).toBe(401);
    expect(refused.headers.connection).toBe('keep-alive');
    const next = await get(agent, '/healthz');
    expect(next.status).toBe(200);
    // one socket carried both requests
    expect(sockets.size).toBe(1);
    agent.destroy();
  }, 30_000);

  it('bounds a chunked body without a declared length on a form route: 413 once it passes the limit', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const refused = await send(
      agent,
      '/login',
      { 'content-type': 'application/x-www-form-urlencoded', accept: 'text/html' },
      (req) => writeFiller(req, 40 * MB, 'a'),
    );
    expect(refused.status).toBe(413);
    expect(refused.body).toContain('提交的内容太大（最大 25 MB）');
    expect(refused.headers.connection).toBe('close');
    expect((await get(agent, '/healthz')).status).toBe(200);
    agent.destroy();
  }, 30_000);
});
