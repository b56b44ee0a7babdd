// Starting real Linli processes (server, kiosk host) for `npm start`, the system tests and the benchmarks.
// One place, so every caller starts them the same way the README does.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');

/** A free TCP port on loopback. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** Resolves when `url` answers 2xx, or rejects after `timeoutMs`. */
export async function waitForHttp(url, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
      lastError = new Error(`${url} answered ${response.status}`);
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`timed out waiting for ${url}: ${lastError?.message ?? 'no answer'}`);
}

/**
 * Collects a child's output, echoes it with a prefix when `echo` is set, and lets callers wait for a line.
 * @param {import('node:child_process').ChildProcess} child
 */
function watchOutput(child, name, echo) {
  const lines = [];
  const waiters = [];
  const onLine = (line) => {
    lines.push(line);
    if (echo) process.stdout.write(`[${name}] ${line}\n`);
    for (const waiter of [...waiters]) {
      const match = line.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match);
      }
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffer = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk) => {
      buffer += chunk;
      let i;
      while ((i = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, i));
        buffer = buffer.slice(i + 1);
      }
    });
  }
  return {
    lines,
    /** Resolves with the first line (already seen or future) matching `pattern`. */
    waitFor(pattern, timeoutMs = 30_000) {
      for (const line of lines) {
        const match = line.match(pattern);
        if (match) return Promise.resolve(match);
      }
      return new Promise((resolve, reject) => {
        const waiter = { pattern, resolve };
        waiters.push(waiter);
        setTimeout(() => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(
              new Error(
                `${name}: no line matching ${pattern} within ${timeoutMs} ms\n${lines.slice(-20).join('\n')}`,
              ),
            );
          }
        }, timeoutMs).unref();
      });
    },
  };
}

/** Stops a child: SIGTERM, then SIGKILL after `graceMs`. Resolves when it has exited. */
export function stopProcess(child, graceMs = 5_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * Starts the built server (`node signage-server/server.js`) on `port` with its data in `dataDir`.
 * @param {{dataDir: string, port?: number, env?: Record<string, string>, echo?: boolean}} options
 * @returns {Promise<{url: string, port: number, dataDir: string, child: import('node:child_process').ChildProcess,
 *   output: ReturnType<typeof watchOutput>, adminPassword: string | undefined, stop: (signal?: string) => Promise<void>}>}
 */
// LINLI_ECHO=1 echoes the server's and kiosk's output (diagnosing a benchmark or a test)
export async function startServer({ dataDir, port, env = {}, echo = !!process.env.LINLI_ECHO }) {
  const serverEntry = path.join(repoRoot, 'signage-server/server.js');
  if (!fs.existsSync(path.join(repoRoot, 'signage-server/build/handler.js'))) {
    throw new Error('signage-server is not built: run `npm run build` first');
  }
  port ??= await freePort();
  fs.mkdirSync(dataDir, { recursive: true });
  // LINLI_NODE_OPTIONS: extra node flags for the server only (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile
  // it under a benchmark), without NODE_OPTIONS reaching the benchmark's own clients
  const nodeFlags = (process.env.LINLI_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeFlags, serverEntry], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LINLI_PORT: String(port),
      LINLI_HOST: '127.0.0.1',
      LINLI_DATA_DIR: dataDir,
      LINLI_INSECURE_COOKIES: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = watchOutput(child, 'server', echo);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`server exited (${code}) before it was ready:\n${output.lines.join('\n')}`)),
    ),
  );
  exited.catch(() => {});
  // 60 s: a first start migrates and seeds, and on two cores loaded by a whole test run 30 s was once not enough
  await Promise.race([waitForHttp(`${url}/healthz`, 60_000), exited]).catch((error) =>
    abandon(child, error, output),
  );
  const passwordLine = output.lines.map((l) => l.match(/LINLI_ADMIN_PASSWORD=(\S+)/)).find(Boolean);
  return {
    url,
    port,
    dataDir,
    child,
    output,
    adminPassword: env.LINLI_ADMIN_PASSWORD ?? passwordLine?.[1],
    stop: (signal) =>
      signal === 'SIGKILL'
        ? (child.kill('SIGKILL'), new Promise((r) => child.once('exit', r)))
        : stopProcess(child),
  };
}

