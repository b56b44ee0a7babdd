import { statfs } from 'node:fs/promises';
import { freemem, totalmem, uptime } from 'node:os';
import {
  COMMAND_EVENT_NAME,
  DeviceCommandEventV1,
  HEARTBEAT_MAX_LISTED_ASSETS,
  type CommandAckV1,
  type HeartbeatV1,
  type PeripheralDriverStatus,
  type SyncStateV1,
} from '@linli/content';
import type { KioskStatus } from '../shared/kiosk-api';
import type { Clock } from './clock';
import type { DeviceApiClient, ServerEvent } from './device-api.client';
import type { Logger } from './logger';
import { createIpcScreenCapturer, noScreen, type ScreenCapturer } from './screen-capturer';
import type { SyncService } from './sync.service';

/** The fleet side of the host: heartbeats to the server and the remote commands it sends. */
export interface FleetServiceOptions {
  /** How often a heartbeat goes out (default 30 s; tests use ~1 s). */
  heartbeatIntervalMs: number;
  appVersion: string;
  /** Where disk space is measured (the data folder's file system). */
  dataDir: string;
  /** How long the identify overlay stays on the screen. */
  identifyMs: number;
}

/** The default heartbeat interval. */
export const DEFAULT_FLEET_HEARTBEAT_MS = 30_000;

/** What the fleet service needs from the rest of the host. */
export interface FleetServiceDependencies {
  sync: Pick<
    SyncService,
    'credential' | 'getStatus' | 'isSyncing' | 'missingAssets' | 'onServerEvent' | 'syncNow'
  >;
  client: Pick<DeviceApiClient, 'sendHeartbeat' | 'acknowledgeCommand'>;
  clock: Clock;
  logger: Logger;
  capturer: ScreenCapturer;
  /** The peripherals hub's status list, or null when the kiosk runs no hub. */
  peripherals: () => PeripheralDriverStatus[] | null;
  /** The renderer's current screen (`home`, `attract`…), null before its first heartbeat. */
  rendererScreen: () => string | null;
  /** Flashes the device name on the screen; returns how many renderers were told (0: none connected). */
  identify: (name: string, durationMs: number) => number;
  /** Ends the app so its supervisor starts it again; false when there is no supervisor to do that. */
  restart: () => boolean;
}

/** The sync state a heartbeat reports, from the sync service's status. */
export function syncStateOf(status: KioskStatus, syncing: boolean): SyncStateV1 {
  if (syncing) return 'syncing';
  if (status.lastError) return 'error';
  return status.manifestVersion ? 'in-sync' : 'never-synced';
}

/**
 * Sends a heartbeat every interval once the kiosk is enrolled, and carries out the server's `command` events:
 * reload content, restart the app, identify, screenshot. Every command is acknowledged (ok or with the reason it
 * failed); a command sent again (the stream reconnected before the ack arrived) is carried out only once.
 */
