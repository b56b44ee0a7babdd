import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { fail, ok, type Result } from '../shared/result';
import type { KioskHostConfig } from './kiosk-host';

/** What a kiosk screen is for (`LINLI_KIOSK_MODE` in /etc/linli/kiosk.env, or `--mode`). */
export const KIOSK_MODES = ['lobby', 'gate', 'station', 'signage'] as const;
export const KioskMode = z.enum(KIOSK_MODES, { error: `expected one of ${KIOSK_MODES.join(', ')}` });
export type KioskMode = z.infer<typeof KioskMode>;

/**
 * How the picture is turned on the panel (`LINLI_KIOSK_ORIENTATION`, or `--orientation`), relative to the panel's
 * native (usually landscape) mode: `portrait` turns it 90° clockwise, the `-flipped` forms add 180°. The kiosk
 * session applies it to the compositor output (cage -r, see packaging/kiosk/linli-kiosk-session); the renderer
 * lays out for whatever window size results.
 */
export const KIOSK_ORIENTATIONS = ['landscape', 'portrait', 'landscape-flipped', 'portrait-flipped'] as const;
export const KioskOrientation = z.enum(KIOSK_ORIENTATIONS, {
  error: `expected one of ${KIOSK_ORIENTATIONS.join(', ')}`,
});
export type KioskOrientation = z.infer<typeof KioskOrientation>;

/** Environment variables read as defaults of `--mode` and `--orientation` (the names kiosk.env uses). */
export const MODE_ENV = 'LINLI_KIOSK_MODE';
export const ORIENTATION_ENV = 'LINLI_KIOSK_ORIENTATION';

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
  /** What this screen is for. */
  mode: KioskMode,
  /** How the kiosk session turns the picture on the panel. */
  orientation: KioskOrientation,
  /** Seconds without a touch before the session resets and the attract loop starts; null: the default. */
  idleTimeoutSeconds: z.number().int().min(5).max(86_400).nullable(),
  /** Accept simulated peripheral events on loopback (demos and tests; never in production). */
  simulatePeripherals: z.boolean(),
  /** The hidden dev panel with the peripherals simulator (development and demos; never in production). */
  devPanel: z.boolean(),
  /** Absolute file or device path of an ESC/POS receipt printer; absent: no paper receipts. */
  receiptPrinter: z.string().min(1).optional(),
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
  --mode <mode>           lobby | gate | station | signage (default lobby; also LINLI_KIOSK_MODE);
                          station: show the server's station console and lend it this PC's readers;
                          signage: a non-touch screen playing its layout and playlists
  --orientation <o>       landscape | portrait | landscape-flipped | portrait-flipped: how the kiosk
                          session turns the picture (default landscape; also LINLI_KIOSK_ORIENTATION)
  --idle-timeout <s>      seconds without a touch before the kiosk resets and shows its attract loop (default 120)
  --no-supervisor         run the host alone, without the supervisor that restarts it when it crashes
  --simulate-peripherals  accept simulated card/document events on loopback (demos and tests only)
  --dev-panel             show the hidden dev panel that drives simulated card readers and scanners
                          (also LINLI_KIOSK_DEV_PANEL=1; development and demos only)
  --receipt-printer <p>   ESC/POS receipt printer: a device (/dev/usb/lp0) or file path (default: none)
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
        mode: { type: 'string' },
        orientation: { type: 'string' },
        'no-supervisor': { type: 'boolean' },
        'simulate-peripherals': { type: 'boolean' },
        'dev-panel': { type: 'boolean' },
        'receipt-printer': { type: 'string' },
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
    // an empty variable (the kiosk.env line left blank) means the default, like an absent one
    mode: values.mode ?? (env[MODE_ENV] || 'lobby'),
    orientation: values.orientation ?? (env[ORIENTATION_ENV] || 'landscape'),
    simulatePeripherals: values['simulate-peripherals'] ?? false,
    devPanel: values['dev-panel'] ?? env[DEV_PANEL_ENV] === '1',
    ...(values['receipt-printer'] === undefined
      ? {}
      : { receiptPrinter: resolve(cwd, values['receipt-printer']) }),
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
    ...(options.receiptPrinter ? { receiptPrinter: options.receiptPrinter } : {}),
    // A gate kiosk leads with visitor registration (issue 6).
    ...(options.mode === 'gate' ? { visitor: { gateMode: true } } : {}),
    // A station PC shows the server's console and lends it the readers (issues 6 and 7).
    ...(options.mode === 'station' ? { stationMode: true } : {}),
    // A non-touch lobby screen runs its layout full screen (issue 4).
    ...(options.mode === 'signage' ? { signageMode: true } : {}),
  };
}
