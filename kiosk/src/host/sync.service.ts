import pLimit from 'p-limit';
import { AssetRef, ManifestChangedEventV1, ManifestV1, PairingCode } from '@linli/content';
import { z } from 'zod';
import type { KioskStatus } from '../shared/kiosk-api';
import { fail, ok, type Failure, type Result } from '../shared/result';
import { readChecked, type AssetStore } from './asset-store';
import type { AssetRecord, CacheRepository, DeviceRecord, ManifestRecord } from './cache/cache.repository';
import { backoffDelay, type Clock } from './clock';
import type { DeviceApiClient, ServerEvent } from './device-api.client';
import type { Logger } from './logger';
import { BundleReader } from './asset-bundle';
import { loadPinnedKey, verifyManifestSignature, type PinnedKey } from './manifest-signature';
import { searchEntriesOf } from './search.service';

/** How the sync loop behaves; the defaults suit a lobby kiosk. */
export interface SyncOptions {
  serverUrl: string;
  /** Needed only until the kiosk is enrolled; ignored afterwards. */
  pairingCode: string | null;
  deviceName: string;
  platform: string;
  appVersion: string;
  /** Poll interval when all is well. SSE hints make changes arrive sooner; the poll is the safety net. */
  pollIntervalMs: number;
  /** Backoff after failures (poll, events stream, enrolment). */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Assets downloaded at the same time. */
  downloadConcurrency: number;
}

/**
 * Assets up to this size are fetched in bundles (several in one answer); larger ones alone, so that an interrupted
 * download of a big video resumes with Range instead of starting a bundle again.
 */
const BUNDLE_ASSET_MAX_BYTES = 2 * 1024 * 1024;
/** One bundle asks for at most this many bytes and assets: bundles run side by side, a few at a time. */
const BUNDLE_MAX_BYTES = 4 * 1024 * 1024;
const BUNDLE_MAX_ASSETS = 64;

/** The part of a manifest its downloads need: checked before they start, the rest beside them. */
const ManifestHead = z.object({
  deviceId: z.string().min(1),
  version: z.string().min(1),
  assets: z.array(AssetRef),
});

/** What one sync did. */
export type SyncOutcome = 'switched' | 'unchanged';

/** Why a sync or an enrolment failed. */
export type SyncErrorKind =
  | 'not-enrolled'
  | 'pairing-code-invalid'
  | 'offline'
  | 'unauthorized'
  | 'server-error'
  | 'invalid-response'
  | 'signature-missing'
  | 'signature-invalid'
  | 'invalid-manifest'
  | 'asset-hash-mismatch'
  | 'asset-size-mismatch'
  | 'asset-download-failed'
  | 'asset-missing';

/** The manifest the kiosk shows, with the record it was stored as. */
export interface CurrentManifest {
  manifest: ManifestV1;
  record: ManifestRecord;
}

/** Failures after which the server is taken as unreachable (or as not accepting this kiosk). */
const OFFLINE_KINDS: ReadonlySet<string> = new Set([
  'offline',
  'unauthorized',
  'not-enrolled',
  'pairing-code-invalid',
]);

/**
 * Keeps the local cache in step with the server: enrols once, then polls the manifest (ETag), listens to the
 * events stream for hints, verifies and downloads, and switches manifests atomically. Every failure is caught,
 * logged and retried with backoff while the last good manifest stays in place.
 */
export class SyncService {
  private device: DeviceRecord | null = null;
  private key: PinnedKey | null = null;
  private current: CurrentManifest | null = null;
  private status: KioskStatus;
  private running = false;
  private loops: Promise<void>[] = [];
  private inFlight: Promise<Result<SyncOutcome, SyncErrorKind>> | null = null;
  /** Syncs failed in a row (any trigger); sets the backoff of the next attempt. */
  private failures = 0;
  /** Ends the main loop's quiet poll interval early (set only while it waits one). */
  private wakePoll: (() => void) | null = null;
  private queued: Promise<Result<SyncOutcome, SyncErrorKind>> | null = null;
  private readonly waiters = new Set<() => void>();
  private eventsAbort: AbortController | null = null;
  private readonly manifestListeners = new Set<(current: CurrentManifest | null) => void>();
  private readonly statusListeners = new Set<(status: KioskStatus) => void>();
  private readonly serverEventListeners = new Set<(event: ServerEvent) => void>();
  /** False once the server answered that it has no bundles (an older server): assets come one by one. */
  private bundlesSupported = true;

