import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const serverDir = path.resolve(import.meta.dirname, '..');

/** True when `npm run build -w @linli/signage-server` has run (the real-process tests need build/). */
export const serverBuilt = fs.existsSync(path.join(serverDir, 'build', 'handler.js'));
/** Why real-process tests are skipped, for the test name. */
export const skipReason = serverBuilt
  ? ''
  : ' (SKIPPED: signage-server/build missing — run `npm run build -w @linli/signage-server`)';

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** The built server running as a real child process on its own temp data dir. */
export interface RunningServer {
  url: string;
  dataDir: string;
  /** The one-time admin password printed at first start (null when LINLI_ADMIN_PASSWORD was given). */
  printedAdminPassword: string | null;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts `node server.js` with a fresh data dir (or `dataDir`) and waits until it listens. Extra environment
 * (LINLI_*) comes from `env`. The process is killed by `stop()`; its output is kept for assertions and failures.
 */
export async function startServer(
  env: Record<string, string> = {},
  dataDir?: string,
): Promise<RunningServer> {
  const dir = dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'linli-server-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['server.js'], {
    cwd: serverDir,
    env: { ...process.env, LINLI_DATA_DIR: dir, LINLI_PORT: String(port), LINLI_HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s:\n${output}`)), 30_000);
    const check = () => {
      if (/listening on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    dataDir: dir,
    printedAdminPassword: /^LINLI_ADMIN_PASSWORD=(\S+)$/m.exec(output)?.[1] ?? null,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timeout = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timeout);
      }
      if (!dataDir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A minimal browser for HTTP tests: keeps cookies, sends the Origin a browser would send for its own pages,
 * never follows redirects (tests assert on them).
 */
export class TestBrowser {
  readonly cookies = new Map<string, string>();
  constructor(
    readonly base: string,
    readonly headers: Record<string, string> = {},
  ) {}

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(
    pathname: string,
    init: {
      method?: string;
      form?: Record<string, string | string[]>;
      body?: BodyInit;
      headers?: Record<string, string>;
      origin?: string | null;
    } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { accept: 'text/html', ...this.headers, ...init.headers };
    const cookie = this.cookieHeader();
    if (cookie) headers.cookie = cookie;
    let body = init.body;
    if (init.form) {
      const params = new URLSearchParams();
      for (const [name, value] of Object.entries(init.form)) {
        for (const item of Array.isArray(value) ? value : [value]) params.append(name, item);
      }
      body = params;
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const method = init.method ?? (body ? 'POST' : 'GET');
    const origin = init.origin === undefined ? this.base : init.origin;
    if (method !== 'GET' && origin !== null) headers.origin = origin;
    const response = await fetch(new URL(pathname, this.base), { method, headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const index = pair!.indexOf('=');
      const name = pair!.slice(0, index).trim();
      const value = pair!.slice(index + 1).trim();
      if (value === '' || /max-age=0/i.test(line) || /expires=Thu, 01 Jan 1970/i.test(line))
        this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return response;
  }

  /** Signs in through the login form; returns the response (303 on success). */
  login(username: string, password: string): Promise<Response> {
    return this.request('/login', { form: { username, password } });
  }
}

/** Signs in and, when the account has a one-time password, sets `newPassword` through the account page. */
export async function signIn(
  browser: TestBrowser,
  username: string,
  password: string,
  newPassword?: string,
): Promise<void> {
  const response = await browser.login(username, password);
  if (response.status !== 303)
    throw new Error(`login of ${username} failed: ${response.status} ${await response.text()}`);
  if (response.headers.get('location') === '/account/password') {
    if (!newPassword) throw new Error(`${username} must change the password`);
    const change = await browser.request('/account/password', {
      form: { currentPassword: password, newPassword, confirmPassword: newPassword },
    });
    if (change.status !== 303) throw new Error(`password change of ${username} failed: ${change.status}`);
  }
}
