import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { apiPaths } from '@linli/content';
import { SERVER_DIR } from './server-process';

/** A running server that can be killed and started again on the same data directory and port. */
export interface RestartableServer {
  url: string;
  dataDir: string;
  /** SIGTERM (default) and wait for exit, or SIGKILL: no shutdown work at all, as in a power cut. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  output(): string;
}

/** Starts the built server on `port` with its data in `dataDir` (kept between starts) and waits for /healthz. */
export async function startServerAt(
  dataDir: string,
  port: number,
  env: Record<string, string>,
): Promise<RestartableServer> {
  fs.mkdirSync(dataDir, { recursive: true });
  const child = spawn(process.execPath, [path.join(SERVER_DIR, 'server.js')], {
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
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}):\n${output}`);
    try {
      if ((await fetch(`${url}${apiPaths.health}`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    dataDir,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

/** Enrols a kiosk with a pairing code; returns its credential. */
export async function enrollKiosk(url: string, pairingCode: string, name: string): Promise<string> {
  const response = await fetch(`${url}${apiPaths.enroll}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ pairingCode, name, platform: 'test' }),
  });
  if (response.status !== 201) throw new Error(`enrol failed: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { credential: string }).credential;
}