  constructor(
    private readonly repository: CacheRepository,
    private readonly assets: AssetStore,
    private readonly api: DeviceApiClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: SyncOptions,
  ) {
    this.status = {
      enrolled: false,
      deviceId: null,
      online: false,
      lastSyncAt: null,
      lastError: null,
      manifestVersion: null,
      clockSkewMs: null,
    };
  }

  /**
   * Loads the enrolment and the current manifest from the cache. The stored manifest is verified again against
   * the pinned key: the cache is a file anyone with disk access could edit.
   */
  loadCache(): void {
    this.device = this.repository.getDevice();
    if (this.device) {
      const key = loadPinnedKey(this.device.serverPublicKey);
      if (key.ok) this.key = key.value;
      else this.logger.error('the pinned server key in the cache is unusable', { error: key.error });
    }
    const record = this.repository.getManifest();
    if (record && this.key) {
      const checked = this.checkManifest(record.body, record.signature);
      if (checked.ok) this.current = { manifest: checked.value, record };
      else
        this.logger.error('the cached manifest failed verification; showing nothing until the next sync', {
          error: checked.error,
        });
    }
    this.updateStatus({
      enrolled: this.device !== null,
      deviceId: this.device?.deviceId ?? null,
      manifestVersion: this.current?.manifest.version ?? null,
    });
  }

  /** The manifest being shown, or null before the first successful sync. */
  currentManifest(): CurrentManifest | null {
    return this.current;
  }

  getStatus(): KioskStatus {
    return this.status;
  }

  onManifestChanged(listener: (current: CurrentManifest | null) => void): () => void {
    this.manifestListeners.add(listener);
    return () => this.manifestListeners.delete(listener);
  }

