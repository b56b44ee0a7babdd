import { pino, type Logger } from 'pino';

/** The server's structured logger type (pino). */
export type { Logger } from 'pino';

/**
 * Structured JSON logs on stdout. Under systemd, stdout goes to the journal, so no file handling or rotation
 * happens here (`journalctl -u linli-server -o cat | jq` reads them). LINLI_LOG_LEVEL picks the level.
 */
export function createLogger(
  name: string,
  env: Record<string, string | undefined> = process.env,
  destination?: NodeJS.WritableStream,
): Logger {
  const level = env.LINLI_LOG_LEVEL || 'info';
  // Secrets must never reach the journal: these paths are replaced before a line is written.
  const redact = ['password', 'token', 'credential', '*.password', '*.token', '*.credential'];
  // Personal data (visitors' and residents' ID and phone numbers) must never be logged either, even by mistake.
  redact.push('idNumber', 'documentNumber', 'phone', '*.idNumber', '*.documentNumber', '*.phone');
  const options = {
    name,
    level,
    redact,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
