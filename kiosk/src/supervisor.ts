import { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { hostPaths } from './shared/host-paths';
import { backoffDelay, systemClock } from './host/clock';
import type { KioskLaunchOptions } from './host/launch-options';
import type { Logger } from './host/logger';
import {
  DEFAULT_WATCHDOG_OPTIONS,
  RendererWatchdog,
  type RendererWatchdogOptions,
} from './host/renderer-watchdog';
import {
  ScreenshotRequestMessage,
  type ScreenCapturer,
  type ScreenshotResultMessage,
} from './host/screen-capturer';
import { findChromiumBinary, launchChromium, type ShellKind } from './host/shell-launcher';

// The kiosk's outermost process in production: small, stateless and hard to kill by accident. It starts the host
// as a child and starts it again when it crashes (with backoff if it keeps crashing), and owns the window: the
// Chromium shell under the renderer watchdog, or the Electron process (which runs the host itself). The host keeps
// the same loopback port and token across restarts, so the page in the window simply reconnects and goes on
// showing its content; a person is needed only for what a restart cannot fix (exit code 2: bad arguments,
// pairing refused).

/** Messages from the supervised host to the supervisor (Node IPC channel). */
export const HostMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready'), url: z.string() }),
  z.object({ type: z.literal('heartbeat') }),
  ScreenshotRequestMessage,
]);
export type HostMessage = z.infer<typeof HostMessage>;

/** Environment variables through which the supervisor hands its decisions to the host child. */
export const SUPERVISOR_ENV = {
  role: 'LINLI_KIOSK_ROLE',
  options: 'LINLI_KIOSK_OPTIONS',
  token: 'LINLI_KIOSK_TOKEN',
} as const;

/** Exit code meaning "a person must act": not restarted. */
export const EXIT_NEEDS_ATTENTION = 2;

/** Everything the supervisor needs. */
export interface SupervisorParameters {
  options: KioskLaunchOptions;
  shell: ShellKind;
  /** The CLI entry, forked with role `host`. */
  cliPath: string;
  /** Electron: its binary and main bundle (the host runs inside Electron's main process). */
  electron?: { binary: string; mainEntry: string };
  logger: Logger;
  watchdog?: Partial<RendererWatchdogOptions>;
  /** Called with the renderer URL once, when the first host is ready. */
  onUrl: (url: string) => void;
}

/** A free TCP port on loopback, for a host that must come back on the same address after a restart. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Runs the kiosk under supervision until SIGTERM/SIGINT (resolves 0) or until the host says a person must act
 * (resolves 2). Crashes of the host or the window never end it.
 */
