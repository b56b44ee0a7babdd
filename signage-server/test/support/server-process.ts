import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The signage-server workspace folder. */
export const SERVER_DIR = fileURLToPath(new URL('../..', import.meta.url));
/** True when `npm run build -w @linli/signage-server` has produced the bundle server.js imports. */
export const BUILD_PRESENT = fs.existsSync(path.join(SERVER_DIR, 'build', 'handler.js'));
/** Why HTTP tests are skipped when there is no build. */
export const NO_BUILD_MESSAGE =
  'signage-server/build is missing: run `npm run build -w @linli/signage-server` to run the HTTP tests';

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released for the server to take). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A running server child process. */
export interface ServerProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** Removes the data directory (after stop). */
  cleanup(): void;
}

/**
 * Starts the built server (`node server.js`) as a real process on a free port with a fresh data directory, and
 * waits until it listens.
 */
export async function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-http-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['server.js'], {
    cwd: SERVER_DIR,
    env: {
      ...process.env,
      LINLI_DATA_DIR: dataDir,
      LINLI_PORT: String(port),
      LINLI_HOST: '127.0.0.1',
      LINLI_INSECURE_COOKIES: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes('listening on')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    dataDir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
    cleanup() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs the pairing-code CLI against a data directory and returns the code it printed. */
export async function pairingCodeFromCli(dataDir: string, args: string[] = []): Promise<string> {
  const tsx = path.join(SERVER_DIR, '..', 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['src/cli/pairing-code.ts', ...args], {
    cwd: SERVER_DIR,
    env: { ...process.env, LINLI_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const match = /^LINLI_PAIRING_CODE=([A-Z0-9]{8})$/m.exec(stdout);
  if (code !== 0 || !match?.[1]) throw new Error(`pairing-code CLI failed (${code}): ${stdout}${stderr}`);
  return match[1];
}

/** Signs in to the CMS like a browser form post and returns the session cookie header. */
export async function login(url: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${url}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: url, accept: 'text/html' },
    body: new URLSearchParams({ username, password }),
    redirect: 'manual',
  });
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .find((c) => c.startsWith('linli_session='));
  if (response.status !== 303 || !cookie)
    throw new Error(`login failed: ${response.status} ${await response.text()}`);
  return cookie;
}
