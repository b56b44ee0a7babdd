import { z } from 'zod';
import { DeviceCommandKind, type HeartbeatV1 } from '@linli/content';
import type { DeviceRecord } from '../devices/device.schema';

/** How a device stands: heartbeats arriving, overdue, or never received. */
export type Connectivity = 'online' | 'offline' | 'never';

/** Fleet settings (LINLI_FLEET_*). */
export interface FleetOptions {
  /** A device is offline once this many heartbeat intervals pass without one (default 3). */
  missedHeartbeats: number;
  /** How often the server looks for devices that went quiet. */
  checkIntervalMs: number;
  /** A command not acknowledged within this time fails as `expired`. */
  commandTimeoutMs: number;
}

export const DEFAULT_FLEET_OPTIONS: FleetOptions = {
  missedHeartbeats: 3,
  checkIntervalMs: 1_000,
  commandTimeoutMs: 15 * 60 * 1000,
};

/**
 * Online or offline from the last heartbeat: offline once `missed` of the device's own intervals have passed.
 * The device's interval (from its report) is used, not a server-wide one, so a kiosk tuned to report every 5 s
 * is noticed within 15 s and one on 30 s is not flagged early.
 */
export function connectivityOf(
  last: { receivedAtMs: number; intervalMs: number } | null,
  nowMs: number,
  missed: number,
): { state: Connectivity; offlineAtMs: number | null } {
  if (!last) return { state: 'never', offlineAtMs: null };
  const offlineAtMs = last.receivedAtMs + missed * last.intervalMs;
  return { state: nowMs > offlineAtMs ? 'offline' : 'online', offlineAtMs };
}

/** Where a command is: waiting for a stream, sent, done by the kiosk, or failed (refused, error, expired). */
export const COMMAND_STATES = ['pending', 'delivered', 'acked', 'failed'] as const;
export type CommandState = (typeof COMMAND_STATES)[number];

/** What can happen to a command. */
export type CommandEvent = 'deliver' | 'ack' | 'fail';

/**
 * The command state machine: pending → delivered → acked | failed. A delivered command is delivered again on a
 * reconnect (the kiosk may have lost it); an ack may overtake the "delivered" mark (the kiosk can answer before
 * the write returns). Acked and failed are final: a late or repeated ack changes nothing.
 */
export function nextCommandState(state: CommandState, event: CommandEvent): CommandState | null {
  switch (state) {
    case 'pending':
    case 'delivered':
      return event === 'deliver' ? 'delivered' : event === 'ack' ? 'acked' : 'failed';
    case 'acked':
    case 'failed':
      return null;
    default: {
      const never: never = state;
      return never;
    }
  }
}

/** One command as the admin page shows it. */
export interface CommandView {
  id: string;
  deviceId: string;
  kind: DeviceCommandKind;
  issuedBy: string;
  issuedAt: string;
  state: CommandState;
  deliveredAt: string | null;
  finishedAt: string | null;
  result: Record<string, unknown> | null;
  hasScreenshot: boolean;
}

/** A device with everything the fleet page shows about it. */
export interface FleetDevice extends DeviceRecord {
  connectivity: Connectivity;
  lastHeartbeatAt: string | null;
  offlineSince: string | null;
  report: HeartbeatV1 | null;
  latestScreenshot: CommandView | null;
  recentCommands: CommandView[];
}

/** The admin's command form. */
export const CommandRequest = z.object({
  deviceId: z.string().trim().min(1).max(100),
  kind: DeviceCommandKind,
});

export type FleetErrorKind = 'not-found' | 'invalid' | 'revoked' | 'conflict' | 'too-large' | 'unsupported';
export type FleetResult<T> =
  { ok: true; value: T } | { ok: false; error: { kind: FleetErrorKind; message: string } };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * Width and height of a PNG from its signature and IHDR chunk, or null when the bytes are not a PNG. Only the
 * header is read: the server stores the bytes and never decodes them.
 */
export function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 33 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  if (bytes.readUInt32BE(8) !== 13 || bytes.toString('ascii', 12, 16) !== 'IHDR') return null;
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  if (width === 0 || height === 0 || width > 16_384 || height > 16_384) return null;
  return { width, height };
}