export class FleetService {
  private timer: unknown = null;
  private running = false;
  private readonly startedAt: number;
  private readonly handled = new Set<string>();
  private lastCapture: { width: number; height: number } | null = null;
  private unsubscribe: (() => void) | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private readonly deps: FleetServiceDependencies,
    private readonly options: FleetServiceOptions,
  ) {
    this.startedAt = deps.clock.now().getTime();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.deps.sync.onServerEvent((event) => this.onServerEvent(event));
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe?.();
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.inFlight?.catch(() => undefined);
  }

  /** The report sent with each heartbeat. */
  async report(): Promise<HeartbeatV1> {
    const { sync, clock } = this.deps;
    const status = sync.getStatus();
    const missing = await sync.missingAssets();
    const screen = this.deps.rendererScreen();
    const capture = this.lastCapture;
    return {
      schema: 'linli.heartbeat.v1',
      sentAt: clock.now().toISOString(),
      intervalMs: this.options.heartbeatIntervalMs,
      appVersion: this.options.appVersion,
      content: {
        manifestVersion: status.manifestVersion,
        state: syncStateOf(status, sync.isSyncing()),
        lastSyncAt: status.lastSyncAt,
        missingAssets: { count: missing.length, sha256: missing.slice(0, HEARTBEAT_MAX_LISTED_ASSETS) },
      },
      peripherals: this.deps.peripherals(),
      system: {
        diskFreeBytes: await diskFree(this.options.dataDir),
        memoryFreeBytes: freemem(),
        memoryTotalBytes: totalmem(),
        uptimeSeconds: Math.round(uptime()),
        appUptimeSeconds: Math.max(0, Math.round((clock.now().getTime() - this.startedAt) / 1000)),
      },
      lastError: status.lastError
        ? {
            kind: status.lastError.kind.slice(0, 60),
            message: status.lastError.message.slice(0, 500),
            at: clock.now().toISOString(),
          }
        : null,
      screen:
        screen || capture
          ? {
              mode: screen?.slice(0, 40) ?? null,
              width: capture?.width ?? null,
              height: capture?.height ?? null,
              orientation: capture ? (capture.height >= capture.width ? 'portrait' : 'landscape') : null,
            }
          : null,
    };
  }

  /** Sends one heartbeat now; false when not enrolled yet or the server could not be reached. */
  async beat(): Promise<boolean> {
    const credential = this.deps.sync.credential();
    if (!credential) return false;
    const sent = await this.deps.client.sendHeartbeat(credential, await this.report());
    if (!sent.ok) this.deps.logger.warn('heartbeat not delivered', { error: sent.error });
    return sent.ok;
  }

  /** Carries out one command and acknowledges it. Resolves once the ack was sent (or failed to send). */
  async handle(command: DeviceCommandEventV1): Promise<void> {
    if (this.handled.has(command.id)) return;
    this.handled.add(command.id);
    const credential = this.deps.sync.credential();
    if (!credential) return;
    this.deps.logger.info('remote command', { id: command.id, kind: command.kind });
    const ack = await this.run(command).catch((error: unknown): CommandAckV1 | { png: Buffer } => ({
      ok: false,
      error: { kind: 'internal', message: String(error).slice(0, 500) },
    }));
    const sent = await this.deps.client.acknowledgeCommand(credential, command.id, ack);
    if (!sent.ok) {
      // not acknowledged: the server sends it again on the next reconnect, and this kiosk tries again then
      this.handled.delete(command.id);
      this.deps.logger.warn('command acknowledgement not delivered', { id: command.id, error: sent.error });
      return;
    }
    if (command.kind === 'restart-app' && 'ok' in ack && ack.ok) {
      this.deps.logger.info('restarting the app on the administrator’s command');
      this.deps.restart();
    }
  }

  private async run(command: DeviceCommandEventV1): Promise<CommandAckV1 | { png: Buffer }> {
    switch (command.kind) {
      case 'reload-content': {
        const synced = await this.deps.sync.syncNow();
        return synced.ok
          ? { ok: true, result: { outcome: synced.value } }
          : { ok: false, error: { kind: synced.error.kind, message: synced.error.message.slice(0, 500) } };
      }
      case 'restart-app':
        // the restart itself happens after the ack went out (handle), so the server learns it was done
        return process.env.LINLI_KIOSK_TOKEN
          ? { ok: true, result: { restarting: true } }
          : {
              ok: false,
              error: {
                kind: 'no-supervisor',
                message: 'started with --no-supervisor: nothing would restart it',
              },
            };
      case 'identify': {
        const told = this.deps.identify(command.deviceName ?? '', this.options.identifyMs);
        return told > 0
          ? { ok: true, result: { shownMs: this.options.identifyMs } }
          : { ok: false, error: { kind: 'no-renderer', message: 'no screen is connected to the host' } };
      }
      case 'screenshot': {
        const captured = await this.deps.capturer.capture();
        if (!captured.ok) return { ok: false, error: captured.error };
        const size = pngSize(captured.value);
        if (size) this.lastCapture = size;
        return { png: captured.value };
      }
      default: {
        const never: never = command.kind;
        return never;
      }
    }
  }

  private onServerEvent(event: ServerEvent): void {
    if (event.event !== COMMAND_EVENT_NAME) return;
    let data: unknown = null;
    try {
      data = JSON.parse(event.data);
    } catch {
      // malformed: ignored below
    }
    const command = DeviceCommandEventV1.safeParse(data);
    if (!command.success) {
      this.deps.logger.warn('ignoring a malformed command event', { data: event.data.slice(0, 200) });
      return;
    }
    void this.handle(command.data);
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.inFlight = this.beat()
        .catch((error: unknown) => {
          this.deps.logger.warn('heartbeat failed', { error: String(error) });
        })
        .then(() => {
          this.inFlight = null;
          this.schedule(this.options.heartbeatIntervalMs);
        });
    }, ms);
  }
}

