import type { Db } from '../db/database';
import type { CommandState, CommandView } from './fleet.schema';
import type { DeviceCommandKind } from '@linli/content';

/** The stored latest heartbeat of a device. */
export interface HeartbeatRow {
  device_id: string;
  device_name: string;
  received_at: string;
  interval_ms: number;
  report: string;
  state: 'online' | 'offline';
  state_changed_at: string;
}

interface CommandRow {
  id: string;
  device_id: string;
  kind: DeviceCommandKind;
  issued_by: string;
  issued_at: string;
  state: CommandState;
  delivered_at: string | null;
  finished_at: string | null;
  result: string | null;
  has_screenshot: number;
}

const COMMAND_COLUMNS = `id, device_id, kind, issued_by, issued_at, state, delivered_at, finished_at, result,
  screenshot IS NOT NULL AS has_screenshot`;

const toCommand = (row: CommandRow): CommandView => ({
  id: row.id,
  deviceId: row.device_id,
  kind: row.kind,
  issuedBy: row.issued_by,
  issuedAt: row.issued_at,
  state: row.state,
  deliveredAt: row.delivered_at,
  finishedAt: row.finished_at,
  result: row.result ? (JSON.parse(row.result) as Record<string, unknown>) : null,
  hasScreenshot: row.has_screenshot === 1,
});

/** SQL for `device_heartbeats` and `device_commands`. */
export class FleetRepository {
  constructor(private readonly db: Db) {}

  getHeartbeat(deviceId: string): HeartbeatRow | null {
    return (
      this.db
        .prepare<[string], HeartbeatRow>(
          `SELECT h.*, d.name AS device_name FROM device_heartbeats h JOIN devices d ON d.id = h.device_id
           WHERE h.device_id = ?`,
        )
        .get(deviceId) ?? null
    );
  }

  /** Latest heartbeats of devices that are not revoked. */
  listActiveHeartbeats(): HeartbeatRow[] {
    return this.db
      .prepare<[], HeartbeatRow>(
        `SELECT h.*, d.name AS device_name FROM device_heartbeats h JOIN devices d ON d.id = h.device_id
         WHERE d.revoked_at IS NULL`,
      )
      .all();
  }

  listHeartbeats(): HeartbeatRow[] {
    return this.db
      .prepare<[], HeartbeatRow>(
        `SELECT h.*, d.name AS device_name FROM device_heartbeats h JOIN devices d ON d.id = h.device_id`,
      )
      .all();
  }

  upsertHeartbeat(row: Omit<HeartbeatRow, 'device_name'>): void {
    this.db
      .prepare(
        `INSERT INTO device_heartbeats (device_id, received_at, interval_ms, report, state, state_changed_at)
         VALUES (@device_id, @received_at, @interval_ms, @report, @state, @state_changed_at)
         ON CONFLICT (device_id) DO UPDATE SET received_at = excluded.received_at,
           interval_ms = excluded.interval_ms, report = excluded.report, state = excluded.state,
           state_changed_at = excluded.state_changed_at`,
      )
      .run(row);
  }

  /** Marks a device offline unless a heartbeat changed its row meanwhile; false when nothing changed. */
  markOffline(deviceId: string, receivedAt: string, at: string): boolean {
    return (
      this.db
        .prepare(
          `UPDATE device_heartbeats SET state = 'offline', state_changed_at = ?
           WHERE device_id = ? AND received_at = ? AND state = 'online'`,
        )
        .run(at, deviceId, receivedAt).changes === 1
    );
  }

  insertCommand(command: {
    id: string;
    deviceId: string;
    kind: DeviceCommandKind;
    issuedBy: string;
    issuedAt: string;
  }): void {
    this.db
      .prepare(
        `INSERT INTO device_commands (id, device_id, kind, issued_by, issued_at, state)
         VALUES (@id, @deviceId, @kind, @issuedBy, @issuedAt, 'pending')`,
      )
      .run(command);
  }

  getCommand(id: string): CommandView | null {
    const row = this.db
      .prepare<[string], CommandRow>(`SELECT ${COMMAND_COLUMNS} FROM device_commands WHERE id = ?`)
      .get(id);
    return row ? toCommand(row) : null;
  }

  /** Commands not yet acknowledged, oldest first. */
  listOpenCommands(deviceId?: string): CommandView[] {
    const where = deviceId ? 'AND device_id = ?' : '';
    return this.db
      .prepare<string[], CommandRow>(
        `SELECT ${COMMAND_COLUMNS} FROM device_commands WHERE state IN ('pending', 'delivered') ${where}
         ORDER BY issued_at, rowid`,
      )
      .all(...(deviceId ? [deviceId] : []))
      .map(toCommand);
  }

  /** The newest commands of every device, at most `perDevice` each. */
  listRecentCommands(perDevice: number): CommandView[] {
    return this.db
      .prepare<[number], CommandRow>(
        `SELECT ${COMMAND_COLUMNS} FROM (
           SELECT *, row_number() OVER (PARTITION BY device_id ORDER BY issued_at DESC, rowid DESC) AS n
           FROM device_commands) WHERE n <= ? ORDER BY issued_at DESC`,
      )
      .all(perDevice)
      .map(toCommand);
  }

  /** The newest acknowledged screenshot command of every device. */
  listLatestScreenshots(): CommandView[] {
    return this.db
      .prepare<[], CommandRow>(
        `SELECT ${COMMAND_COLUMNS} FROM (
           SELECT *, row_number() OVER (PARTITION BY device_id ORDER BY finished_at DESC, rowid DESC) AS n
           FROM device_commands WHERE screenshot IS NOT NULL) WHERE n = 1`,
      )
      .all()
      .map(toCommand);
  }

  markDelivered(id: string, at: string): void {
    this.db
      .prepare(
        `UPDATE device_commands SET state = 'delivered', delivered_at = coalesce(delivered_at, ?)
         WHERE id = ? AND state IN ('pending', 'delivered')`,
      )
      .run(at, id);
  }

  /** Ends an open command; false when it was already final (a repeated ack). */
  finishCommand(
    id: string,
    state: 'acked' | 'failed',
    at: string,
    result: Record<string, unknown> | null,
    screenshot: Buffer | null = null,
  ): boolean {
    return (
      this.db
        .prepare(
          `UPDATE device_commands SET state = ?, finished_at = ?, result = ?, screenshot = ?
           WHERE id = ? AND state IN ('pending', 'delivered')`,
        )
        .run(state, at, result ? JSON.stringify(result) : null, screenshot, id).changes === 1
    );
  }

  getScreenshot(id: string): Buffer | null {
    const row = this.db
      .prepare<[string], { screenshot: Buffer | null }>('SELECT screenshot FROM device_commands WHERE id = ?')
      .get(id);
    return row?.screenshot ?? null;
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
