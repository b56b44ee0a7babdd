import { VisitorRegistrationV1, type VisitStatusV1 } from '@linli/content';
import { backoffDelay, type Clock } from './clock';
import type { Logger } from './logger';
import { OutboxLoop } from './outbox-loop';
import type { VisitorApiClient } from './visitor-api.client';
import type { VisitorOutboxRepository } from './visitor-outbox.repository';

/** How one delivery attempt ended. */
export type DeliveryOutcome =
  | { kind: 'delivered'; status: VisitStatusV1 }
  /** Not delivered now; the outbox tries again later (the registration is safe on disk). */
  | { kind: 'queued'; reason: string }
  /** The server refused the registration itself (malformed): it was removed, retrying cannot help. */
  | { kind: 'rejected'; reason: string };

/** Timings of the outbox. */
export interface VisitorOutboxOptions {
  retryInitialMs: number;
  retryMaxMs: number;
  /** Delivered entries (no personal data left) are deleted after this long. */
  keepDeliveredMs: number;
  /** Attempts per pass over the due entries. */
  batchSize: number;
}

export const DEFAULT_OUTBOX_OPTIONS: VisitorOutboxOptions = {
  retryInitialMs: 2_000,
  retryMaxMs: 60_000,
  keepDeliveredMs: 24 * 3_600_000,
  batchSize: 25,
};

/**
 * The kiosk's visitor outbox (DESIGN.md §Kiosk ↔ server protocol): a registration is written to cache.db before it
 * is sent, sent at once, and — when the server cannot be reached — sent again with backoff, always with the same
 * clientRef, so the server (idempotent on clientRef) creates exactly one visit whatever happens to either side.
 * A registration delivered after the visitor left is marked `deferred: true`: the visitor was sent to the guard.
 */
export class VisitorOutbox {
  private readonly inFlight = new Map<string, Promise<DeliveryOutcome>>();
  private readonly loop: OutboxLoop;
  private readonly options: VisitorOutboxOptions;

  constructor(
    private readonly repository: VisitorOutboxRepository,
    private readonly client: VisitorApiClient,
    private readonly credential: () => string | null,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: Partial<VisitorOutboxOptions> = {},
  ) {
    this.options = { ...DEFAULT_OUTBOX_OPTIONS, ...options };
    this.loop = new OutboxLoop(
      clock,
      () => this.deliverDue(),
      () => this.nextInMs(),
      (error) => this.log.error('visitor outbox pass failed', { error: String(error) }),
    );
  }

  /**
   * Writes a registration to the outbox (committed before this returns), then tries to deliver it once now.
   * The answer says whether the server has it; a `queued` registration is delivered later by the loop.
   */
  async submit(registration: VisitorRegistrationV1): Promise<DeliveryOutcome> {
    const checked = VisitorRegistrationV1.parse({ ...registration, deferred: false });
    this.repository.add({
      clientRef: checked.clientRef,
      payload: JSON.stringify(checked),
      createdAt: this.clock.now().toISOString(),
    });
    return this.attempt(checked.clientRef, false);
  }

  /** Starts the background delivery of whatever waits (also what an earlier run left behind). */
  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await Promise.allSettled([...this.inFlight.values()]);
  }

  /** Delivers every due registration now (tests, and the loop). */
  flush(): Promise<void> {
    return this.loop.flush();
  }

  /** One delivery pass (run by the loop). */
  private async deliverDue(): Promise<void> {
    this.repository.purgeDelivered(
      new Date(this.clock.now().getTime() - this.options.keepDeliveredMs).toISOString(),
    );
    for (;;) {
      const due = this.repository.due(this.clock.now().toISOString(), this.options.batchSize);
      if (due.length === 0) break;
      let progressed = false;
      for (const clientRef of due) {
        const outcome = await this.attempt(clientRef, true);
        if (outcome.kind !== 'queued') progressed = true;
      }
      // Everything in this batch failed: the server is away, wait for the backoff instead of spinning.
      if (!progressed) break;
    }
  }

  /** Entries still waiting for the server. */
  pendingCount(): number {
    return this.repository.countPending();
  }

  private nextInMs(): number | null {
    const next = this.repository.nextDue();
    return next === null ? null : this.loop.msUntil(next);
  }

  /** One attempt for one clientRef; concurrent callers for the same clientRef share it. */
  private attempt(clientRef: string, fromLoop: boolean): Promise<DeliveryOutcome> {
    const running = this.inFlight.get(clientRef);
    if (running) return running;
    const attempt = this.send(clientRef, fromLoop).finally(() => this.inFlight.delete(clientRef));
    this.inFlight.set(clientRef, attempt);
    return attempt;
  }

  private async send(clientRef: string, fromLoop: boolean): Promise<DeliveryOutcome> {
    const entry = this.repository.pending(clientRef);
    if (!entry) return { kind: 'queued', reason: 'no longer pending' };
    const credential = this.credential();
    if (!credential) return this.failed(entry.clientRef, entry.attempts, 'the kiosk is not enrolled');
    // What the loop sends went to the guard: the visitor never waited for this answer.
    const parsed = VisitorRegistrationV1.safeParse({
      ...(JSON.parse(entry.payload) as object),
      deferred: fromLoop,
    });
    if (!parsed.success) {
      // Written by this kiosk after the same check, so only a damaged file gets here: it can never be sent.
      this.repository.remove(clientRef);
      this.log.error('an unreadable visitor registration was removed from the outbox', { clientRef });
      return { kind: 'rejected', reason: 'unreadable outbox entry' };
    }
    const registration = parsed.data;
    const answer = await this.client.register(credential, registration);
    if (answer.ok) {
      this.repository.delivered(clientRef, answer.value.visitId, this.clock.now().toISOString());
      this.log.info('visitor registration delivered', {
        clientRef,
        visitId: answer.value.visitId,
        deferred: registration.deferred,
      });
      return { kind: 'delivered', status: answer.value };
    }
    if (answer.error.kind === 'refused') {
      this.repository.remove(clientRef);
      this.log.error('the server refused a visitor registration; removed from the outbox', {
        clientRef,
        error: answer.error.message,
      });
      return { kind: 'rejected', reason: answer.error.message };
    }
    return this.failed(clientRef, entry.attempts, answer.error.message);
  }

  private failed(clientRef: string, attempts: number, reason: string): DeliveryOutcome {
    const delay = backoffDelay(attempts, this.options.retryInitialMs, this.options.retryMaxMs);
    this.repository.attemptFailed(clientRef, {
      deferred: true,
      nextAttemptAt: new Date(this.clock.now().getTime() + delay).toISOString(),
      error: reason,
    });
    this.log.warn('visitor registration queued for later delivery', { clientRef, retryInMs: delay, reason });
    this.loop.reschedule();
    return { kind: 'queued', reason };
  }
}
