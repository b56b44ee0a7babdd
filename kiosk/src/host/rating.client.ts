import { randomUUID } from 'node:crypto';
import { RatingRequestV1, RatingResponseV1, ratingPaths, type RatingSummary } from '@linli/content';
import { fail, ok, type Result } from '../shared/result';
import { backoffDelay, type Clock } from './clock';
import type { DeviceApiClient } from './device-api.client';
import type { Logger } from './logger';
import { OutboxLoop } from './outbox-loop';
import type { PendingRating, RatingOutboxRepository } from './rating-outbox.repository';

/** Retry timing of the ratings outbox. */
export interface RatingOutboxOptions {
  retryInitialMs: number;
  retryMaxMs: number;
}

export const DEFAULT_RATING_OUTBOX_OPTIONS: RatingOutboxOptions = {
  retryInitialMs: 2_000,
  retryMaxMs: 10 * 60_000,
};

/** How one send ended: counted (with the new summary), refused for good, or to be tried again later. */
type SendOutcome =
  | { kind: 'counted'; rating: RatingSummary | null }
  | { kind: 'refused'; error: string; errorKind: 'not-found' | 'rejected' }
  | { kind: 'retry'; error: string; retryAfterMs: number | null };

/**
 * A resident's ratings of service-provider cards (§6.2.1-6), through the kiosk's durable outbox like every other
 * kiosk write (DESIGN.md): each rating is written to cache.db under a fresh client reference first, then sent
 * with that reference as its Idempotency-Key; when the server is away (or answers 5xx / 429) it stays and is sent
 * again with backoff, across restarts, until the server counts it — once, since the server stores each
 * (device, key) once. A rating the server refuses for good (the card is no longer published, a malformed one) is
 * dropped.
 */
export class RatingOutbox {
  private readonly loop: OutboxLoop;
  /** Ratings being sent right now (the first attempt runs beside the loop). */
  private readonly inFlight = new Set<string>();
  private readonly options: RatingOutboxOptions;

  constructor(
    private readonly repository: RatingOutboxRepository,
    private readonly client: Pick<DeviceApiClient, 'postJson'>,
    private readonly credential: () => string | null,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: Partial<RatingOutboxOptions> = {},
  ) {
    this.options = { ...DEFAULT_RATING_OUTBOX_OPTIONS, ...options };
    this.loop = new OutboxLoop(
      clock,
      () => this.deliverDue(),
      () => this.nextInMs(),
      (error) => this.log.error('ratings outbox pass failed', { error: String(error) }),
    );
  }

  /**
   * Takes a rating: stored, then sent at once. Resolves with the card's new summary when the server counted it,
   * with null when it waits in the outbox (the server is away: it is counted later; the screens get the summary
   * with the next manifest), or fails when it can never be counted.
   */
  async rate(request: unknown): Promise<Result<RatingSummary | null>> {
    const parsed = RatingRequestV1.safeParse(request);
    if (!parsed.success) return fail('invalid', parsed.error.issues[0]?.message ?? 'invalid rating');
    if (!this.credential()) return fail('not-enrolled', 'this kiosk is not enrolled');
    const clientRef = randomUUID();
    this.repository.add({ clientRef, ...parsed.data }, this.clock.now().toISOString());
    // the outbox loop may be sending older ones: this one goes now, on its own, and the loop skips it meanwhile
    const outcome = await this.deliver({ clientRef, ...parsed.data, attempts: 0 });
    switch (outcome.kind) {
      case 'counted':
        return ok(outcome.rating);
      case 'refused':
        return fail(outcome.errorKind, outcome.error);
      case 'retry':
        return ok(null);
    }
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Ratings waiting for the server. */
  pendingCount(): number {
    return this.repository.pendingCount();
  }

  /** Sends every due rating now, oldest first; stops at the first that must wait (the server is away). */
  flush(): Promise<void> {
    return this.loop.flush();
  }

  /** One delivery pass (run by the loop). */
  private async deliverDue(): Promise<void> {
    for (const rating of this.repository.due(this.clock.now().toISOString(), 100)) {
      if (!this.credential()) break;
      if (this.inFlight.has(rating.clientRef)) continue;
      const outcome = await this.deliver(rating);
      if (outcome.kind === 'retry') break;
    }
  }

  /** One attempt for one stored rating, and what it means for its row. */
  private async deliver(rating: PendingRating): Promise<SendOutcome> {
    if (this.inFlight.has(rating.clientRef)) {
      return { kind: 'retry', error: 'already being sent', retryAfterMs: null };
    }
    this.inFlight.add(rating.clientRef);
    try {
      const outcome = await this.send(rating);
      if (outcome.kind === 'retry') {
        const delay = Math.max(
          outcome.retryAfterMs ?? 0,
          backoffDelay(rating.attempts, this.options.retryInitialMs, this.options.retryMaxMs),
        );
        this.repository.attemptFailed(
          rating.clientRef,
          new Date(this.clock.now().getTime() + delay).toISOString(),
          outcome.error,
        );
        this.log.warn('rating queued for later delivery', {
          clientRef: rating.clientRef,
          retryInMs: delay,
          reason: outcome.error,
        });
        this.loop.nudge(delay);
      } else {
        this.repository.remove(rating.clientRef);
        if (outcome.kind === 'refused') {
          this.log.warn('the server refused a rating; dropped', {
            clientRef: rating.clientRef,
            error: outcome.error,
          });
        }
      }
      return outcome;
    } finally {
      this.inFlight.delete(rating.clientRef);
    }
  }

  private async send(rating: PendingRating): Promise<SendOutcome> {
    const credential = this.credential();
    if (!credential) return { kind: 'retry', error: 'not enrolled', retryAfterMs: null };
    const sent = await this.client.postJson(
      credential,
      ratingPaths.deviceRatings,
      { itemId: rating.itemId, score: rating.score } satisfies RatingRequestV1,
      { 'idempotency-key': rating.clientRef },
    );
    if (!sent.ok) return { kind: 'retry', error: sent.error.message, retryAfterMs: null };
    const { status, body } = sent.value;
    if (status === 201) {
      const parsed = RatingResponseV1.safeParse(body);
      // counted on the server either way: a malformed answer must not make the kiosk send it again
      return { kind: 'counted', rating: parsed.success ? parsed.data.rating : null };
    }
    if (status === 404)
      return { kind: 'refused', errorKind: 'not-found', error: 'the card is not published' };
    if (status === 400 || status === 409 || status === 413) {
      return {
        kind: 'refused',
        errorKind: 'rejected',
        error: `the server refused the rating (HTTP ${status})`,
      };
    }
    // 429 (this kiosk rated too often in a short time), 401 (until enrolled again), 5xx: later
    return { kind: 'retry', error: `HTTP ${status}`, retryAfterMs: status === 429 ? 60_000 : null };
  }

  private nextInMs(): number | null {
    const due = this.repository.nextDue();
    return due === null ? null : this.loop.msUntil(due);
  }
}
