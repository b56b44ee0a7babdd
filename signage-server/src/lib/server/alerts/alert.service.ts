import crypto from 'node:crypto';
import {
  ALERT_EVENT_NAME,
  type AlertWebhookV1,
  type AlertWebhookResponseV1,
  type DeviceAlertsV1,
} from '@linli/content';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { Actor } from '../devices/device.service';
import type { Logger } from '../logger';
import type { AlertRepository } from './alert.repository';
import {
  AlertSourceRequest,
  alertStateAt,
  DEFAULT_ALERT_OPTIONS,
  KIND_DEFAULTS,
  RaiseAlertRequest,
  targets,
  toDeviceAlert,
  type AlertOptions,
  type AlertRecord,
  type AlertResult,
  type AlertSourceRecord,
  type AlertView,
  type TargetableDevice,
} from './alert.schema';

/** How many past alerts the CMS history lists. */
const HISTORY_LIMIT = 100;
/** The expiry check runs at the next expiry, and at least this often (a changed system clock is noticed). */
const MAX_CHECK_INTERVAL_MS = 60_000;
/** A webhook token: a recognisable prefix (secret scanners find leaked ones) and 32 random bytes. */
const TOKEN_PREFIX = 'lnk_alert_';
const TOKEN_PATTERN = /^Bearer (lnk_alert_[A-Za-z0-9_-]{43})$/;

const sha256Hex = (text: string) => crypto.hash('sha256', text, 'hex');

/** The device event streams as alerts use them. */
export interface AlertChannel {
  /** Writes an event to every open stream of the device; returns how many streams took it. */
  sendToDevice(deviceId: string, chunk: string): number;
}

/** A raise or clear and how far it was pushed. */
export interface AlertChange {
  alert: AlertView;
  /** False when the request repeated an earlier one and changed nothing. */
  changed: boolean;
  pushedTo: number;
}

/** A source with its token, shown once at creation. */
export interface IssuedAlertSource {
  source: AlertSourceRecord;
  token: string;
}

/**
 * Emergency alerts: raised and cleared in the CMS or by an IoT gateway's webhook, audited, pushed at once as an
 * `alert` event to every targeted device with a stream open, sent again to each device whose stream opens, and ended
 * by their expiry when nobody clears them. The event always carries the device's complete active set, so a kiosk
 * never has to reconcile single changes.
 */
export class AlertService {
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private readonly options: AlertOptions;

  constructor(
    private readonly repository: AlertRepository,
    private readonly devices: { list(): TargetableDevice[]; get(deviceId: string): TargetableDevice | null },
    private readonly channel: AlertChannel,
    private readonly audit: Pick<AuditService, 'record'>,
    private readonly clock: Clock,
    private readonly logger: Pick<Logger, 'info' | 'warn'>,
    options: Partial<AlertOptions> = {},
  ) {
    this.options = { ...DEFAULT_ALERT_OPTIONS, ...options };
  }

  /** The default lifetime of an alert, in minutes. */
  get defaultTtlMinutes(): number {
    return this.options.defaultTtlMinutes;
  }