  onStatusChanged(listener: (status: KioskStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /**
   * Re-hashes every cached asset file and forgets the ones whose bytes no longer match, so the next sync
   * fetches them again. Also removes files the database does not know (left by a crash before they were
   * recorded). Returns the hashes it dropped.
   */
  async verifyCachedAssets(): Promise<string[]> {
    const bad: string[] = [];
    for (const asset of this.repository.listAssets()) {
      if (!(await this.checkAsset(asset))) bad.push(asset.sha256);
    }
    if (bad.length > 0) {
      this.logger.warn('cached assets were damaged or missing; they will be fetched again', { assets: bad });
      await this.dropAssets(bad);
    }
    const known = new Set(this.repository.listAssets().map((a) => a.sha256));
    for (const sha of await this.assets.list()) if (!known.has(sha)) await this.assets.remove(sha);
    return bad;
  }

  /** Whether an asset's file is there with its size and its bytes hash to its name. */
  async checkAsset(asset: { sha256: string; size: number }): Promise<boolean> {
    return (
      (await this.assets.isPresent(asset.sha256, asset.size)) && (await this.assets.verify(asset.sha256))
    );
  }

  /** Forgets assets, then removes their files; the next sync fetches those the current manifest needs. */
  async dropAssets(sha256s: readonly string[]): Promise<void> {
    this.repository.removeAssets(sha256s);
    for (const sha of sha256s) await this.assets.remove(sha);
  }

  /** Starts the loops: enrolment if needed, then polling and the events stream. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loops.push(this.mainLoop());
  }

  /** Stops the loops and waits for them and for a sync in progress. */
  async stop(): Promise<void> {
    this.running = false;
    this.eventsAbort?.abort();
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    await Promise.allSettled(this.loops);
    await this.inFlight?.catch(() => undefined);
  }

  /**
   * Records the server's time from an answer. HTTP dates have one-second resolution and the answer took some
   * time to arrive, so the skew is only good to a second or two: enough to notice a clock that is minutes off.
   */
  observeServerTime(serverTime: Date): void {
    const skew = Math.round((this.clock.now().getTime() - serverTime.getTime()) / 1000) * 1000;
    const current = this.status.clockSkewMs;
    // Jitter of a second or two is the measurement, not the clock: do not announce a new status for it.
    if (current !== null && Math.abs(current - skew) <= 2_000) return;
    this.updateStatus({ clockSkewMs: skew });
  }

  /** Enrols with the configured pairing code. Once done, the pairing code is never needed again. */
  async enroll(): Promise<Result<void, SyncErrorKind>> {
    const code = PairingCode.safeParse(this.options.pairingCode ?? '');
    if (!this.options.pairingCode)
      return this.recordFailure(
        fail(
          'not-enrolled',
          'this kiosk is not enrolled: start it with --pairing-code <code> from the admin page',
        ),
      );
    if (!code.success)
      return this.recordFailure(
        fail('pairing-code-invalid', `the pairing code is malformed: ${code.error.issues[0]?.message}`),
      );
    const answer = await this.api.enroll({
      pairingCode: code.data,
      name: this.options.deviceName,
      platform: this.options.platform,
      appVersion: this.options.appVersion,
    });
    if (!answer.ok) return this.recordFailure(answer);
    const key = loadPinnedKey(answer.value.serverPublicKey);
    if (!key.ok) return this.recordFailure(fail('invalid-response', key.error.message));
    const device: DeviceRecord = {
      deviceId: answer.value.deviceId,
      credential: answer.value.credential,
      serverUrl: this.options.serverUrl,
      serverPublicKey: answer.value.serverPublicKey,
      communityId: answer.value.communityId,
      enrolledAt: this.clock.now().toISOString(),
    };
    this.repository.saveDevice(device);
    this.device = device;
    this.key = key.value;
    this.setCurrent(null);
    this.logger.info('enrolled', { deviceId: device.deviceId });
    this.updateStatus({ enrolled: true, deviceId: device.deviceId, online: true, lastError: null });
    return ok(undefined);
  }

  /**
   * Runs one sync now. Only one runs at a time; a request during a run queues exactly one more run, so a hint
   * that arrives mid-sync is never lost and a burst of hints costs two syncs, not many.
   */
  syncNow(): Promise<Result<SyncOutcome, SyncErrorKind>> {
    if (!this.inFlight) {
      this.inFlight = this.runSync().finally(() => {
        this.inFlight = null;
      });
      return this.inFlight;
    }
    if (!this.queued) {
      this.queued = this.inFlight.then(() => {
        this.queued = null;
        return this.syncNow();
      });
    }
    return this.queued;
  }

  private async mainLoop(): Promise<void> {
    let attempt = 0;
    while (this.running && !this.device) {
      const enrolled = await this.enroll();
      if (enrolled.ok) break;
      // A refused or missing pairing code will not get better by retrying; a person must act.
      if (enrolled.error.kind === 'pairing-code-invalid' || enrolled.error.kind === 'not-enrolled') return;
      await this.wait(this.retryDelay(attempt++));
    }
    if (!this.running) return;
    this.loops.push(this.eventsLoop());
    while (this.running) {
      await this.syncNow();
      await this.waitBeforeNextSync();
    }
  }

  /**
   * After a failed sync, whoever started it (the poll, a hint, a command), the next one comes with backoff; after
   * a good one, the poll interval. A hinted sync that fails during a quiet interval cuts it short, or an
   * interrupted download would wait a whole poll interval to resume.
   */
  private async waitBeforeNextSync(): Promise<void> {
    if (this.failures > 0) return this.wait(this.retryDelay(this.failures - 1));
    await this.wait(this.options.pollIntervalMs, (wake) => (this.wakePoll = wake));
    this.wakePoll = null;
    if (this.running && this.failures > 0) await this.wait(this.retryDelay(this.failures - 1));
  }

  private async eventsLoop(): Promise<void> {
    let attempt = 0;
    while (this.running && this.device) {
      const controller = new AbortController();
      this.eventsAbort = controller;
      const ended = await this.api.streamEvents(
        this.device.credential,
        controller.signal,
        () => {
          attempt = 0;
          this.updateStatus({ online: true });
        },
        (event) => this.handleServerEvent(event),
      );
      if (!this.running) return;
      if (!ended.ok) {
        this.logger.warn('events stream failed; reconnecting', { error: ended.error });
        if (OFFLINE_KINDS.has(ended.error.kind)) this.updateStatus({ online: false });
      }
      await this.wait(this.retryDelay(attempt++));
    }
  }

  /** Calls `listener` with every event of the server's stream (the fleet service takes `command` events). */
  onServerEvent(listener: (event: ServerEvent) => void): () => void {
    this.serverEventListeners.add(listener);
    return () => this.serverEventListeners.delete(listener);
  }

  /** The device credential once enrolled (the fleet service calls the device API with it). */
  credential(): string | null {
    return this.device?.credential ?? null;
  }

  /** True while a sync runs. */
  isSyncing(): boolean {
    return this.inFlight !== null;
  }

  /** Assets of the current manifest that are not (fully) on disk: fetched again by the next sync. */
  async missingAssets(): Promise<string[]> {
    const missing: string[] = [];
    for (const asset of this.current?.manifest.assets ?? []) {
      const known = this.repository.getAsset(asset.sha256);
      if (!known || !(await this.assets.isPresent(asset.sha256, asset.size))) missing.push(asset.sha256);
    }
    return missing;
  }

  private handleServerEvent(event: ServerEvent): void {
    for (const listener of this.serverEventListeners) {
      try {
        listener(event);
      } catch (error) {
        // a listener's bug must not break the stream that also carries the manifest hints
        this.logger.error('server event listener failed', { event: event.event, error: String(error) });
      }
    }
    this.onManifestHint(event);
  }

  private onManifestHint(event: ServerEvent): void {
    if (event.event !== 'hello' && event.event !== 'manifest-changed') return;
    let data: unknown;
    try {
      data = JSON.parse(event.data);
    } catch {
      data = null;
    }
    const hint = ManifestChangedEventV1.safeParse(data);
    // A hint is only a hint: a malformed one still means "look", and pull (the manifest) decides.
    if (hint.success && hint.data.version === this.current?.manifest.version) return;
    void this.syncNow();
  }

  private async runSync(): Promise<Result<SyncOutcome, SyncErrorKind>> {
    const result = await this.syncOnce().catch((error: unknown) =>
      fail(
        'server-error' as const,
        `sync failed unexpectedly: ${error instanceof Error ? error.message : error}`,
      ),
    );
    if (result.ok) {
      this.failures = 0;
      this.updateStatus({ online: true, lastSyncAt: this.clock.now().toISOString(), lastError: null });
    } else {
      this.failures += 1;
      this.recordFailure(result);
      this.wakePoll?.();
    }
    return result;
  }

  private async syncOnce(): Promise<Result<SyncOutcome, SyncErrorKind>> {
    const device = this.device;
    if (!device || !this.key) return fail('not-enrolled', 'this kiosk is not enrolled');
    const fetched = await this.api.fetchManifest(device.credential, this.current?.record.etag ?? null);
    if (!fetched.ok) return fetched;
    if (fetched.value.status === 'not-modified') return this.repairCurrent();

    const { body, signature, etag } = fetched.value;
    const signed = this.readSigned(body, signature);
    if (!signed.ok) return signed;
    // What the downloads need first — whose manifest it is, its version and its assets — is checked at once; the
    // whole manifest's check and the search index's rows are CPU work (tens of ms in a fresh kiosk process, most
    // of it the first run of the schemas and of the Markdown parser) done while the downloads are in flight.
    const head = ManifestHead.safeParse(signed.value);
    if (!head.success) return this.invalidManifest(head.error);
    if (head.data.deviceId !== device.deviceId) {
      return fail(
        'invalid-manifest',
        `the manifest is for device ${head.data.deviceId}, not ${device.deviceId}`,
      );
    }
    if (this.current && head.data.version === this.current.manifest.version) {
      this.repository.updateManifestEtag(etag);
      this.current = { ...this.current, record: { ...this.current.record, etag } };
      return this.repairCurrent();
    }

    const downloading = this.ensureAssets(head.data.assets);
    // awaited below; marked handled now, or a failure during the turn below would count as unhandled
    downloading.catch(() => undefined);
    // a timer's turn: the first requests leave before the event loop is held by the checks below
    await new Promise((resolve) => setTimeout(resolve, 1));
    const checked = this.parseManifest(signed.value);
    const searchEntries = checked.ok ? searchEntriesOf(checked.value) : [];
    // assets of a manifest refused below stay unreferenced and are collected at the next switch
    const downloaded = await downloading;
    if (!checked.ok) return checked;
    const manifest = checked.value;
    if (!downloaded.ok) return downloaded;
    const record: ManifestRecord = {
      version: manifest.version,
      etag,
      body,
      signature: signature ?? '',
      generatedAt: manifest.generatedAt,
      appliedAt: this.clock.now().toISOString(),
    };
    const switched = this.repository.switchManifest(
      record,
      manifest.assets.map((a) => a.sha256),
      searchEntries,
    );
    if (!switched.ok)
      return fail('asset-missing', `assets vanished before the switch: ${switched.missing.join(', ')}`);
    // Memory changes only after the commit, so what the renderer sees is always what the database holds.
    this.setCurrent({ manifest, record });
    this.logger.info('switched to a new manifest', {
      version: manifest.version,
      items: manifest.items.length,
    });
    await this.collectGarbage(manifest);
    return ok('switched');
  }

  private checkManifest(body: Buffer, signature: string | null): Result<ManifestV1, SyncErrorKind> {
    const signed = this.readSigned(body, signature);
    return signed.ok ? this.parseManifest(signed.value) : signed;
  }

  /** The manifest's JSON, once its signature checked out against the pinned key. */
  private readSigned(body: Buffer, signature: string | null): Result<unknown, SyncErrorKind> {
    if (!this.key) return fail('not-enrolled', 'no pinned server key');
    const verified = verifyManifestSignature(body, signature, this.key);
    if (!verified.ok) return verified;
    try {
      return ok(JSON.parse(body.toString('utf8')) as unknown);
    } catch {
      return fail('invalid-manifest', 'the manifest is not JSON');
    }
  }

  private parseManifest(json: unknown): Result<ManifestV1, SyncErrorKind> {
    const parsed = ManifestV1.safeParse(json);
    return parsed.success ? ok(parsed.data) : this.invalidManifest(parsed.error);
  }

  private invalidManifest(error: z.ZodError): { ok: false; error: Failure<SyncErrorKind> } {
    const issue = error.issues[0];
    return fail(
      'invalid-manifest',
      `the manifest does not match ManifestV1 at ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }

  /** After a 304: fetch assets of the current manifest that went missing (e.g. a damaged file was dropped). */
  private async repairCurrent(): Promise<Result<SyncOutcome, SyncErrorKind>> {
    if (!this.current) return ok('unchanged');
    const repaired = await this.ensureAssets(this.current.manifest.assets);
    return repaired.ok ? ok('unchanged') : repaired;
  }

  /** Downloads every listed asset the cache lacks, a few at a time; succeeds only if all are present after. */
  private async ensureAssets(assets: readonly AssetRef[]): Promise<Result<number, SyncErrorKind>> {
    const device = this.device;
    if (!device) return fail('not-enrolled', 'this kiosk is not enrolled');
    const missing: AssetRef[] = [];
    const seen = new Set<string>();
    for (const asset of assets) {
      // a hash listed twice is one file (and a bundle may ask for each asset once)
      if (seen.has(asset.sha256)) continue;
      seen.add(asset.sha256);
      const known = this.repository.getAsset(asset.sha256);
      if (!known || !(await this.assets.isPresent(asset.sha256, asset.size))) missing.push(asset);
    }
    if (missing.length === 0) return ok(0);
    const limit = pLimit(this.options.downloadConcurrency);
    // Kept parts of interrupted downloads, listed once: most assets have none, and asking the disk about each
    // one in turn cost a failed lookup per asset of a cold sync.
    const partials = await this.assets.listPartials();
    const { singles, bundles } = this.planDownloads(missing, partials);
    // the large single downloads first: started last, one of them would be the tail of the whole sync
    const results = (
      await Promise.all([
        ...singles.map((asset) =>
          limit(async () => [await this.download(device, asset, partials.has(asset.sha256))]),
        ),
        ...bundles.map((group) => limit(() => this.downloadBundle(device, group))),
      ])
    ).flat();
    // Even when some failed, the ones that arrived are kept for the retry: flushed to disk together, then
    // recorded in one transaction (a row means the bytes are durable). Flushing each file as it arrived, beside
    // the downloads still running, was measured and made the whole sync slower: every flush is a journal commit
    // of the file system, and the downloads' own writes and renames waited for them.
    const stored = results.flatMap((r) => (r.ok ? [r.value] : []));
    if (stored.length > 0) {
      await this.assets.sync(stored.map((a) => a.sha256));
      this.repository.addAssets(stored);
    }
    const failures = results.filter((r): r is { ok: false; error: Failure<SyncErrorKind> } => !r.ok);
    const first = failures[0];
    if (first) {
      return fail(
        first.error.kind,
        `${failures.length} of ${missing.length} assets failed; first: ${first.error.message}`,
      );
    }
    return ok(missing.length);
  }

  /**
   * Which assets go in bundles: small ones without a kept part file, grouped in manifest order up to the bundle
   * limits. A bundle of one would only add framing, so a lone small asset (a delta sync) is fetched alone.
   */
  private planDownloads(
    missing: readonly AssetRef[],
    partials: ReadonlySet<string>,
  ): { singles: AssetRef[]; bundles: AssetRef[][] } {
    const small = (asset: AssetRef) =>
      this.bundlesSupported && asset.size <= BUNDLE_ASSET_MAX_BYTES && !partials.has(asset.sha256);
    const bundled = missing.filter(small);
    if (bundled.length < 2) return { singles: [...missing], bundles: [] };
    const bundles: AssetRef[][] = [];
    let group: AssetRef[] = [];
    let bytes = 0;
    for (const asset of bundled) {
      if (group.length > 0 && (bytes + asset.size > BUNDLE_MAX_BYTES || group.length >= BUNDLE_MAX_ASSETS)) {
        bundles.push(group);
        group = [];
        bytes = 0;
      }
      group.push(asset);
      bytes += asset.size;
    }
    bundles.push(group);
    return { singles: missing.filter((asset) => !small(asset)), bundles };
  }

  /**
   * Fetches a group of small assets in one answer, each frame checked as a single download is (size and hash of
   * every byte before the file gets its name). Whatever the bundle did not deliver — left out by the server, or
   * after the answer broke off — is then fetched alone, so a bundle never fails an asset that a single download
   * would have brought.
   */
  private async downloadBundle(
    device: DeviceRecord,
    group: readonly AssetRef[],
  ): Promise<Result<AssetRecord, SyncErrorKind>[]> {
    const results = new Map<string, Result<AssetRecord, SyncErrorKind>>();
    const fetched = this.bundlesSupported
      ? await this.api.fetchBundle(
          device.credential,
          group.map((asset) => asset.sha256),
        )
      : ok({ status: 'unsupported' as const, reason: 'bundles are off' });
    if (!fetched.ok) return group.map(() => fetched);
    if (fetched.value.status === 'unsupported') {
      if (this.bundlesSupported) this.logger.info(`${fetched.value.reason}; fetching assets one by one`);
      this.bundlesSupported = false;
    } else {
      const body = fetched.value.body;
      const wanted = new Map(group.map((asset) => [asset.sha256, asset]));
      const reader = new BundleReader(body);
      const writes: Promise<void>[] = [];
      try {
        for (let frame = await reader.next(); frame; frame = await reader.next()) {
          const asset = wanted.get(frame.sha256);
          if (!asset || results.has(frame.sha256)) {
            throw new Error(`the bundle holds ${frame.sha256}, which was not asked for (or twice)`);
          }
          if (frame.size !== asset.size) {
            // read past, so that the next frame starts where it should
            for await (const chunk of frame.bytes) void chunk;
            results.set(
              asset.sha256,
              fail(
                'asset-size-mismatch',
                `asset ${asset.sha256} came with ${frame.size} bytes, not ${asset.size}`,
              ),
            );
            continue;
          }
          // the bytes in memory (a bundle's assets are small), checked, then handed to the disk without waiting
          // for it: the next frame is read while this one is written
          const checked = await readChecked(asset.sha256, asset.size, frame.bytes);
          if (!checked.ok) {
            this.logger.warn('asset refused', { error: checked.error });
            results.set(asset.sha256, checked);
            continue;
          }
          writes.push(
            this.assets.writeChecked(asset.sha256, checked.value).then((written) => {
              if (!written.ok) this.logger.warn('asset not stored', { error: written.error });
              results.set(asset.sha256, written.ok ? ok(this.recordOf(asset)) : written);
            }),
          );
        }
      } catch (error) {
        this.logger.warn('an asset bundle broke off; fetching the rest one by one', {
          error: error instanceof Error ? error.message : String(error),
        });
      } finally {
        if (!body.complete) body.destroy();
        await Promise.all(writes);
      }
    }
    const out: Result<AssetRecord, SyncErrorKind>[] = [];
    for (const asset of group)
      out.push(results.get(asset.sha256) ?? (await this.download(device, asset, false)));
    return out;
  }

  private recordOf(asset: AssetRef): AssetRecord {
    return {
      sha256: asset.sha256,
      size: asset.size,
      mime: asset.mime,
      storedAt: this.clock.now().toISOString(),
    };
  }

  /**
   * Fetches one asset into the store. An interrupted earlier attempt is resumed (Range) from its part file; when
   * the resumed whole does not hash, the part is dropped and the file fetched once more from its first byte, so
   * a bad part costs one retry and never a refusal.
   */
  private async download(
    device: DeviceRecord,
    asset: AssetRef,
    hasPartial: boolean,
  ): Promise<Result<AssetRecord, SyncErrorKind>> {
    const kept = hasPartial ? await this.assets.partialSize(asset.sha256, asset.size) : 0;
    let written = await this.fetchInto(device, asset, kept);
    if (!written.ok && kept > 0 && written.error.kind === 'asset-hash-mismatch') {
      this.logger.warn('a resumed asset did not hash; fetching it whole', { sha256: asset.sha256 });
      written = await this.fetchInto(device, asset, 0);
    }
    if (!written.ok) {
      this.logger.warn('asset refused', { error: written.error });
      return written;
    }
    return ok(this.recordOf(asset));
  }

  private async fetchInto(
    device: DeviceRecord,
    asset: AssetRef,
    fromByte: number,
  ): Promise<Result<void, SyncErrorKind>> {
    const fetched = await this.api.fetchAsset(device.credential, asset.sha256, fromByte);
    if (!fetched.ok) return fetched;
    const { body, offset } = fetched.value;
    if (fromByte > 0 && offset === 0) await this.assets.discardPartial(asset.sha256);
    return this.assets.write(asset.sha256, asset.size, body, offset);
  }

  /** Drops assets no longer referenced by the current manifest: rows first, files after the commit. */
  private async collectGarbage(manifest: ManifestV1): Promise<void> {
    const keep = new Set(manifest.assets.map((a) => a.sha256));
    await this.assets.discardPartialsExcept(keep);
    const unused = this.repository
      .listAssets()
      .map((a) => a.sha256)
      .filter((sha) => !keep.has(sha));
    if (unused.length === 0) return;
    this.repository.removeAssets(unused);
    for (const sha of unused) await this.assets.remove(sha);
  }

  private setCurrent(current: CurrentManifest | null): void {
    this.current = current;
    this.updateStatus({ manifestVersion: current?.manifest.version ?? null });
    for (const listener of this.manifestListeners) listener(current);
  }

  private recordFailure<E extends { ok: false; error: Failure<SyncErrorKind> }>(result: E): E {
    this.logger.warn('sync problem', { error: result.error });
    this.updateStatus({
      lastError: result.error,
      ...(OFFLINE_KINDS.has(result.error.kind) ? { online: false } : {}),
    });
    return result;
  }

  private updateStatus(change: Partial<KioskStatus>): void {
    const next = { ...this.status, ...change };
    if (JSON.stringify(next) === JSON.stringify(this.status)) return;
    this.status = next;
    for (const listener of this.statusListeners) listener(next);
  }

  private retryDelay(attempt: number): number {
    return backoffDelay(attempt, this.options.retryInitialMs, this.options.retryMaxMs);
  }

  /** Sleeps, but wakes at once when the service stops (and does not start sleeping once it has stopped). */
  private wait(ms: number, onWake?: (wake: () => void) => void): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = () => {
        this.clock.clearTimeout(handle);
        this.waiters.delete(wake);
        resolve();
      };
      const handle = this.clock.setTimeout(wake, ms);
      this.waiters.add(wake);
      onWake?.(wake);
    });
  }
}