/** Free bytes on the file system holding `dir`, or null where it cannot be measured. */
async function diskFree(dir: string): Promise<number | null> {
  try {
    const stats = await statfs(dir);
    return stats.bavail * stats.bsize;
  } catch {
    return null;
  }
}

/** Width and height from a PNG's IHDR, or null. */
function pngSize(png: Buffer): { width: number; height: number } | null {
  if (png.length < 24 || png.toString('ascii', 12, 16) !== 'IHDR') return null;
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

/** The heartbeat interval from `LINLI_FLEET_HEARTBEAT_MS` (at least 200 ms), else the default of 30 s. */
export function heartbeatIntervalFrom(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.LINLI_FLEET_HEARTBEAT_MS);
  return Number.isInteger(value) && value >= 200 ? value : DEFAULT_FLEET_HEARTBEAT_MS;
}

/** How the host wires its fleet service. */
export interface HostFleetSetup {
  sync: FleetServiceDependencies['sync'];
  client: FleetServiceDependencies['client'];
  clock: Clock;
  logger: Logger;
  dataDir: string;
  appVersion: string;
  /** The peripherals hub, when one runs. */
  hub: { status(): PeripheralDriverStatus[] } | null;
  /** The shell's screen capture; by default the supervisor's (over IPC) when there is one, else none. */
  capturer?: ScreenCapturer | undefined;
  heartbeatIntervalMs?: number | undefined;
  /** Subscribes to the renderer's heartbeats (the screen it shows). */
  onRendererHeartbeat: (listener: (heartbeat: { screen: string }) => void) => void;
}

/**
 * Builds the host's fleet service and the `onIdentify` event of KioskApi that the identify command drives. Kept
 * here so the host's wiring stays a few lines.
 */
export function createHostFleet(setup: HostFleetSetup): {
  fleet: FleetService;
  onIdentify: (listener: (request: { name: string; durationMs: number }) => void) => () => void;
} {
  const identifyListeners = new Set<(request: { name: string; durationMs: number }) => void>();
  let rendererScreen: string | null = null;
  setup.onRendererHeartbeat((heartbeat) => (rendererScreen = heartbeat.screen));
  // Under the supervisor (role `host`) the browser belongs to the supervisor: ask it over IPC.
  const supervised = process.env.LINLI_KIOSK_ROLE === 'host' && typeof process.send === 'function';
  const capturer = setup.capturer ?? (supervised ? createIpcScreenCapturer(process) : noScreen);
  const fleet = new FleetService(
    {
      sync: setup.sync,
      client: setup.client,
      clock: setup.clock,
      logger: setup.logger,
      capturer,
      peripherals: () => setup.hub?.status() ?? null,
      rendererScreen: () => rendererScreen,
      identify: (name, durationMs) => {
        for (const listener of identifyListeners) listener({ name, durationMs });
        return identifyListeners.size;
      },
      restart: () => {
        // a clean stop (the same as SIGTERM); the supervisor starts any host that ends without exit code 2
        process.kill(process.pid, 'SIGTERM');
        return true;
      },
    },
    {
      heartbeatIntervalMs: setup.heartbeatIntervalMs ?? heartbeatIntervalFrom(),
      appVersion: setup.appVersion,
      dataDir: setup.dataDir,
      // long enough to walk along a row of kiosks and find the one that flashes
      identifyMs: 10_000,
    },
  );
  return {
    fleet,
    onIdentify: (listener) => {
      identifyListeners.add(listener);
      return () => identifyListeners.delete(listener);
    },
  };
}