/**
 * A process that never became ready is stopped before the error goes up: the caller gets no handle to stop it with,
 * and a server left running (it was, once, after a timed-out start) loads every later test on the machine.
 */
async function abandon(child, error, output) {
  // SIGTERM first (a kiosk's supervisor then stops its host; SIGKILL would orphan it), SIGKILL after the grace
  await stopProcess(child);
  throw new Error(`${error instanceof Error ? error.message : error}\n${output.lines.slice(-20).join('\n')}`);
}

/** Makes a fresh single-use pairing code with the server's CLI (works while the server runs: SQLite WAL). */
export function createPairingCode(dataDir) {
  const result = spawnSync(tsx, [path.join(repoRoot, 'signage-server/src/cli/pairing-code.ts')], {
    cwd: repoRoot,
    env: { ...process.env, LINLI_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  const match = result.stdout?.match(/LINLI_PAIRING_CODE=(\S+)/);
  if (result.status !== 0 || !match) {
    throw new Error(`pairing-code CLI failed (${result.status}): ${result.stderr}${result.stdout}`);
  }
  return match[1];
}

/** The kiosk's bundled CLI (supervisor and host), run with plain `node` as in production. */
export const kioskCli = path.join(repoRoot, 'kiosk/build/host/cli.js');

/**
 * Bundles the kiosk's Node side (kiosk/scripts/build-host.mjs; a no-op when no source changed), so that what starts
 * is the current source, as with `npm run kiosk`; the renderer comes from `npm run build`.
 */
export function buildKioskHost() {
  const built = spawnSync(process.execPath, [path.join(repoRoot, 'kiosk/scripts/build-host.mjs')], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (built.status !== 0) throw new Error('bundling the kiosk host failed (see above)');
}

/**
 * Starts a kiosk (`node kiosk/build/host/cli.js …`, what `npm run kiosk -- …` runs; shell `none` unless given) and
 * waits for its renderer URL.
 * @param {{serverUrl: string, pairingCode?: string, dataDir: string, port?: number, shell?: string,
 *   extraArgs?: string[], echo?: boolean}} options
 * @returns {Promise<{url: string, child: import('node:child_process').ChildProcess, output: ReturnType<typeof watchOutput>,
 *   stop: () => Promise<void>}>}
 */
export async function startKiosk({
  serverUrl,
  pairingCode,
  dataDir,
  port,
  shell = 'none',
  extraArgs = [],
  echo = !!process.env.LINLI_ECHO,
}) {
  buildKioskHost();
  const args = [kioskCli, '--server', serverUrl, '--data-dir', dataDir, '--shell', shell];
  if (pairingCode) args.push('--pairing-code', pairingCode);
  if (port) args.push('--port', String(port));
  args.push(...extraArgs);
  // LINLI_KIOSK_NODE_OPTIONS: node flags for the kiosk's supervisor, which its host inherits (fork passes
  // execArgv on), e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` under a benchmark
  const nodeFlags = (process.env.LINLI_KIOSK_NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeFlags, ...args], {
    cwd: repoRoot,
    env: process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = watchOutput(child, 'kiosk', echo);
  const exited = new Promise((_, reject) =>
    child.once('exit', (code) =>
      reject(new Error(`kiosk exited (${code}) before it was ready:\n${output.lines.join('\n')}`)),
    ),
  );
  exited.catch(() => {});
  const [, url] = await Promise.race([output.waitFor(/KIOSK_URL=(\S+)/, 60_000), exited]).catch((error) =>
    abandon(child, error, output),
  );
  return { url, child, output, stop: () => stopProcess(child) };
}

/** Enrols a device over HTTP with a pairing code; returns the EnrollResponseV1 body. */
export async function enrollDevice(serverUrl, pairingCode, name = 'bench-device') {
  const response = await fetch(`${serverUrl}/api/v1/device/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pairingCode, name, platform: 'bench' }),
  });
  if (response.status !== 201) throw new Error(`enrol failed: ${response.status} ${await response.text()}`);
  return response.json();
}
