import { ALERT_EVENT_NAME, DeviceAlertsV1, type DeviceAlertV1 } from '@linli/content';
import type { KioskAlerts } from '../shared/kiosk-api';
import type { AlertRepository } from './alert.repository';
import type { Clock } from './clock';
import type { DeviceApiClient, ServerEvent } from './device-api.client';
import type { Logger } from './logger';
import type { SyncService } from './sync.service';

/** How the host keeps alerts. */
export interface AlertServiceOptions {
  /** How often the active set is polled when no event arrives (the stream may be down; default 30 s). */
  pollIntervalMs: number;
}

export const DEFAULT_ALERT_POLL_MS = 30_000;
/** Expiry is re-checked at least this often, so a clock correction from the server is applied soon. */
const MAX_EXPIRY_CHECK_MS = 60_000;

/** What the alert service needs from the rest of the host. */
export interface AlertServiceDependencies {
  repository: Pick<AlertRepository, 'replaceAll' | 'list'>;
  sync: Pick<SyncService, 'onServerEvent' | 'credential' | 'getStatus' | 'onStatusChanged'>;
  client: Pick<DeviceApiClient, 'fetchAlerts'>;
  /** Timers, and `now()` corrected by the server's time: alerts end at the server's `expiresAt`. */
  clock: Clock;
  logger: Logger;
}

/**
 * The kiosk's emergency alerts: the server's complete active set, from `alert` events (pushed within a second of a
 * raise or clear, and on every reconnect) and from a poll when no event comes. The set is stored in cache.db before
 * it is shown, so a restart shows a running alarm at once; each alert ends at its `expiresAt` by the server-corrected
 * clock even when the kiosk is offline and never hears the clear.
 */
export class AlertService {
  private stored: DeviceAlertV1[] = [];
  private visible: DeviceAlertV1[] = [];
  /** The server's `sentAt` of the set applied last: an older answer arriving late (a slow poll) is ignored. */
  private lastSentAt = '';
  private readonly listeners = new Set<(alerts: KioskAlerts) => void>();
  private expiryTimer: unknown = null;
  private pollTimer: unknown = null;
  private unsubscribe: (() => void)[] = [];
  private running = false;
  /** The enrolment the stored set came from: a kiosk enrolled again (another community, a new identity) drops it. */
  private device: string | null = null;

  constructor(
    private readonly deps: AlertServiceDependencies,
    private readonly options: AlertServiceOptions = { pollIntervalMs: DEFAULT_ALERT_POLL_MS },
  ) {}

  /** Loads the stored set (shown at once, before the server is reached). */
  load(): void {
    this.device = this.deps.sync.getStatus().deviceId;
    this.stored = this.deps.repository.list();
    this.refresh();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = [
      this.deps.sync.onServerEvent((event) => this.onServerEvent(event)),
      this.deps.sync.onStatusChanged(({ deviceId }) => this.onEnrolment(deviceId)),
    ];
    this.schedulePoll(this.options.pollIntervalMs);
  }

  stop(): void {
    this.running = false;
    for (const unsubscribe of this.unsubscribe.splice(0)) unsubscribe();
    if (this.pollTimer !== null) this.deps.clock.clearTimeout(this.pollTimer);
    if (this.expiryTimer !== null) this.deps.clock.clearTimeout(this.expiryTimer);
    this.pollTimer = this.expiryTimer = null;
  }

  /** The alerts to show now. */
  current(): KioskAlerts {
    return { alerts: this.visible };
  }

