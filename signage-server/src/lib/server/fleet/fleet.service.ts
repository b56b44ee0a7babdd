import crypto from 'node:crypto';
import {
  COMMAND_EVENT_NAME,
  HeartbeatV1,
  MAX_SCREENSHOT_BYTES,
  type CommandAckV1,
  type DeviceCommandEventV1,
  type DeviceCommandKind,
} from '@linli/content';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { AuthenticatedDevice, DeviceRecord } from '../devices/device.schema';
import type { Actor } from '../devices/device.service';
import type { Logger } from '../logger';
import type { FleetRepository, HeartbeatRow } from './fleet.repository';
import {
  connectivityOf,
  DEFAULT_FLEET_OPTIONS,
  nextCommandState,
  pngSize,
  type CommandView,
  type FleetDevice,
  type FleetOptions,
  type FleetResult,
} from './fleet.schema';

/** How many commands per device the admin page lists. */
const RECENT_COMMANDS_PER_DEVICE = 5;

/** The event streams as the fleet uses them: write to one device's open streams. */
export interface CommandChannel {
  /** Writes an event to every open stream of the device; returns how many streams took it. */
  sendToDevice(deviceId: string, chunk: string): number;
}

/** A device going offline or coming back. */
export interface ConnectivityChange {
  deviceId: string;
  name: string;
  state: 'online' | 'offline';
  at: string;
}

/**
 * The fleet: latest heartbeats, online/offline with logged and audited transitions, and remote commands
 * (pending → delivered → acked | failed) carried as `command` events on the device's SSE stream.
 */
export class FleetService {
  private timer: NodeJS.Timeout | null = null;
  private readonly options: FleetOptions;

  constructor(
    private readonly repository: FleetRepository,
    private readonly devices: { list(): DeviceRecord[] },
    private readonly channel: CommandChannel,
    private readonly audit: Pick<AuditService, 'record'>,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    options: Partial<FleetOptions> = {},
  ) {
    this.options = { ...DEFAULT_FLEET_OPTIONS, ...options };
  }

  /** Stores a device's report as its latest; a device that was offline (or never seen) is announced online. */
  recordHeartbeat(device: AuthenticatedDevice, report: HeartbeatV1): { receivedAt: string } {
    const receivedAt = this.clock.now().toISOString();
    const changed = this.repository.transaction(() => {
      const before = this.repository.getHeartbeat(device.id);
      const comesOnline = !before || before.state === 'offline';
      this.repository.upsertHeartbeat({
        device_id: device.id,
        received_at: receivedAt,
        interval_ms: report.intervalMs,
        report: JSON.stringify(report),
        state: 'online',
        state_changed_at: comesOnline ? receivedAt : (before?.state_changed_at ?? receivedAt),
      });
      if (comesOnline)
        this.auditChange({ deviceId: device.id, name: device.name, state: 'online', at: receivedAt });
      return comesOnline;
    });
    if (changed) this.logger.info({ deviceId: device.id, deviceName: device.name }, 'device online');
    return { receivedAt };
  }

  /**
   * Marks devices whose heartbeats stopped as offline (logged and audited once per transition) and fails
   * commands nobody acknowledged in time. The timer calls it every `checkIntervalMs`; tests call it directly.
   */
  check(): ConnectivityChange[] {
    const now = this.clock.now();
    const changes: ConnectivityChange[] = [];
    for (const row of this.repository.listActiveHeartbeats()) {
      if (row.state !== 'online') continue;
      const { state } = connectivityOf(this.lastOf(row), now.getTime(), this.options.missedHeartbeats);
      if (state !== 'offline') continue;
      const at = now.toISOString();
      const change = { deviceId: row.device_id, name: row.device_name, state: 'offline' as const, at };
      const marked = this.repository.transaction(() => {
        if (!this.repository.markOffline(row.device_id, row.received_at, at)) return false;
        this.auditChange(change);
        return true;
      });
      if (!marked) continue;
      this.logger.warn(
        { deviceId: row.device_id, deviceName: row.device_name, lastHeartbeatAt: row.received_at },
        'device offline: heartbeats stopped',
      );
      changes.push(change);
    }
    const expiredBefore = now.getTime() - this.options.commandTimeoutMs;
    for (const command of this.repository.listOpenCommands()) {
      if (Date.parse(command.issuedAt) > expiredBefore) continue;
      this.finish(command, 'failed', { error: { kind: 'expired', message: 'not acknowledged in time' } });
    }
    return changes;
  }

