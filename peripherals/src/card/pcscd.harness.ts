import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fail, ok, type Result } from '../result';

// Runs a real pcscd with the vpcd virtual reader for tests and demos (SETUP-NOTES.md §Smart cards). There is one
// pcscd per machine (its socket is always /run/pcscd/pcscd.comm), so the harness refuses to start when one is
// already running rather than fight it, and whoever starts it must stop it.

const PCSCD = '/usr/sbin/pcscd';
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';
const PCSCD_SOCKET = '/run/pcscd/pcscd.comm';

/** The two slots vpcd creates: reader names as pcscd reports them and the TCP ports their cards connect to. */
export const VPCD_SLOTS = [
  { reader: 'Linli Test Reader 00 00', port: 40000 },
  { reader: 'Linli Test Reader 00 01', port: 40001 },
] as const;

export type PcscdHarnessErrorKind =
  'pcscd-not-installed' | 'vpcd-not-installed' | 'pcscd-already-running' | 'pcscd-start-failed';

/** A running pcscd owned by the caller. */
export interface PcscdHarness {
  /** Kills pcscd and starts it again (a "reader restart" as an installer or a crash would cause). */
  restart(): Promise<void>;
  /** Kills pcscd only; start() brings it back. */
  kill(): Promise<void>;
  start(): Promise<Result<void, PcscdHarnessErrorKind>>;
  /** Stops pcscd for good and removes the config directory. */
  stop(): Promise<void>;
  /** The last lines pcscd printed, for failure messages. */
  output(): string;
}

/** Starts pcscd with a vpcd reader, or says why it cannot run here. */
export async function startPcscdHarness(): Promise<Result<PcscdHarness, PcscdHarnessErrorKind>> {
  if (!fs.existsSync(PCSCD)) return fail('pcscd-not-installed', `${PCSCD} is missing (apt package pcscd)`);
  if (!fs.existsSync(VPCD_DRIVER))
    return fail('vpcd-not-installed', `${VPCD_DRIVER} is missing (apt package vsmartcard-vpcd)`);
  if (await socketAnswers(PCSCD_SOCKET)) {
    return fail(
      'pcscd-already-running',
      `a pcscd is already listening on ${PCSCD_SOCKET}; stop it to run these tests`,
    );
  }
  const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-pcscd-'));
  fs.writeFileSync(
    path.join(configDir, 'vpcd'),
    [
      'FRIENDLYNAME "Linli Test Reader"',
      'DEVICENAME   /dev/null:0x9C40',
      `LIBPATH      ${VPCD_DRIVER}`,
      'CHANNELID    0x9C40',
      '',
    ].join('\n'),
  );
  let child: ChildProcess | null = null;
  let output = '';

  const kill = async () => {
    const current = child;
    child = null;
    if (!current || current.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill('SIGTERM');
    const timer = setTimeout(() => current.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(timer);
  };

  const start = async (): Promise<Result<void, PcscdHarnessErrorKind>> => {
    try {
      fs.mkdirSync(path.dirname(PCSCD_SOCKET), { recursive: true });
    } catch (error) {
      return fail(
        'pcscd-start-failed',
        `cannot create ${path.dirname(PCSCD_SOCKET)}: ${String(error)} (pcscd needs root)`,
      );
    }
    // LINLI_PCSCD_DEBUG=<file> keeps pcscd's debug log (every APDU) for diagnosing a failing test.
    const debugLog = process.env.LINLI_PCSCD_DEBUG;
    const args = ['--foreground', '--config', configDir, ...(debugLog ? ['--debug', '--apdu'] : [])];
    const started = spawn(PCSCD, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    const collect = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (debugLog) fs.appendFileSync(debugLog, chunk);
    };
    started.stdout?.on('data', collect);
    started.stderr?.on('data', collect);
    // Ready when vpcd listens on both ports. Probing with connect() would insert a phantom card, so read
    // the kernel's socket table instead.
    const deadline = Date.now() + 5000;
    while (Date.now() < deadline) {
      if (started.exitCode !== null) break;
      if (VPCD_SLOTS.every((slot) => isListening(slot.port)) && (await socketAnswers(PCSCD_SOCKET)))
        return ok(undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await kill();
    return fail(
      'pcscd-start-failed',
      `pcscd did not come up within 5 s: ${output.trim().split('\n').slice(-3).join(' | ')}`,
    );
  };

  const first = await start();
  if (!first.ok) {
    fs.rmSync(configDir, { recursive: true, force: true });
    return first;
  }
  return ok({
    async restart() {
      await kill();
      const again = await start();
      if (!again.ok) throw new Error(again.error.message);
    },
    kill,
    start,
    async stop() {
      await kill();
      fs.rmSync(configDir, { recursive: true, force: true });
    },
    output: () => output,
  });
}

/** True when a TCP port is in LISTEN state on this machine (from /proc/net/tcp, without connecting). */
function isListening(port: number): boolean {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = fs.readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns[1]?.endsWith(`:${hexPort}`) && columns[3] === '0A') return true;
    }
  }
  return false;
}

function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
