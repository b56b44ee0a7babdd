import {
  ApiErrorBody,
  DeviceStatsBatchV1,
  DeviceStatsResponseV1,
  PlayRecordV1,
  signagePaths,
  TouchRecordV1,
} from '@linli/content';
import { fail, ok, type Result } from '../shared/result';
import { backoffDelay, type Clock } from './clock';
import type { Logger } from './logger';
import { OutboxLoop } from './outbox-loop';
import type { PlayLogRepository } from './play-log.repository';

/** Timings and sizes of the proof-of-play outbox. */
export interface PlayLogOptions {
  /** Records per batch (the server takes up to 500 of each kind). */
  batchSize: number;
  /** How long a record may wait before a batch is sent without being full. */
  flushIntervalMs: number;
  retryInitialMs: number;
  retryMaxMs: number;
}

export const DEFAULT_PLAY_LOG_OPTIONS: PlayLogOptions = {
  batchSize: 200,
  flushIntervalMs: 60_000,
  retryInitialMs: 5_000,
  retryMaxMs: 10 * 60_000,
};

/**
 * How often plays are sent from `LINLI_KIOSK_STATS_FLUSH_MS` (at least 1 s; demos and tests use short ones), else
 * the default minute.
 */
export function playLogOptionsFrom(
  env: Record<string, string | undefined> = process.env,
): Partial<PlayLogOptions> {
  const value = Number(env.LINLI_KIOSK_STATS_FLUSH_MS);
  return Number.isInteger(value) && value >= 1_000 ? { flushIntervalMs: value } : {};
}

/** Why sending a batch failed: `retry` (offline, 5xx, 401 until re-enrolled) or `refused` (a 4xx about the batch). */
type SendError = 'retry' | 'refused';

/** Sends a batch to the device stats endpoint. */
export type StatsSender = (
  credential: string,
  batch: DeviceStatsBatchV1,
) => Promise<Result<DeviceStatsResponseV1, SendError>>;

/** The stats endpoint over HTTP, with the device credential. */
export function httpStatsSender(
  serverUrl: string,
  fetchImpl: typeof fetch = fetch,
  timeoutMs = 15_000,
): StatsSender {
  const url = serverUrl.replace(/\/+$/, '') + signagePaths.deviceStats;
  return async (credential, batch) => {
    let res: Response;
    let text: string;
    try {
      res = await fetchImpl(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${credential}`,
          'content-type': 'application/json',
          'idempotency-key': batch.batchId,
        },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await res.text();
    } catch (error) {
      return fail(
        'retry',
        `cannot reach the server: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    let json: unknown = null;
    try {
      json = JSON.parse(text);
    } catch {
      // not JSON: the status decides
    }
    if (res.ok) {
      const parsed = DeviceStatsResponseV1.safeParse(json);
      return parsed.success ? ok(parsed.data) : fail('retry', 'the answer does not match the protocol');
    }
    const error = ApiErrorBody.safeParse(json);
    const detail = error.success
      ? `${error.data.error.kind}: ${error.data.error.message}`
      : text.slice(0, 200);
    if (res.status === 400 || res.status === 413) return fail('refused', `HTTP ${res.status} ${detail}`);
    return fail('retry', `HTTP ${res.status} ${detail}`);
  };
}

/**
 * The kiosk's proof-of-play outbox (DESIGN.md §Kiosk ↔ server protocol): plays and touches are written to
 * cache.db as they end, sealed into batches with a batch id that never changes, and sent with backoff until the
 * server has them. The server stores each (device, batch id) once, so a retry after a lost answer counts nothing
 * twice; rows survive restarts and outages on disk.
 */
export class PlayLogOutbox {
  private readonly loop: OutboxLoop;
  private readonly options: PlayLogOptions;

  constructor(
    private readonly repository: PlayLogRepository,
    private readonly send: StatsSender,
    private readonly credential: () => string | null,
    private readonly clock: Clock,
    private readonly log: Logger,
    options: Partial<PlayLogOptions> = {},
  ) {
    this.options = { ...DEFAULT_PLAY_LOG_OPTIONS, ...options };
    this.loop = new OutboxLoop(
      clock,
      () => this.deliverDue(),
      () => this.nextInMs(),
      (error) => this.log.error('stats outbox pass failed', { error: String(error) }),
    );
  }

  /** Records a play (validated; a malformed record from the renderer is refused, not stored). */
  recordPlay(play: unknown): Result<null, 'invalid'> {
    const parsed = PlayRecordV1.safeParse(play);
    if (!parsed.success) return fail('invalid', parsed.error.issues[0]?.message ?? 'invalid play');
    this.repository.append('play', parsed.data, this.clock.now().toISOString());
    this.nudge();
    return ok(null);
  }

  /** Records a touch: an item opened and how long it stayed open. */
  recordTouch(touch: unknown): Result<null, 'invalid'> {
    const parsed = TouchRecordV1.safeParse(touch);
    if (!parsed.success) return fail('invalid', parsed.error.issues[0]?.message ?? 'invalid touch');
    this.repository.append('touch', parsed.data, this.clock.now().toISOString());
    this.nudge();
    return ok(null);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Records waiting for the server. */
  pendingCount(): number {
    return this.repository.pendingCount();
  }

  /** Sends every due batch now (tests, and the loop). Stops at the first failure: the server is away. */
  flush(): Promise<void> {
    return this.loop.flush();
  }

  /** One delivery pass (run by the loop). */
  private async deliverDue(): Promise<void> {
    for (;;) {
      const credential = this.credential();
      if (!credential) break;
      const batch = this.repository.nextBatch(this.clock.now().toISOString(), this.options.batchSize);
      if (!batch) break;
      const body = DeviceStatsBatchV1.safeParse(batch);
      if (!body.success) {
        // written by this kiosk after the same checks: only a damaged file gets here
        this.repository.discard(batch.batchId);
        this.log.error('an unreadable stats batch was dropped', { batchId: batch.batchId });
        continue;
      }
      const answer = await this.send(credential, body.data);
      if (answer.ok) {
        this.repository.delivered(batch.batchId);
        continue;
      }
      if (answer.error.kind === 'refused') {
        this.repository.discard(batch.batchId);
        this.log.error('the server refused a stats batch; dropped', {
          batchId: batch.batchId,
          error: answer.error.message,
        });
        continue;
      }
      const delay = backoffDelay(batch.attempts, this.options.retryInitialMs, this.options.retryMaxMs);
      this.repository.attemptFailed(
        batch.batchId,
        new Date(this.clock.now().getTime() + delay).toISOString(),
        answer.error.message,
      );
      this.log.warn('stats batch queued for later delivery', {
        batchId: batch.batchId,
        retryInMs: delay,
        reason: answer.error.message,
      });
      break;
    }
  }

  /** A new record: send soon (after the flush interval), unless a retry is already due earlier. */
  private nudge(): void {
    this.loop.nudge(this.options.flushIntervalMs);
  }

  private nextInMs(): number | null {
    const due = this.repository.nextDue();
    if (due !== null) return this.loop.msUntil(due);
    return this.repository.pendingCount() > 0 ? this.options.flushIntervalMs : null;
  }
}