  /** Calls `listener` whenever the alerts to show change (raised, cleared or expired). */
  onChanged(listener: (alerts: KioskAlerts) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stores and shows the server's set; false when it was older than the one shown (and so ignored). */
  apply(set: DeviceAlertsV1): boolean {
    if (set.sentAt < this.lastSentAt) return false;
    // stored first: what is on the screen is what a restart would show again
    this.deps.repository.replaceAll(set.alerts, this.deps.clock.now().toISOString());
    this.lastSentAt = set.sentAt;
    this.stored = [...set.alerts].sort((a, b) => a.raisedAt.localeCompare(b.raisedAt));
    this.refresh();
    return true;
  }

  /**
   * A new enrolment's alerts come from its own server and community: the old set (a fire alarm in the community the
   * kiosk stood in before) must not stay on screen until the first poll. A kiosk that loses its enrolment keeps the
   * set until it is enrolled again: an alarm keeps running on a kiosk that cannot reach anyone.
   */
  private onEnrolment(deviceId: string | null): void {
    if (deviceId === null || deviceId === this.device) return;
    const previous = this.device;
    this.device = deviceId;
    if (previous === null && this.stored.length === 0) return;
    this.deps.repository.replaceAll([], this.deps.clock.now().toISOString());
    this.lastSentAt = '';
    this.stored = [];
    this.refresh();
    if (previous !== null) this.deps.logger.info('enrolled again: alerts of the earlier enrolment dropped');
    void this.poll().catch(() => undefined);
  }

  /** Asks the server for the active set now; false when not enrolled or the server could not be reached. */
  async poll(): Promise<boolean> {
    const credential = this.deps.sync.credential();
    if (!credential) return false;
    const fetched = await this.deps.client.fetchAlerts(credential);
    if (!fetched.ok) {
      this.deps.logger.warn('alerts not fetched; showing the stored ones', { error: fetched.error });
      return false;
    }
    this.apply(fetched.value);
    return true;
  }

  private onServerEvent(event: ServerEvent): void {
    if (event.event !== ALERT_EVENT_NAME) return;
    let data: unknown = null;
    try {
      data = JSON.parse(event.data);
    } catch {
      // malformed: refused below
    }
    const parsed = DeviceAlertsV1.safeParse(data);
    if (!parsed.success) {
      this.deps.logger.warn('ignoring a malformed alert event', { data: event.data.slice(0, 200) });
      return;
    }
    const before = this.visible.map((a) => a.id).join();
    if (this.apply(parsed.data) && this.visible.map((a) => a.id).join() !== before) {
      this.deps.logger.info('alerts changed', { active: this.visible.map((a) => `${a.kind}:${a.id}`) });
    }
  }

  /** Recomputes what is visible now, tells listeners when it changed, and arms the next expiry. */
  private refresh(): void {
    const now = this.deps.clock.now().getTime();
    const visible = this.stored.filter((alert) => Date.parse(alert.expiresAt) > now);
    const changed =
      visible.length !== this.visible.length ||
      visible.some((alert, i) => JSON.stringify(alert) !== JSON.stringify(this.visible[i]));
    this.visible = visible;
    if (changed) {
      const snapshot = this.current();
      for (const listener of this.listeners) {
        try {
          listener(snapshot);
        } catch (error) {
          this.deps.logger.error('alert listener failed', { error: String(error) });
        }
      }
    }
    this.scheduleExpiry(now);
  }

  private scheduleExpiry(now: number): void {
    if (this.expiryTimer !== null) this.deps.clock.clearTimeout(this.expiryTimer);
    this.expiryTimer = null;
    if (this.visible.length === 0) return;
    const next = Math.min(...this.visible.map((alert) => Date.parse(alert.expiresAt)));
    this.expiryTimer = this.deps.clock.setTimeout(
      () => {
        this.expiryTimer = null;
        this.refresh();
      },
      Math.min(MAX_EXPIRY_CHECK_MS, Math.max(0, next - now) + 1),
    );
  }

  private schedulePoll(ms: number): void {
    if (!this.running) return;
    this.pollTimer = this.deps.clock.setTimeout(() => {
      this.poll()
        .catch((error: unknown) => this.deps.logger.warn('alert poll failed', { error: String(error) }))
        .finally(() => this.schedulePoll(this.options.pollIntervalMs));
    }, ms);
  }
}

/** The poll interval from `LINLI_ALERT_POLL_MS` (at least 1 s), else 30 s. */
export function alertPollIntervalFrom(env: Record<string, string | undefined> = process.env): number {
  const value = Number(env.LINLI_ALERT_POLL_MS);
  return Number.isInteger(value) && value >= 1_000 ? value : DEFAULT_ALERT_POLL_MS;
}
