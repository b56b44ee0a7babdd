import type { RatingRequestV1, RatingSummary } from '@linli/content';
import type { Clock } from '../clock';
import type { ContentRecord } from './content.schema';
import type { RatingRepository } from './ratings.repository';

/** Why a rating was refused. */
export type RatingError =
  | { kind: 'not-found'; message: string }
  | { kind: 'idempotency-mismatch'; message: string }
  | { kind: 'rate-limited'; message: string; retryAfterSeconds: number };

export type RatingResult =
  { ok: true; value: RatingSummary; replayed?: true } | { ok: false; error: RatingError };

/** How many ratings one kiosk may send per window: a resident rates a card or two; a stuck finger does not count. */
export interface RatingLimits {
  perDevice: number;
  windowMs: number;
}

export const DEFAULT_RATING_LIMITS: RatingLimits = { perDevice: 20, windowMs: 10 * 60_000 };

/**
 * Residents' ratings of service-provider cards (§6.2.1-6 监督公开). Only a published provider card can be rated;
 * each kiosk is limited to `perDevice` ratings per window (counted in the database, so a restart does not reset
 * it). Listeners hear of every stored rating, so the manifests carry the new average.
 */
export class RatingService {
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly repository: RatingRepository,
    private readonly published: { listPublished(): ContentRecord[] },
    private readonly clock: Clock,
    private readonly limits: RatingLimits = DEFAULT_RATING_LIMITS,
  ) {}

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stores a rating. With an idempotency key (a kiosk's outbox sends one per rating and repeats it on every
   * retry) a key seen before from this device stores nothing and answers as the first time did, with the
   * current summary, `replayed`; the same key with another rating is refused. The replay is decided before the
   * card and rate-limit checks: a rating that was stored stays counted, whatever changed since.
   */
  rate(deviceId: string, request: RatingRequestV1, idempotencyKey: string | null = null): RatingResult {
    if (idempotencyKey !== null) {
      const earlier = this.repository.getByKey(deviceId, idempotencyKey);
      if (earlier) return this.replay(earlier, request);
    }
    const card = this.published.listPublished().some((r) => r.id === request.itemId && r.kind === 'provider');
    if (!card) {
      return {
        ok: false,
        error: { kind: 'not-found', message: 'no published service-provider card with this id' },
      };
    }
    const now = this.clock.now();
    const since = new Date(now.getTime() - this.limits.windowMs).toISOString();
    if (this.repository.countByDeviceSince(deviceId, since) >= this.limits.perDevice) {
      return {
        ok: false,
        error: {
          kind: 'rate-limited',
          message: `at most ${this.limits.perDevice} ratings per ${this.limits.windowMs / 60_000} minutes from one kiosk`,
          retryAfterSeconds: Math.ceil(this.limits.windowMs / 1000),
        },
      };
    }
    const at = now.toISOString();
    if (idempotencyKey === null) this.repository.insert(request.itemId, deviceId, request.score, at);
    else if (!this.repository.insertKeyed(request.itemId, deviceId, request.score, at, idempotencyKey)) {
      // another connection stored the same key between the lookup and here: answer as that one did
      return this.replay(this.repository.getByKey(deviceId, idempotencyKey)!, request);
    }
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        console.error('rating listener failed', error);
      }
    }
    return { ok: true, value: this.repository.summary(request.itemId)! };
  }

  private replay(earlier: { itemId: string; score: number }, request: RatingRequestV1): RatingResult {
    if (earlier.itemId !== request.itemId || earlier.score !== request.score) {
      return {
        ok: false,
        error: { kind: 'idempotency-mismatch', message: 'this idempotency key was used for another rating' },
      };
    }
    return { ok: true, value: this.repository.summary(request.itemId)!, replayed: true };
  }

  /**
   * Published content with each provider card's ratings in its payload: what the manifests are built from, so a
   * screen shows the average and count without asking.
   */
  withRatings(records: ContentRecord[]): ContentRecord[] {
    if (!records.some((record) => record.kind === 'provider')) return records;
    const ratings = this.repository.all();
    return records.map((record) =>
      record.kind === 'provider'
        ? { ...record, payload: { ...record.payload, rating: ratings.get(record.id) ?? null } }
        : record,
    );
  }
}
