import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { WatchedWindow } from './renderer-watchdog';
import { CdpPipe, capturePageOverCdp, type ScreenCapturer } from './screen-capturer';

/** Which window shows the renderer. */
export type ShellKind = 'electron' | 'chromium' | 'none';

/** Candidate Chromium binaries, Debian's first. */
const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

/**
 * The Electron binary, or null. `require('electron')` returns the binary's path from the npm package, and throws
 * when its download never happened (our build machines have the package but no binary).
 */
export function findElectronBinary(): string | null {
  try {
    const path: unknown = createRequire(import.meta.url)('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

/** The first Chromium found, or null. */
export function findChromiumBinary(): string | null {
  return CHROMIUM_PATHS.find((path) => existsSync(path)) ?? null;
}

/** The default shell: Electron when its binary exists, else Chromium. */
export function defaultShell(): ShellKind {
  return findElectronBinary() ? 'electron' : 'chromium';
}

/**
 * Chromium flags for an unattended kiosk: full screen without browser UI, a fresh profile per launch (no state
 * survives a restart), and nothing that phones home (only the npm registry and apt are reachable anyway).
 */
export function chromiumArguments(url: string, profileDir: string): string[] {
  const args = [
    '--kiosk',
    `--app=${url}`,
    `--user-data-dir=${profileDir}`,
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--disable-translate',
    '--noerrdialogs',
    '--disable-session-crashed-bubble',
    '--disable-pinch',
    '--overscroll-history-navigation=0',
    '--autoplay-policy=no-user-gesture-required',
    '--touch-events=enabled',
    // Lockdown, the browser-shell half of Electron's policy: no popups or new windows, no permission prompts
    // (everything is denied; peripherals belong to the host), no extensions, no translate or password bubbles.
    '--block-new-web-contents',
    '--deny-permission-prompts',
    '--disable-extensions',
    '--disable-features=Translate,TranslateUI,PasswordManagerOnboarding,MediaRouter',
    '--password-store=basic',
    '--disable-print-preview',
  ];
  // Chromium refuses to start as root with its sandbox; kiosk OS sessions run as a user, test machines as root.
  if (process.getuid?.() === 0) args.push('--no-sandbox');
  // Extra flags for special setups, e.g. `--headless --disable-gpu` on a machine without a display.
  const extra = process.env.LINLI_CHROMIUM_FLAGS?.split(/\s+/).filter(Boolean) ?? [];
  return [...args, ...extra];
}

/** A started browser window process. */
export interface LaunchedShell {
  child: ChildProcess;
  /** Ends the browser (if still running) and removes its throw-away profile. */
  close(): void;
}

/**
 * Starts Debian's Chromium on the renderer URL, as a window the renderer watchdog can look after: its exit is
 * reported once, `kill()` ends it at once (SIGKILL: a hung browser ignores SIGTERM), and its throw-away profile
 * is removed when it has ended.
 */
export function launchChromium(
  binary: string,
  url: string,
  options: { debuggingPipe?: boolean } = {},
): WatchedWindow & LaunchedShell & { capturer: ScreenCapturer | null } {
  const profileDir = mkdtempSync(join(tmpdir(), 'linli-chromium-'));
  // The fleet's screenshots go over DevTools on fds 3/4, which only this process holds (never a debugging port).
  const args = chromiumArguments(url, profileDir);
  if (options.debuggingPipe) args.push('--remote-debugging-pipe');
  // Chromium's own logging is noise in the kiosk log; its crashes show as exits and missing heartbeats.
  const child = spawn(binary, args, {
    stdio: options.debuggingPipe
      ? ['ignore', 'ignore', 'ignore', 'pipe', 'pipe']
      : ['ignore', 'ignore', 'ignore'],
  });
  const pipe = options.debuggingPipe
    ? new CdpPipe(child.stdio[3] as Writable, child.stdio[4] as Readable)
    : null;
  const removeProfile = () => {
    try {
      // Chromium's helper processes may still be writing for a moment after the browser process is gone.
      rmSync(profileDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch {
      // A leftover profile in the temp folder is harmless; a throw here would take the supervisor down with it.
    }
  };
  child.once('exit', removeProfile);
  child.once('error', removeProfile);
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    child,
    pid: child.pid,
    capturer: pipe ? { capture: () => capturePageOverCdp(pipe) } : null,
    onExit(listener) {
      let reported = false;
      const report = (code: number | null, signal: NodeJS.Signals | null) => {
        if (reported) return;
        reported = true;
        listener(code, signal);
      };
      if (!running()) return void queueMicrotask(() => report(child.exitCode, child.signalCode));
      child.once('exit', report);
      // A browser that cannot even be started (binary gone) ends here, without an exit event.
      child.once('error', () => report(null, null));
    },
    kill() {
      if (running()) child.kill('SIGKILL');
    },
    close() {
      if (running()) child.kill('SIGTERM');
      else removeProfile();
    },
  };
}

/**
 * Starts Electron on the kiosk's main bundle, which runs the same host in-process. The CLI's options travel in
 * one environment variable so main parses them with the same schema.
 */
export function launchElectron(binary: string, mainEntry: string, options: unknown): LaunchedShell {
  const child = spawn(binary, [mainEntry], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, LINLI_KIOSK_OPTIONS: JSON.stringify(options) },
  });
  return {
    child,
    close() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    },
  };
}
