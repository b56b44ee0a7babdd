import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** A kiosk started the way an operator starts it: `npm run kiosk -- …` from the repo root. */
export interface KioskProcess {
  url: string;
  child: ChildProcess;
  /** Everything the kiosk logged so far (stderr). */
  log(): string;
  /** SIGTERM to the whole process group (npm → tsx → supervisor → host, window), then waits for the exit code. */
  stop(): Promise<number | null>;
}

/** How to start it. */
export interface KioskProcessOptions {
  /** `none` (default): host only, the test opens the page itself. */
  shell?: 'none' | 'chromium';
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** Starts the kiosk CLI and resolves with the URL it prints as `KIOSK_URL=<url>`. */
export function startKioskProcess(args: string[], options: KioskProcessOptions = {}): Promise<KioskProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const child = spawn(
    'npm',
    ['run', '--silent', 'kiosk', '--', '--shell', options.shell ?? 'none', ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, ...options.env },
      // Own process group, so stop() reaches npm's children too, and nothing else.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if (process.env.LINLI_E2E_VERBOSE) process.stderr.write(chunk);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGTERM');
    return exited;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`the kiosk printed no KIOSK_URL within ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the kiosk exited (${code}) before printing KIOSK_URL:\n${stderr}`));
    });
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^KIOSK_URL=(\S+)$/.exec(line);
      if (!match?.[1]) return;
      clearTimeout(timer);
      resolve({ url: match[1], child, log: () => stderr, stop });
    });
  });
}
