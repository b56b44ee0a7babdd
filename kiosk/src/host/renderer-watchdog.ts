import { backoffDelay, type Clock } from './clock';
import type { Logger } from './logger';

/** A window process the watchdog looks after (the Chromium shell). */
export interface WatchedWindow {
  pid: number | undefined;
  /** Called once when the process has ended, however it ended. */
  onExit(listener: (code: number | null, signal: NodeJS.Signals | null) => void): void;
  /** Ends it at once (a hung renderer does not answer a polite request). */
  kill(): void;
}

/** Timings of the watchdog. */
export interface RendererWatchdogOptions {
  /** A running window whose page has not sent a heartbeat for this long is hung and is restarted. */
  hangTimeoutMs: number;
  /** A freshly started window gets this long for its first heartbeat (browser start and page load). */
  startupTimeoutMs: number;
  /** Restart delays after a crash grow from this... */
  restartInitialMs: number;
  /** ...to this, while the window keeps crashing. */
  restartMaxMs: number;
  /** A window that ran this long before it ended counts as healthy: the next restart is immediate again. */
  stableMs: number;
}

/**
 * With a heartbeat every second, four silent seconds are a hung page; checked every second, a dead renderer is
 * found within five, and a fresh window shows content two or three seconds later: back within ten (issue 5).
 */
export const DEFAULT_WATCHDOG_OPTIONS: RendererWatchdogOptions = {
  hangTimeoutMs: 4_000,
  startupTimeoutMs: 15_000,
  restartInitialMs: 250,
  restartMaxMs: 10_000,
  stableMs: 60_000,
};

/** Why the watchdog restarted the window. */
export type RestartReason = 'exited' | 'hung' | 'no-first-heartbeat';

/**
 * Keeps the kiosk window alive with nobody nearby: a window process that exits (crash, OOM kill, someone closing
 * it) is started again, and one whose page stops sending heartbeats (a hung or crashed renderer: Chromium keeps
 * its browser process and shows a sad tab) is killed and started again. Heartbeats are judged only while
 * `hostUp` — when the host itself is restarting, silence is expected and the page keeps its last content.
 */
export class RendererWatchdog {
  private window: WatchedWindow | null = null;
  private launchedAt = 0;
  private lastBeatAt: number | null = null;
  private crashes = 0;
  private timer: unknown = null;
  private restartTimer: unknown = null;
  private running = false;
  private hostUp = true;
  private hostUpSince = 0;
  /** Set when the watchdog itself killed the window, so its exit is counted under the right reason. */
  private killReason: RestartReason | null = null;
  /** Restarts so far, by reason (for logs, heartbeats and tests). */
  readonly restarts: Record<RestartReason, number> = { exited: 0, hung: 0, 'no-first-heartbeat': 0 };

  constructor(
    private readonly launch: () => WatchedWindow,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: RendererWatchdogOptions = DEFAULT_WATCHDOG_OPTIONS,
    private readonly onRestart: (reason: RestartReason, pid: number | undefined) => void = () => {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.hostUpSince = this.clock.now().getTime();
    this.open();
    this.scheduleCheck();
  }

  /** Stops watching and ends the window. */
  stop(): void {
    this.running = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    if (this.restartTimer) this.clock.clearTimeout(this.restartTimer);
    this.timer = null;
    this.restartTimer = null;
    const window = this.window;
    this.window = null;
    window?.kill();
  }

  /** The page is alive. */
  heartbeat(): void {
    const now = this.clock.now().getTime();
    if (this.lastBeatAt === null && this.window) {
      this.logger.info('the page is up', { pid: this.window.pid, afterMs: now - this.launchedAt });
    }
    this.lastBeatAt = now;
  }

  /** The host went away (false) or is back (true); heartbeats are judged only while it is up. */
  setHostUp(up: boolean): void {
    if (up && !this.hostUp) this.hostUpSince = this.clock.now().getTime();
    this.hostUp = up;
  }

  /** The pid of the current window, if one runs. */
  get pid(): number | undefined {
    return this.window?.pid;
  }

  private open(): void {
    const window = this.launch();
    this.window = window;
    this.launchedAt = this.clock.now().getTime();
    this.lastBeatAt = null;
    this.logger.info('window started', { pid: window.pid });
    window.onExit((code, signal) => {
      if (this.window !== window) return;
      this.window = null;
      if (!this.running) return;
      const ranFor = this.clock.now().getTime() - this.launchedAt;
      this.crashes = ranFor >= this.options.stableMs ? 0 : this.crashes + 1;
      const delay =
        this.crashes <= 1
          ? this.options.restartInitialMs
          : backoffDelay(this.crashes - 1, this.options.restartInitialMs, this.options.restartMaxMs);
      const reason = this.killReason ?? 'exited';
      this.killReason = null;
      this.logger.warn('the window ended; starting it again', { reason, code, signal, inMs: delay });
      this.restarts[reason] += 1;
      this.onRestart(reason, window.pid);
      this.restartTimer = this.clock.setTimeout(() => {
        this.restartTimer = null;
        if (this.running && !this.window) this.open();
      }, delay);
    });
  }

  private scheduleCheck(): void {
    const every = Math.max(100, Math.min(this.options.hangTimeoutMs, this.options.startupTimeoutMs) / 4);
    this.timer = this.clock.setTimeout(() => {
      this.check();
      if (this.running) this.scheduleCheck();
    }, every);
  }

  private check(): void {
    const window = this.window;
    if (!window || !this.hostUp || this.killReason !== null) return;
    const now = this.clock.now().getTime();
    // After the host came back, the page needs a moment to reconnect before silence means anything.
    const since = Math.max(this.lastBeatAt ?? this.launchedAt, this.hostUpSince);
    const limit = this.lastBeatAt === null ? this.options.startupTimeoutMs : this.options.hangTimeoutMs;
    if (now - since <= limit) return;
    const reason: RestartReason = this.lastBeatAt === null ? 'no-first-heartbeat' : 'hung';
    this.logger.warn('the page stopped answering; restarting the window', {
      reason,
      silentForMs: now - since,
    });
    // Killing it makes onExit start a fresh one; it counts as a crash, so a page that always hangs backs off.
    this.killReason = reason;
    window.kill();
  }
}
