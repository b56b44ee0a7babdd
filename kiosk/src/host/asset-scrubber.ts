import type { CacheRepository } from './cache/cache.repository';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { SyncService } from './sync.service';

/** A cached asset as the scrubber sees it. */
export interface ScrubbedAsset {
  sha256: string;
  size: number;
}

/** What the scrubber needs from the rest of the host (the sync service and its asset store). */
export interface AssetScrubberDependencies {
  /** The assets the cache holds now. */
  list: () => readonly ScrubbedAsset[];
  /** Whether the cache still holds this asset (the sync may have collected it since the list was taken). */
  known: (sha256: string) => boolean;
  /** Whether the file is there with its size and its bytes hash to its name. */
  check: (asset: ScrubbedAsset) => Promise<boolean>;
  /** Forgets assets and removes their files. */
  drop: (sha256s: readonly string[]) => Promise<void>;
  /** Fetches what the current manifest needs and the cache lacks (a sync: after a 304 it repairs). */
  repair: () => void;
  clock: Clock;
  logger: Logger;
}

export interface AssetScrubberOptions {
  /** Time from the end of one pass (or from start) to the next. */
  intervalMs: number;
  /** Rest after each file, as a multiple of the time the file took: 4 keeps a pass under a fifth of a core. */
  restFactor: number;
}

export const DEFAULT_SCRUB_INTERVAL_MS = 24 * 60 * 60_000;
export const DEFAULT_SCRUB_REST_FACTOR = 4;

/**
 * Re-reads the kiosk's cached assets now and then while it runs, not only at start-up: a kiosk runs for months
 * between restarts, and a file damaged on disk meanwhile (same size, wrong bytes) would otherwise be shown broken
 * until the next start. A damaged file is dropped at once and fetched again by a sync (which repairs the current
 * manifest's missing assets after a 304), so the screen heals without a person. A pass reads one file at a time
 * and rests between files, so it stays in the background of what residents do.
 */
export class AssetScrubber {
  private timer: unknown = null;
  private running = false;
  /** Set by stop(): a pass in progress ends after its current file. */
  private stopped = false;
  private pass_: Promise<string[]> | null = null;

  constructor(
    private readonly deps: AssetScrubberDependencies,
    private readonly options: AssetScrubberOptions = {
      intervalMs: DEFAULT_SCRUB_INTERVAL_MS,
      restFactor: DEFAULT_SCRUB_REST_FACTOR,
    },
  ) {}

  /** Schedules passes; the first after one interval (start-up has just checked every file). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = false;
    this.schedule();
  }

  /** Stops scheduling and waits for a pass in progress to end after its current file. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopped = true;
    if (this.timer !== null) this.deps.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.pass_?.catch(() => undefined);
  }

  /** One pass over the cache now; resolves with the hashes it dropped. */
  runPass(): Promise<string[]> {
    this.pass_ ??= this.pass().finally(() => (this.pass_ = null));
    return this.pass_;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = null;
      this.runPass()
        .catch((error: unknown) => this.deps.logger.warn('asset check failed', { error: String(error) }))
        .finally(() => this.schedule());
    }, this.options.intervalMs);
  }

  private async pass(): Promise<string[]> {
    const dropped: string[] = [];
    const started = Date.now();
    let checked = 0;
    for (const asset of this.deps.list()) {
      if (this.stopped) break;
      const fileStarted = Date.now();
      const good = await this.deps.check(asset);
      checked++;
      // a file the sync collected since the list was taken is gone, not damaged
      if (!good && this.deps.known(asset.sha256)) {
        dropped.push(asset.sha256);
        this.deps.logger.warn('a cached asset was damaged; it will be fetched again', {
          sha256: asset.sha256,
        });
        await this.deps.drop([asset.sha256]);
        this.deps.repair();
      }
      await this.rest((Date.now() - fileStarted) * this.options.restFactor);
    }
    this.deps.logger.info('cached assets checked', {
      checked,
      dropped: dropped.length,
      ms: Date.now() - started,
    });
    return dropped;
  }

  private rest(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.deps.clock.setTimeout(resolve, ms));
  }
}

/** The scrubber of a kiosk's cache: its records, its sync service's checks, and a sync to repair what it drops. */
export function cacheScrubber(
  cache: Pick<CacheRepository, 'listAssets' | 'getAsset'>,
  sync: Pick<SyncService, 'checkAsset' | 'dropAssets' | 'syncNow'>,
  clock: Clock,
  logger: Logger,
  options?: AssetScrubberOptions,
): AssetScrubber {
  return new AssetScrubber(
    {
      list: () => cache.listAssets(),
      known: (sha256) => cache.getAsset(sha256) !== null,
      check: (asset) => sync.checkAsset(asset),
      drop: (sha256s) => sync.dropAssets(sha256s),
      repair: () => void sync.syncNow(),
      clock,
      logger,
    },
    options,
  );
}

/** The pass interval from `LINLI_ASSET_CHECK_HOURS` (at least 1), else a day. */
export function scrubIntervalFrom(env: Record<string, string | undefined> = process.env): number {
  const hours = Number(env.LINLI_ASSET_CHECK_HOURS);
  return Number.isFinite(hours) && hours >= 1 ? hours * 60 * 60_000 : DEFAULT_SCRUB_INTERVAL_MS;
}
