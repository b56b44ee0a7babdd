/** Where the host writes what happened. stdout is kept for machine-readable lines (KIOSK_URL=…). */
export interface Logger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

let stderrGone = false;
let watchingStderr = false;

/**
 * Writes to stderr unless whoever read it has gone (EPIPE: a closed terminal or pipe, a journal that went away).
 * A log line must never keep an unattended kiosk busy: the failed write's `error` event would otherwise be an
 * uncaught exception, whose handler logs it, which writes again — a loop that held a core at 50 %.
 */
function writeStderr(line: string): void {
  if (!watchingStderr) {
    watchingStderr = true;
    process.stderr.on('error', () => {
      stderrGone = true;
    });
  }
  if (!stderrGone) process.stderr.write(line);
}

/** A logger writing one line per event to stderr, tagged with a component name. */
export function createLogger(component: string, write: (line: string) => void = writeStderr): Logger {
  const line = (level: string, message: string, detail?: Record<string, unknown>) =>
    write(
      `${new Date().toISOString()} ${level} [${component}] ${message}${detail ? ` ${JSON.stringify(detail)}` : ''}\n`,
    );
  return {
    info: (message, detail) => line('INFO', message, detail),
    warn: (message, detail) => line('WARN', message, detail),
    error: (message, detail) => line('ERROR', message, detail),
  };
}

/** A logger that drops everything (tests that assert on behaviour, not on logs). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