export async function runSupervisor(parameters: SupervisorParameters): Promise<number> {
  const { options, logger } = parameters;
  let stopping = false;
  let child: ChildProcess | null = null;
  let crashes = 0;
  let startedAt = 0;
  let urlAnnounced = false;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));

  const port = options.port || (await freeLoopbackPort());
  const token = randomBytes(32).toString('base64url');
  const url = `http://127.0.0.1:${port}/?${hostPaths.tokenParameter}=${encodeURIComponent(token)}`;
  const childOptions: KioskLaunchOptions = { ...options, port };
  // The browser window's screen capture (the fleet's screenshot command), replaced whenever the window is.
  let capturer: ScreenCapturer | null = null;

  const watchdog =
    parameters.shell === 'chromium'
      ? (() => {
          const binary = findChromiumBinary();
          if (!binary) {
            logger.error('no Chromium found (apt install chromium); the host keeps running', { url });
            return null;
          }
          return new RendererWatchdog(
            () => {
              const window = launchChromium(binary, url, { debuggingPipe: true });
              capturer = window.capturer;
              return window;
            },
            systemClock,
            logger,
            {
              ...DEFAULT_WATCHDOG_OPTIONS,
              ...parameters.watchdog,
            },
          );
        })()
      : null;

  const announce = (announced: string) => {
    if (urlAnnounced) return;
    urlAnnounced = true;
    parameters.onUrl(announced);
    watchdog?.start();
  };

  const start = () => {
    startedAt = Date.now();
    child = parameters.electron ? startElectron() : startHost();
    const current = child;
    logger.info('host started', { pid: current.pid });
    current.on('exit', (code, signal) => {
      if (child === current) child = null;
      watchdog?.setHostUp(false);
      if (stopping) return;
      if (code === EXIT_NEEDS_ATTENTION) {
        logger.error('the host needs a person (see above); not restarting it');
        stopping = true;
        watchdog?.stop();
        return finish(EXIT_NEEDS_ATTENTION);
      }
      // A host that ran for a minute was healthy: restart at once. One that keeps dying backs off (to 30 s), so
      // a broken disk or database does not turn into a busy loop, yet the kiosk keeps trying without a person.
      crashes = Date.now() - startedAt > 60_000 ? 1 : crashes + 1;
      const delay = crashes <= 1 ? 100 : backoffDelay(crashes - 2, 500, 30_000);
      logger.warn('the host ended unexpectedly; restarting it', { code, signal, inMs: delay });
      setTimeout(() => {
        if (!stopping) start();
      }, delay);
    });
  };

  const startHost = () => {
    const host = fork(parameters.cliPath, [], {
      env: {
        ...process.env,
        [SUPERVISOR_ENV.role]: 'host',
        [SUPERVISOR_ENV.options]: JSON.stringify(childOptions),
        [SUPERVISOR_ENV.token]: token,
      },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    host.on('message', (raw) => {
      const message = HostMessage.safeParse(raw);
      if (!message.success) return;
      switch (message.data.type) {
        case 'ready':
          watchdog?.setHostUp(true);
          announce(message.data.url);
          break;
        case 'heartbeat':
          watchdog?.heartbeat();
          break;
        case 'screenshot-request': {
          const { id } = message.data;
          const answer = (result: Omit<ScreenshotResultMessage, 'type' | 'id'>) => {
            if (host.connected)
              host.send({ type: 'screenshot-result', id, ...result } satisfies ScreenshotResultMessage);
          };
          if (!capturer) {
            answer({ error: { kind: 'no-screen', message: 'no browser window to capture' } });
            break;
          }
          void capturer
            .capture()
            .then((captured) =>
              answer(
                captured.ok ? { pngBase64: captured.value.toString('base64') } : { error: captured.error },
              ),
            );
          break;
        }
        default: {
          const never: never = message.data;
          return never;
        }
      }
    });
    host.on('error', (error) => logger.error('host process error', { error: error.message }));
    return host;
  };

  const startElectron = () => {
    const electron = parameters.electron!;
    const process_ = spawn(electron.binary, [electron.mainEntry], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: {
        ...process.env,
        [SUPERVISOR_ENV.options]: JSON.stringify(childOptions),
        [SUPERVISOR_ENV.token]: token,
      },
    });
    createInterface({ input: process_.stdout! }).on('line', (line) => {
      const match = /^KIOSK_URL=(\S+)$/.exec(line);
      if (match?.[1]) announce(match[1]);
    });
    return process_;
  };

  const stop = () => {
    if (stopping && !child) return finish(0);
    stopping = true;
    watchdog?.stop();
    const current = child;
    if (!current) return finish(0);
    const force = setTimeout(() => current.kill('SIGKILL'), 8_000);
    current.once('exit', () => {
      clearTimeout(force);
      finish(0);
    });
    current.kill('SIGTERM');
  };
  process.on('SIGTERM', stop).on('SIGINT', stop);
  // The outermost process of an unattended kiosk: a bug in a handler here is logged, not allowed to take the
  // host and the window down with it.
  process.on('uncaughtException', (error) =>
    logger.error('supervisor error; carrying on', { error: error.stack ?? error.message }),
  );

  start();
  return finished;
}
