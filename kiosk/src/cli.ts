import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KioskStatus } from './shared/kiosk-api';
import { systemClock } from './host/clock';
import type { KioskHost } from './host/kiosk-host';
import { KioskLaunchOptions, USAGE, hostConfigFrom, parseCliArguments } from './host/launch-options';
import { createLogger } from './host/logger';
import { RendererWatchdog } from './host/renderer-watchdog';
import {
  defaultShell,
  findChromiumBinary,
  findElectronBinary,
  launchChromium,
  launchElectron,
  type ShellKind,
} from './host/shell-launcher';
import { EXIT_NEEDS_ATTENTION, SUPERVISOR_ENV, runSupervisor, type HostMessage } from './supervisor';

// `npm run kiosk -- …` from the repository root. stdout carries only machine-readable lines (KIOSK_URL=…);
// everything for people goes to stderr. By default this process is the supervisor (src/supervisor.ts), which
// forks this same file with role `host` and restarts it when it crashes; `--no-supervisor` runs everything in
// one process (development).

const cliPath = fileURLToPath(import.meta.url);
// This file runs from src/cli.ts (development, under tsx) and from the bundle build/host/cli.js (everywhere else,
// see scripts/build-host.mjs): one folder deeper, so find the workspace by its package.json.
const kioskRoot = new URL(
  existsSync(new URL('../package.json', import.meta.url)) ? '..' : '../..',
  import.meta.url,
);
const kioskDir = fileURLToPath(kioskRoot);
const rendererDir = fileURLToPath(new URL('build/renderer', kioskRoot));
const electronMain = fileURLToPath(new URL('build/main/main.js', kioskRoot));
const log = createLogger(process.env[SUPERVISOR_ENV.role] === 'host' ? 'host-process' : 'cli');
const { version } = JSON.parse(readFileSync(new URL('package.json', kioskRoot), 'utf8')) as {
  version: string;
};

function die(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(EXIT_NEEDS_ATTENTION);
}

/** Builds the renderer on first use, so a fresh checkout starts with one command. */
function ensureRendererBuilt(): void {
  if (existsSync(`${rendererDir}/index.html`)) return;
  log.info('building the kiosk renderer (first start)…');
  const built = spawnSync('npm', ['run', 'build'], {
    cwd: kioskDir,
    stdio: ['ignore', process.stderr, 'inherit'],
  });
  if (built.status !== 0) die('building the renderer failed: run `npm run build -w @linli/kiosk` to see why');
}

/**
 * Starts the host and wires what every host process needs: clean stop on SIGTERM/SIGINT, and exit 2 when the
 * pairing code is missing or refused (a restart cannot fix that; a person must).
 */
async function startHostProcess(
  options: KioskLaunchOptions,
  token: string | undefined,
  onStop: () => void = () => {},
): Promise<KioskHost> {
  let host: KioskHost;
  try {
    // Loaded here, not at the top: the supervisor runs this file too and must start fast and stay small, without
    // SQLite, the content renderer and the rest of the host.
    const { startKioskHost } = await import('./host/kiosk-host');
    host = await startKioskHost({
      ...hostConfigFrom(options, rendererDir, version),
      ...(token ? { token } : {}),
    });
  } catch (error) {
    die(error instanceof Error ? error.message : String(error));
  }
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // Everything the host writes is transactional; if a download hangs, do not hang the shutdown with it.
    setTimeout(() => process.exit(code), 5_000).unref();
    onStop();
    await host.stop();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));
  const checkEnrolment = (status: KioskStatus) => {
    const kind = status.lastError?.kind;
    if (!status.enrolled && (kind === 'pairing-code-invalid' || kind === 'not-enrolled')) {
      process.stderr.write(`${status.lastError?.message}\n`);
      void stop(EXIT_NEEDS_ATTENTION);
    }
  };
  host.sync.onStatusChanged(checkEnrolment);
  checkEnrolment(host.sync.getStatus());
  return host;
}

/** Role `host`, forked by the supervisor: the host alone, reporting readiness and heartbeats over IPC. */
async function runSupervisedHost(): Promise<void> {
  const parsed = KioskLaunchOptions.safeParse(JSON.parse(process.env[SUPERVISOR_ENV.options] ?? 'null'));
  if (!parsed.success)
    die(`${SUPERVISOR_ENV.options} is missing or invalid: start the kiosk with npm run kiosk`);
  const send = (message: HostMessage) => {
    if (process.connected) process.send?.(message);
  };
  const host = await startHostProcess(parsed.data, process.env[SUPERVISOR_ENV.token]);
  host.onRendererHeartbeat(() => send({ type: 'heartbeat' }));
  // Without its supervisor nobody would restart or stop this process: leave with it.
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  send({ type: 'ready', url: host.rendererUrl });
}

/** `--no-supervisor`: host and window in this one process (a crashed host is not restarted). */
async function runStandalone(options: KioskLaunchOptions, shell: ShellKind): Promise<void> {
  if (shell === 'electron') {
    // Electron runs the same host in its main process: hand over and mirror its exit.
    const binary = findElectronBinary();
    if (!binary) die('--shell electron: the Electron binary is not installed here; use --shell chromium');
    if (!existsSync(electronMain))
      die('the Electron main bundle is missing: run `npm run build -w @linli/kiosk`');
    const electron = launchElectron(binary, electronMain, options);
    const forward = (signal: NodeJS.Signals) => electron.child.kill(signal);
    process.on('SIGTERM', forward).on('SIGINT', forward);
    electron.child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }
  let watchdog: RendererWatchdog | null = null;
  const host = await startHostProcess(options, undefined, () => watchdog?.stop());
  process.stdout.write(`KIOSK_URL=${host.rendererUrl}\n`);
  if (shell !== 'chromium') return;
  const binary = findChromiumBinary();
  if (!binary) {
    log.error('no Chromium found (apt install chromium); the host keeps running', { url: host.rendererUrl });
    return;
  }
  watchdog = new RendererWatchdog(() => launchChromium(binary, host.rendererUrl), systemClock, log);
  host.onRendererHeartbeat(() => watchdog?.heartbeat());
  watchdog.start();
}

async function main(): Promise<void> {
  if (process.env[SUPERVISOR_ENV.role] === 'host') return runSupervisedHost();
  const parsed = parseCliArguments(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd(), process.env);
  if (!parsed.ok) die(`${parsed.error.message}\n\n${USAGE}`);
  if (parsed.value === 'help') {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const options = parsed.value;
  const shell = options.shell ?? defaultShell();
  if (shell === 'electron') {
    if (!findElectronBinary())
      die('--shell electron: the Electron binary is not installed here; use --shell chromium');
    if (!existsSync(electronMain))
      die('the Electron main bundle is missing: run `npm run build -w @linli/kiosk`');
  }
  ensureRendererBuilt();
  if (!options.supervise) return runStandalone(options, shell);

  const electronBinary = shell === 'electron' ? findElectronBinary() : null;
  const code = await runSupervisor({
    options,
    shell,
    cliPath,
    logger: createLogger('supervisor'),
    ...(electronBinary ? { electron: { binary: electronBinary, mainEntry: electronMain } } : {}),
    onUrl: (url) => process.stdout.write(`KIOSK_URL=${url}\n`),
  });
  process.exit(code);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
