/** Where the host writes what happened. stdout is kept for machine-readable lines (KIOSK_URL=…). */
export interface Logger {
  info(message: string, detail?: Record<string, unknown>): void;
  warn(message: string, detail?: Record<string, unknown>): void;
  error(message: string, detail?: Record<string, unknown>): void;
}

/** A logger writing one line per event to stderr, tagged with a component name. */
export function createLogger(
  component: string,
  write: (line: string) => void = (l) => process.stderr.write(l),
): Logger {
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
