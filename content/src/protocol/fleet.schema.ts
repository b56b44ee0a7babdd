import { z } from 'zod';
import { IsoInstant, Sha256 } from '../content-item.schema';
import { PeripheralDriverStatus } from '../peripheral-event.schema';
import { API_V1 } from './paths';

/** Paths of the fleet half of the device API (heartbeats and command acknowledgements). */
export const fleetPaths = {
  heartbeat: `${API_V1}/device/heartbeat`,
  commandAck: (commandId: string) => `${API_V1}/device/commands/${encodeURIComponent(commandId)}/ack`,
} as const;

/** At most this many missing/corrupt asset hashes travel in one heartbeat; the count is always exact. */
export const HEARTBEAT_MAX_LISTED_ASSETS = 20;

/** How a kiosk's content stands: in step with the server, behind it (syncing or failing), or never synced. */
export const SyncStateV1 = z.enum(['in-sync', 'syncing', 'error', 'never-synced']);
export type SyncStateV1 = z.infer<typeof SyncStateV1>;

/**
 * What a kiosk reports every heartbeat interval (`POST /api/v1/device/heartbeat`). The server keeps the latest one
 * per device; a device that misses several in a row is shown offline.
 */
export const HeartbeatV1 = z.object({
  schema: z.literal('linli.heartbeat.v1'),
  sentAt: IsoInstant,
  /** How often the kiosk sends heartbeats; the server's offline window is a multiple of it. */
  intervalMs: z
    .number()
    .int()
    .min(200)
    .max(60 * 60 * 1000),
  appVersion: z.string().max(40),
  content: z.object({
    manifestVersion: z.string().max(128).nullable(),
    state: SyncStateV1,
    lastSyncAt: IsoInstant.nullable(),
    /** Assets the current manifest names that the kiosk lacks or found corrupt. */
    missingAssets: z.object({
      count: z.number().int().min(0),
      sha256: z.array(Sha256).max(HEARTBEAT_MAX_LISTED_ASSETS),
    }),
  }),
  /** The peripherals hub's device list; null when the kiosk runs no hub. */
  peripherals: z.array(PeripheralDriverStatus).max(32).nullable(),
  system: z.object({
    diskFreeBytes: z.number().int().min(0).nullable(),
    memoryFreeBytes: z.number().int().min(0),
    memoryTotalBytes: z.number().int().min(0),
    uptimeSeconds: z.number().min(0),
    /** How long the kiosk app (its host process) has been running. */
    appUptimeSeconds: z.number().min(0),
  }),
  lastError: z.object({ kind: z.string().max(60), message: z.string().max(500), at: IsoInstant }).nullable(),
  /** What the screen shows: the renderer's current screen, and the size of the last capture when one was taken. */
  screen: z
    .object({
      mode: z.string().max(40).nullable(),
      width: z.number().int().min(0).nullable(),
      height: z.number().int().min(0).nullable(),
      orientation: z.enum(['portrait', 'landscape']).nullable(),
    })
    .nullable(),
});
export type HeartbeatV1 = z.infer<typeof HeartbeatV1>;

/** What the server answers to a heartbeat. */
export const HeartbeatResponseV1 = z.object({ receivedAt: IsoInstant });
export type HeartbeatResponseV1 = z.infer<typeof HeartbeatResponseV1>;

/** The remote commands an administrator can send a kiosk. */
export const DEVICE_COMMAND_KINDS = ['reload-content', 'restart-app', 'identify', 'screenshot'] as const;
export const DeviceCommandKind = z.enum(DEVICE_COMMAND_KINDS);
export type DeviceCommandKind = z.infer<typeof DeviceCommandKind>;

/** Name of the server-sent event that carries a command on `/api/v1/device/events`. */
export const COMMAND_EVENT_NAME = 'command';

/** Data of a `command` event. Sent again on every reconnect while the command is not yet acknowledged. */
export const DeviceCommandEventV1 = z.object({
  id: z.string().uuid(),
  kind: DeviceCommandKind,
  issuedAt: IsoInstant,
  /** For `identify`: the name to flash on the screen. */
  deviceName: z.string().max(80).optional(),
});
export type DeviceCommandEventV1 = z.infer<typeof DeviceCommandEventV1>;

/**
 * A kiosk's acknowledgement of a command (JSON body of `POST …/commands/<id>/ack`). A screenshot is acknowledged
 * instead with the PNG itself as the body (`content-type: image/png`).
 */
export const CommandAckV1 = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.record(z.string(), z.unknown()).optional() }),
  z.object({
    ok: z.literal(false),
    error: z.object({ kind: z.string().max(60), message: z.string().max(500) }),
  }),
]);
export type CommandAckV1 = z.infer<typeof CommandAckV1>;

/** The largest screenshot a kiosk may upload (a 4K PNG of a busy screen stays well below it). */
export const MAX_SCREENSHOT_BYTES = 8 * 1024 * 1024;
