import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KioskStatus } from './shared/kiosk-api';
import { startKioskHost } from './host/kiosk-host';
import { USAGE, hostConfigFrom, parseCliArguments } from './host/launch-options';
import { createLogger } from './host/logger';
import {
  defaultShell,
  findChromiumBinary,
  findElectronBinary,
  launchChromium,
  launchElectron,
  type LaunchedShell,
} from './host/shell-launcher';

// `npm run kiosk -- …` from the repository root. stdout carries only machine-readable lines (KIOSK_URL=…);
// everything for people goes to stderr.

const kioskDir = fileURLToPath(new URL('..', import.meta.url));
const rendererDir = fileURLToPath(new URL('../build/renderer', import.meta.url));
const electronMain = fileURLToPath(new URL('../build/main/main.js', import.meta.url));
const log = createLogger('cli');
const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** Exit codes: 0 clean stop, 1 crash, 2 needs a person (bad arguments, pairing refused, no shell). */
const EXIT_NEEDS_ATTENTION = 2;

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

async function main(): Promise<void> {
  const parsed = parseCliArguments(process.argv.slice(2), process.env.INIT_CWD ?? process.cwd());
  if (!parsed.ok) die(`${parsed.error.message}\n\n${USAGE}`);
  if (parsed.value === 'help') {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const options = parsed.value;
  const shell = options.shell ?? defaultShell();

  if (shell === 'electron') {
    // Electron runs the same host in its main process: hand over and mirror its exit.
    const binary = findElectronBinary();
    if (!binary) die('--shell electron: the Electron binary is not installed here; use --shell chromium');
    if (!existsSync(electronMain))
      die('the Electron main bundle is missing: run `npm run build -w @linli/kiosk`');
    ensureRendererBuilt();
    const electron = launchElectron(binary, electronMain, options);
    const forward = (signal: NodeJS.Signals) => electron.child.kill(signal);
    process.on('SIGTERM', forward).on('SIGINT', forward);
    electron.child.on('exit', (code) => process.exit(code ?? 0));
    return;
  }

  ensureRendererBuilt();
  let host;
  try {
    host = await startKioskHost(hostConfigFrom(options, rendererDir, version));
  } catch (error) {
    die(error instanceof Error ? error.message : String(error));
  }

  let window: LaunchedShell | null = null;
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    // Everything the host writes is transactional; if a download hangs, do not hang the shutdown with it.
    setTimeout(() => process.exit(code), 5_000).unref();
    window?.close();
    await host.stop();
    process.exit(code);
  };
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => void stop(0));

  // A refused or missing pairing code needs a person; exiting makes that visible to a supervisor or a test.
  const checkEnrolment = (status: KioskStatus) => {
    const kind = status.lastError?.kind;
    if (!status.enrolled && (kind === 'pairing-code-invalid' || kind === 'not-enrolled')) {
      process.stderr.write(`${status.lastError?.message}\n`);
      void stop(EXIT_NEEDS_ATTENTION);
    }
  };
  host.sync.onStatusChanged(checkEnrolment);
  checkEnrolment(host.sync.getStatus());

  process.stdout.write(`KIOSK_URL=${host.rendererUrl}\n`);
  if (shell === 'chromium') {
    const binary = findChromiumBinary();
    if (!binary) {
      log.error('no Chromium found (apt install chromium); the host keeps running', {
        url: host.rendererUrl,
      });
      return;
    }
    window = launchChromium(binary, host.rendererUrl);
    window.child.on('exit', (code) => {
      log.info('the browser window closed; stopping', { code });
      void stop(0);
    });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