  /** Starts the periodic check. */
  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.check();
      } catch (error) {
        this.logger.warn({ error: String(error) }, 'fleet check failed; trying again');
      }
    }, this.options.checkIntervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Every device with its connectivity, latest report, latest screenshot and recent commands. */
  overview(): FleetDevice[] {
    const now = this.clock.now().getTime();
    const heartbeats = new Map(this.repository.listHeartbeats().map((row) => [row.device_id, row]));
    const screenshots = new Map(this.repository.listLatestScreenshots().map((c) => [c.deviceId, c]));
    const recent = new Map<string, CommandView[]>();
    for (const command of this.repository.listRecentCommands(RECENT_COMMANDS_PER_DEVICE)) {
      recent.set(command.deviceId, [...(recent.get(command.deviceId) ?? []), command]);
    }
    return this.devices.list().map((device) => {
      const row = heartbeats.get(device.id) ?? null;
      const { state, offlineAtMs } = connectivityOf(
        row && this.lastOf(row),
        now,
        this.options.missedHeartbeats,
      );
      return {
        ...device,
        connectivity: state,
        lastHeartbeatAt: row?.received_at ?? null,
        offlineSince:
          state === 'offline' && offlineAtMs !== null ? new Date(offlineAtMs).toISOString() : null,
        report: row ? parseReport(row.report) : null,
        latestScreenshot: screenshots.get(device.id) ?? null,
        recentCommands: recent.get(device.id) ?? [],
      };
    });
  }

  /** Devices that are not revoked and whose heartbeats stopped (the admin's alert banner). */
  offlineDevices(): { id: string; name: string; lastHeartbeatAt: string }[] {
    const now = this.clock.now().getTime();
    return this.repository
      .listActiveHeartbeats()
      .filter(
        (row) => connectivityOf(this.lastOf(row), now, this.options.missedHeartbeats).state === 'offline',
      )
      .map((row) => ({ id: row.device_id, name: row.device_name, lastHeartbeatAt: row.received_at }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Stores a command for a device (audited) and sends it at once if the device has a stream open. */
  issueCommand(deviceId: string, kind: DeviceCommandKind, actor: Actor): FleetResult<CommandView> {
    const device = this.devices.list().find((d) => d.id === deviceId);
    if (!device) return { ok: false, error: { kind: 'not-found', message: 'no such device' } };
    if (device.revokedAt) return { ok: false, error: { kind: 'revoked', message: 'the device is revoked' } };
    const id = crypto.randomUUID();
    const issuedAt = this.clock.now().toISOString();
    const issuedBy = actor?.username ?? 'system';
    this.repository.transaction(() => {
      this.repository.insertCommand({ id, deviceId, kind, issuedBy, issuedAt });
      this.audit.record({
        actor,
        action: 'device.command',
        target: deviceId,
        detail: { commandId: id, kind },
      });
    });
    this.logger.info({ deviceId, commandId: id, kind, issuedBy }, 'device command issued');
    const command = this.repository.getCommand(id)!;
    this.deliver(command, device.name);
    return { ok: true, value: this.repository.getCommand(id)! };
  }

  /** Sends every unacknowledged command of a device again (its event stream just opened). */
  deliverOpenCommands(deviceId: string): void {
    const name = this.devices.list().find((d) => d.id === deviceId)?.name;
    for (const command of this.repository.listOpenCommands(deviceId)) this.deliver(command, name);
  }

  /** A kiosk's JSON acknowledgement of one of its commands. */
  acknowledge(device: AuthenticatedDevice, commandId: string, ack: CommandAckV1): FleetResult<CommandView> {
    const command = this.ownCommand(device, commandId);
    if (!command.ok) return command;
    if (command.value.kind === 'screenshot' && ack.ok) {
      return {
        ok: false,
        error: { kind: 'unsupported', message: 'a screenshot is acknowledged with its PNG' },
      };
    }
    return this.finish(
      command.value,
      ack.ok ? 'acked' : 'failed',
      ack.ok ? (ack.result ?? {}) : { error: ack.error },
    );
  }

  /** A kiosk's screenshot: a PNG (checked by magic bytes and header, size-capped) that acknowledges the command. */
  acknowledgeScreenshot(
    device: AuthenticatedDevice,
    commandId: string,
    png: Buffer,
  ): FleetResult<CommandView> {
    const command = this.ownCommand(device, commandId);
    if (!command.ok) return command;
    if (command.value.kind !== 'screenshot')
      return { ok: false, error: { kind: 'invalid', message: 'this command is not a screenshot' } };
    if (png.length > MAX_SCREENSHOT_BYTES)
      return { ok: false, error: { kind: 'too-large', message: `at most ${MAX_SCREENSHOT_BYTES} bytes` } };
    const size = pngSize(png);
    if (!size) return { ok: false, error: { kind: 'unsupported', message: 'the body is not a PNG' } };
    return this.finish(command.value, 'acked', { ...size, bytes: png.length }, png);
  }

  /** The PNG of a screenshot command, or null. */
  screenshot(commandId: string): Buffer | null {
    return this.repository.getScreenshot(commandId);
  }

  private ownCommand(device: AuthenticatedDevice, commandId: string): FleetResult<CommandView> {
    const command = this.repository.getCommand(commandId);
    // another device's command id answers like an unknown one: ids reveal nothing across devices
    if (!command || command.deviceId !== device.id)
      return { ok: false, error: { kind: 'not-found', message: 'no such command for this device' } };
    return { ok: true, value: command };
  }

  private finish(
    command: CommandView,
    state: 'acked' | 'failed',
    result: Record<string, unknown>,
    screenshot: Buffer | null = null,
  ): FleetResult<CommandView> {
    if (!nextCommandState(command.state, state === 'acked' ? 'ack' : 'fail')) {
      return { ok: false, error: { kind: 'conflict', message: `the command is already ${command.state}` } };
    }
    const at = this.clock.now().toISOString();
    if (!this.repository.finishCommand(command.id, state, at, result, screenshot)) {
      return { ok: false, error: { kind: 'conflict', message: 'the command was finished meanwhile' } };
    }
    this.logger.info(
      { deviceId: command.deviceId, commandId: command.id, kind: command.kind, state },
      'device command finished',
    );
    return { ok: true, value: this.repository.getCommand(command.id)! };
  }

  private deliver(command: CommandView, deviceName: string | undefined): void {
    if (!nextCommandState(command.state, 'deliver')) return;
    const event: DeviceCommandEventV1 = {
      id: command.id,
      kind: command.kind,
      issuedAt: command.issuedAt,
      ...(deviceName ? { deviceName } : {}),
    };
    const chunk = `event: ${COMMAND_EVENT_NAME}\ndata: ${JSON.stringify(event)}\n\n`;
    if (this.channel.sendToDevice(command.deviceId, chunk) > 0) {
      this.repository.markDelivered(command.id, this.clock.now().toISOString());
    }
  }

  private lastOf(row: HeartbeatRow) {
    return { receivedAtMs: Date.parse(row.received_at), intervalMs: row.interval_ms };
  }

  private auditChange(change: ConnectivityChange): void {
    this.audit.record({
      actor: null,
      action: `device.${change.state}`,
      target: change.deviceId,
      detail: { name: change.name },
    });
  }
}

/** A stored report, or null if it no longer parses (a report from an older schema). */
function parseReport(json: string): HeartbeatV1 | null {
  try {
    const parsed = HeartbeatV1.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
