import type { Clock } from './clock';

/**
 * The timer and the single pass shared by the kiosk's outboxes (visitor registrations, ratings, proof-of-play):
 * one delivery pass at a time (a caller of `flush` during a pass waits for that pass), the next pass timed by the
 * outbox's earliest due entry, and `stop` waiting for a running pass so nothing is sent after it returns.
 */
export class OutboxLoop {
  private timer: unknown = null;
  private running: Promise<void> | null = null;
  private started = false;

  /**
   * @param pass sends what is due; stops early when the server is away (the next pass is timed by `nextInMs`)
   * @param nextInMs after a pass: how long until the next one, or null when nothing waits
   * @param failed a pass that threw (logged by the outbox; the loop goes on)
   */
  constructor(
    private readonly clock: Clock,
    private readonly pass: () => Promise<void>,
    private readonly nextInMs: () => number | null,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Starts the loop with a pass now (what an earlier run left behind goes first). */
  start(): void {
    this.started = true;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.started = false;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Runs a pass now, or joins the one running. */
  flush(): Promise<void> {
    if (this.running) return this.running;
    const pass = (async () => {
      // yield first: `running` must be set before the pass can end and clear it
      await Promise.resolve();
      try {
        await this.pass();
      } catch (error) {
        this.failed(error);
      } finally {
        this.running = null;
        this.reschedule();
      }
    })();
    this.running = pass;
    return pass;
  }

  /** Times the next pass by the outbox's earliest due entry (after a pass, or when an entry's time changed). */
  reschedule(): void {
    if (!this.started) return;
    const next = this.nextInMs();
    if (next !== null) this.schedule(next);
  }

  /** Something new waits: a pass in `ms`, unless one is running or already timed. */
  nudge(ms: number): void {
    if (this.started && this.timer === null && !this.running) this.schedule(ms);
  }

  /** Milliseconds from now until an ISO instant (0 when it has passed). */
  msUntil(instant: string): number {
    return Math.max(0, new Date(instant).getTime() - this.clock.now().getTime());
  }

  private schedule(ms: number): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, ms);
  }
}