  /** Raises an alert from the CMS form (audited) and pushes it. Form fields arrive as strings and are parsed here. */
  raise(
    request: RaiseAlertRequest | Record<string, string | string[]>,
    actor: Actor,
  ): AlertResult<AlertChange> {
    const parsed = RaiseAlertRequest.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        error: { kind: 'invalid', message: issue?.message ?? 'invalid', field: String(issue?.path[0] ?? '') },
      };
    }
    const form = parsed.data;
    if (!this.repository.communityExists(form.communityId)) {
      return { ok: false, error: { kind: 'invalid', message: 'unknown community', field: 'communityId' } };
    }
    if (this.repository.foreignBuildings(form.communityId, form.buildings).length > 0) {
      return {
        ok: false,
        error: { kind: 'invalid', message: 'a building of another community', field: 'buildings' },
      };
    }
    const defaults = KIND_DEFAULTS[form.kind];
    const alert = this.insert(
      {
        communityId: form.communityId,
        kind: form.kind,
        severity: form.severity ?? defaults.severity,
        titleZh: form.titleZh ?? defaults.title['zh-CN'],
        titleEn: form.titleEn ?? defaults.title.en,
        bodyZh: form.bodyZh ?? defaults.body['zh-CN'],
        bodyEn: form.bodyEn ?? defaults.body.en,
        targetBuildings: form.buildings,
        targetGroups: form.groups,
        targetTags: form.tags,
        raisedBy: actor?.username ?? 'system',
        sourceId: null,
        externalId: null,
        ttlMinutes: form.ttlMinutes,
      },
      actor,
    );
    return { ok: true, value: { alert, changed: true, pushedTo: this.push(alert) } };
  }

  /** Clears an active alert (audited) and pushes the change; clearing a cleared alert changes nothing. */
  clear(alertId: string, actor: Actor | string): AlertResult<AlertChange> {
    const before = this.repository.get(alertId);
    if (!before) return { ok: false, error: { kind: 'not-found', message: 'no such alert' } };
    const by = actor === null ? 'system' : typeof actor === 'string' ? actor : actor.username;
    const at = this.clock.now().toISOString();
    const changed = this.repository.transaction(() => {
      if (!this.repository.clear(alertId, at, by)) return false;
      this.audit.record({
        actor,
        action: 'alert.clear',
        target: alertId,
        detail: {
          kind: before.kind,
          communityId: before.communityId,
          wasExpired: alertStateAt(before, this.clock.now()) === 'expired',
        },
      });
      return true;
    });
    const alert = this.view(this.repository.get(alertId)!);
    if (!changed) return { ok: true, value: { alert, changed: false, pushedTo: 0 } };
    this.logger.info({ alertId, kind: alert.kind, clearedBy: by }, 'alert cleared');
    this.schedule();
    return { ok: true, value: { alert, changed: true, pushedTo: this.push(alert) } };
  }

  /** The source a webhook's `Authorization: Bearer …` belongs to, or null (missing, unknown or revoked). */
  authenticateSource(authorization: string | null | undefined): AlertSourceRecord | null {
    const match = authorization ? TOKEN_PATTERN.exec(authorization) : null;
    if (!match) return null;
    const presented = sha256Hex(match[1] as string);
    const source = this.repository.findSourceByTokenHash(presented);
    // the lookup is by the hash of a 256-bit random token: timing reveals nothing usable about the token itself
    if (!source || source.revokedAt) return null;
    return source;
  }

  /**
   * A gateway's raise or clear. One alert per (source, externalId): a raise repeated (a retry, or the gateway
   * still ringing) answers with that alert as it stands, and a clear of a cleared alert too, both `replayed`.
   */
  webhook(
    source: AlertSourceRecord,
    body: AlertWebhookV1,
  ): AlertResult<AlertWebhookResponseV1 & { created: boolean }> {
    this.repository.touchSource(source.id, this.clock.now().toISOString());
    const existing = this.repository.getByExternalId(source.id, body.externalId);
    const actor = `source:${source.name}`;
    if (body.action === 'clear') {
      if (!existing)
        return { ok: false, error: { kind: 'not-found', message: 'no alert with this externalId' } };
      const cleared = this.clear(existing.id, actor);
      if (!cleared.ok) return cleared;
      return { ok: true, value: this.answer(cleared.value, !cleared.value.changed, false) };
    }
    if (existing) {
      return {
        ok: true,
        value: this.answer({ alert: this.view(existing), changed: false, pushedTo: 0 }, true, false),
      };
    }
    const foreign = this.repository.foreignBuildings(source.communityId, body.target?.buildings ?? []);
    if (foreign.length > 0) {
      return {
        ok: false,
        error: {
          kind: 'invalid',
          message: `not buildings of the source's community: ${foreign.join(', ')}`,
          field: 'target.buildings',
        },
      };
    }
    const defaults = KIND_DEFAULTS[body.kind];
    let alert: AlertView;
    try {
      alert = this.insert(
        {
          communityId: source.communityId,
          kind: body.kind,
          severity: body.severity ?? defaults.severity,
          titleZh: body.title?.['zh-CN'] ?? defaults.title['zh-CN'],
          titleEn: body.title?.en ?? defaults.title.en,
          bodyZh: body.body?.['zh-CN'] ?? defaults.body['zh-CN'],
          bodyEn: body.body?.en ?? defaults.body.en,
          targetBuildings: body.target?.buildings ?? [],
          targetGroups: body.target?.groups ?? [],
          targetTags: body.target?.tags ?? [],
          raisedBy: actor,
          sourceId: source.id,
          externalId: body.externalId,
          ttlMinutes: body.ttlMinutes ?? null,
        },
        actor,
      );
    } catch (error) {
      // two deliveries of the same alarm at once: the unique (source, externalId) index let one through
      const raced = this.repository.getByExternalId(source.id, body.externalId);
      if (!raced || !String(error).includes('UNIQUE')) throw error;
      return {
        ok: true,
        value: this.answer({ alert: this.view(raced), changed: false, pushedTo: 0 }, true, false),
      };
    }
    const pushedTo = this.push(alert);
    return { ok: true, value: this.answer({ alert, changed: true, pushedTo }, false, true) };
  }

  /** Alerts active now, oldest first (the CMS list). */
  listActive(): AlertView[] {
    return this.repository.listActive(this.clock.now().toISOString()).map((a) => this.view(a));
  }

  /** The newest alerts in any state (the CMS history). */
  listHistory(): AlertView[] {
    return this.repository.listRecent(HISTORY_LIMIT).map((a) => this.view(a));
  }

  get(alertId: string): AlertView | null {
    const alert = this.repository.get(alertId);
    return alert ? this.view(alert) : null;
  }

  /** Every alert active for one device now (the `alert` event and `GET /api/v1/device/alerts`). */
  forDevice(deviceId: string): DeviceAlertsV1 {
    // one row, not the fleet: every kiosk asks on each stream (re)connect and every poll
    const device = this.devices.get(deviceId);
    const now = this.clock.now().toISOString();
    return this.setFor(device, this.repository.listActive(now), now);
  }

  /** Sends a device its active alerts (its event stream just opened: it may have missed a raise or a clear). */
  sendTo(deviceId: string): number {
    return this.channel.sendToDevice(deviceId, this.eventOf(this.forDevice(deviceId)));
  }

  /**
   * Notes alerts that ran out uncleared: audited once each, and the devices get their new set (a kiosk also ends
   * an alert by itself at its expiry; this covers kiosks whose clock the server has not corrected yet). Called by
   * the timer; tests call it directly. Returns the alerts noted.
   */
  checkExpiry(): AlertView[] {
    const now = this.clock.now().toISOString();
    const noted: AlertView[] = [];
    for (const alert of this.repository.listUnnotedExpired(now)) {
      const marked = this.repository.transaction(() => {
        if (!this.repository.noteExpiry(alert.id, now)) return false;
        this.audit.record({
          actor: null,
          action: 'alert.expire',
          target: alert.id,
          detail: { kind: alert.kind, communityId: alert.communityId, expiresAt: alert.expiresAt },
        });
        return true;
      });
      if (!marked) continue;
      const view = this.view(this.repository.get(alert.id)!);
      this.logger.warn({ alertId: alert.id, kind: alert.kind }, 'alert expired without being cleared');
      this.push(view);
      noted.push(view);
    }
    return noted;
  }

  /** Starts the expiry timer. */
  start(): void {
    this.started = true;
    this.schedule();
  }

  stop(): void {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Webhook sources, active first. */
  listSources(): AlertSourceRecord[] {
    return this.repository.listSources();
  }

  /** Creates a webhook source (audited); its token is in the answer once and stored only as a hash. */
  createSource(request: AlertSourceRequest, actor: Actor): AlertResult<IssuedAlertSource> {
    const parsed = AlertSourceRequest.safeParse(request);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return {
        ok: false,
        error: { kind: 'invalid', message: issue?.message ?? 'invalid', field: String(issue?.path[0] ?? '') },
      };
    }
    if (!this.repository.communityExists(parsed.data.communityId)) {
      return { ok: false, error: { kind: 'invalid', message: 'unknown community', field: 'communityId' } };
    }
    const id = crypto.randomUUID();
    const token = `${TOKEN_PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
    this.repository.transaction(() => {
      this.repository.insertSource({
        id,
        name: parsed.data.name,
        communityId: parsed.data.communityId,
        tokenHash: sha256Hex(token),
        createdBy: actor?.username ?? 'system',
        createdAt: this.clock.now().toISOString(),
      });
      this.audit.record({
        actor,
        action: 'alert.source.create',
        target: id,
        detail: { name: parsed.data.name, communityId: parsed.data.communityId },
      });
    });
    return { ok: true, value: { source: this.repository.getSource(id)!, token } };
  }

  /** Revokes a source (audited): its token stops working at once. Its alerts stay until cleared or expired. */
  revokeSource(sourceId: string, actor: Actor): AlertResult<AlertSourceRecord> {
    const source = this.repository.getSource(sourceId);
    if (!source) return { ok: false, error: { kind: 'not-found', message: 'no such source' } };
    const revoked = this.repository.transaction(() => {
      if (
        !this.repository.revokeSource(sourceId, this.clock.now().toISOString(), actor?.username ?? 'system')
      )
        return false;
      this.audit.record({
        actor,
        action: 'alert.source.revoke',
        target: sourceId,
        detail: { name: source.name },
      });
      return true;
    });
    if (!revoked) return { ok: false, error: { kind: 'conflict', message: 'the source is already revoked' } };
    return { ok: true, value: this.repository.getSource(sourceId)! };
  }

  private insert(
    fields: Omit<Parameters<AlertRepository['insert']>[0], 'id' | 'raisedAt' | 'expiresAt'> & {
      ttlMinutes: number | null;
    },
    actor: Actor | string,
  ): AlertView {
    const { ttlMinutes, ...row } = fields;
    const id = crypto.randomUUID();
    const now = this.clock.now();
    const expiresAt = new Date(
      now.getTime() + (ttlMinutes ?? this.options.defaultTtlMinutes) * 60_000,
    ).toISOString();
    this.repository.transaction(() => {
      this.repository.insert({ ...row, id, raisedAt: now.toISOString(), expiresAt });
      this.audit.record({
        actor,
        action: 'alert.raise',
        target: id,
        detail: {
          kind: row.kind,
          severity: row.severity,
          communityId: row.communityId,
          title: row.titleZh,
          buildings: row.targetBuildings,
          groups: row.targetGroups,
          tags: row.targetTags,
          expiresAt,
          ...(row.externalId ? { externalId: row.externalId } : {}),
        },
      });
    });
    this.logger.info({ alertId: id, kind: row.kind, raisedBy: row.raisedBy, expiresAt }, 'alert raised');
    this.schedule();
    return this.view(this.repository.get(id)!);
  }

  /**
   * Sends every device the alert targets its new active set; returns how many streams took it. The devices and the
   * active alerts are read once for the whole fan-out, so a raise costs the same per kiosk however many there are.
   */
  private push(alert: AlertRecord): number {
    const now = this.clock.now().toISOString();
    const active = this.repository.listActive(now);
    let pushed = 0;
    for (const device of this.devices.list()) {
      if (!targets(alert, device)) continue;
      pushed += this.channel.sendToDevice(device.id, this.eventOf(this.setFor(device, active, now)));
    }
    return pushed;
  }

  /** The alerts of `active` that target the device (none for an unknown device), the newest 100 at most. */
  private setFor(device: TargetableDevice | null, active: AlertRecord[], now: string): DeviceAlertsV1 {
    const alerts = device ? active.filter((alert) => targets(alert, device)) : [];
    return { alerts: alerts.slice(-100).map(toDeviceAlert), sentAt: now };
  }

  private eventOf(data: DeviceAlertsV1): string {
    return `event: ${ALERT_EVENT_NAME}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private answer(
    change: AlertChange,
    replayed: boolean,
    created: boolean,
  ): AlertWebhookResponseV1 & { created: boolean } {
    return {
      alertId: change.alert.id,
      state: change.alert.state,
      replayed,
      pushedTo: change.pushedTo,
      created,
    };
  }

  private view(alert: AlertRecord): AlertView {
    return { ...alert, state: alertStateAt(alert, this.clock.now()) };
  }

  /** Arms the timer for the next expiry (at most a minute away). */
  private schedule(): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    const next = this.repository.nextExpiry();
    const delay = next
      ? Math.min(MAX_CHECK_INTERVAL_MS, Math.max(0, Date.parse(next) - this.clock.now().getTime()))
      : MAX_CHECK_INTERVAL_MS;
    this.timer = setTimeout(() => {
      try {
        this.checkExpiry();
      } catch (error) {
        this.logger.warn({ error: String(error) }, 'alert expiry check failed; trying again');
      }
      this.schedule();
    }, delay);
    this.timer.unref();
  }
}
