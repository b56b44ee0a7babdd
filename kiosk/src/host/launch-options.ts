import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fail, ok, type Result } from '../shared/result';
import type { KioskHostConfig } from './kiosk-host';

/** How the kiosk was asked to start: from the CLI, or handed by the CLI to Electron's main process. */
export const KioskLaunchOptions = z.object({
  server: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).nullable(),
  pairingCode: z.string().min(1).nullable(),
  shell: z.enum(['electron', 'chromium', 'none']).nullable(),
  /** Absolute. */
  dataDir: z.string().min(1),
  port: z.number().int().min(0).max(65_535),
  name: z.string().trim().min(1).max(80).nullable(),
  /** Electron only: open devtools (never in production). */
  devTools: z.boolean(),
  /** Run under the supervisor, which restarts a crashed host (default; off for development). */
  supervise: z.boolean(),
  /** Seconds without a touch before the session resets and the attract loop starts; null: the default. */
  idleTimeoutSeconds: z.number().int().min(5).max(86_400).nullable(),
  /** Accept simulated peripheral events on loopback (demos and tests; never in production). */
  simulatePeripherals: z.boolean(),
  /** The hidden dev panel with the peripherals simulator (development and demos; never in production). */
  devPanel: z.boolean(),
});
export type KioskLaunchOptions = z.infer<typeof KioskLaunchOptions>;

/** Environment variable that turns the dev panel on like `--dev-panel` (value `1`). */
export const DEV_PANEL_ENV = 'LINLI_KIOSK_DEV_PANEL';

/** The CLI's usage text. */
export const USAGE = `Usage: npm run kiosk -- --server <url> [options]

  --server <url>          signage server, e.g. http://127.0.0.1:8080 (optional once enrolled)
  --pairing-code <code>   one-time code from the admin page (first start only)
  --shell <kind>          electron | chromium | none  (default: electron if installed, else chromium)
                          none = host only; prints KIOSK_URL=<url> for a browser or a test
  --data-dir <dir>        cache and enrolment (default ./data/kiosk)
  --port <n>              loopback port of the host (default 0 = any free port)
  --name <name>           device name shown to administrators (default kiosk-<hostname>)
  --idle-timeout <s>      seconds without a touch before the kiosk resets and shows its attract loop (default 120)
  --no-supervisor         run the host alone, without the supervisor that restarts it when it crashes
  --simulate-peripherals  accept simulated card/document events on loopback (demos and tests only)
  --dev-panel             show the hidden dev panel that drives simulated card readers and scanners
                          (also LINLI_KIOSK_DEV_PANEL=1; development and demos only)
  --dev-tools             Electron: allow devtools (development only)
  --help                  this text`;

/**
 * Parses CLI arguments. Relative paths resolve against `cwd` — the directory the user ran `npm run` in
 * (INIT_CWD), not the workspace folder npm switches to.
 */
export function parseCliArguments(
  argv: string[],
  cwd: string,
  env: Record<string, string | undefined> = {},
): Result<KioskLaunchOptions | 'help', 'invalid-arguments'> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        'pairing-code': { type: 'string' },
        shell: { type: 'string' },
        'data-dir': { type: 'string' },
        port: { type: 'string' },
        name: { type: 'string' },
        'dev-tools': { type: 'boolean' },
        'idle-timeout': { type: 'string' },
        'no-supervisor': { type: 'boolean' },
        'simulate-peripherals': { type: 'boolean' },
        'dev-panel': { type: 'boolean' },
        help: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    return fail('invalid-arguments', error instanceof Error ? error.message : String(error));
  }
  if (values.help) return ok('help');
  const dataDir = values['data-dir'] ?? './data/kiosk';
  const parsed = KioskLaunchOptions.safeParse({
    server: values.server ?? null,
    pairingCode: values['pairing-code'] ?? null,
    shell: values.shell ?? null,
    dataDir: isAbsolute(dataDir) ? dataDir : resolve(cwd, dataDir),
    port: values.port === undefined ? 0 : Number(values.port),
    name: values.name ?? null,
    devTools: values['dev-tools'] ?? false,
    supervise: !(values['no-supervisor'] ?? false),
    idleTimeoutSeconds: values['idle-timeout'] === undefined ? null : Number(values['idle-timeout']),
    simulatePeripherals: values['simulate-peripherals'] ?? false,
    devPanel: values['dev-panel'] ?? env[DEV_PANEL_ENV] === '1',
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const option = String(issue?.path[0] ?? '').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    return fail('invalid-arguments', `--${option.replace(/-seconds$/, '')}: ${issue?.message}`);
  }
  return ok(parsed.data);
}

/** The host configuration for launch options. */
export function hostConfigFrom(
  options: KioskLaunchOptions,
  rendererDir: string,
  appVersion: string,
): KioskHostConfig {
  return {
    dataDir: options.dataDir,
    serverUrl: options.server,
    pairingCode: options.pairingCode,
    port: options.port,
    rendererDir,
    appVersion,
    ...(options.name ? { deviceName: options.name } : {}),
    ...(options.idleTimeoutSeconds ? { idleTimeoutMs: options.idleTimeoutSeconds * 1000 } : {}),
    simulatePeripherals: options.simulatePeripherals,
    devPanel: options.devPanel,
  };
}
