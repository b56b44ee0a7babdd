import crypto from 'node:crypto';
import { isValidAt, type AssetMime, type AssetRef, type ContentItem, type ManifestV1 } from '@linli/content';
import type { Clock } from '../clock';
import type { ContentRecord } from '../content/content.schema';
import { bodyAssetRefs } from '../content/content.service';
import { signBytes, type ServerKeys } from '../keys';
import type { AuthenticatedDevice } from '../devices/device.schema';

/** Where the manifest reads content from: published rows, whatever their validity window. */
export interface PublishedContentSource {
  listPublished(): ContentRecord[];
}

/** Where the manifest reads asset metadata from. */
export interface AssetMetadataSource {
  getMany(hashes: readonly string[]): { sha256: string; size: number; mime: AssetMime }[];
}

/** The resolved content of one scope, shared by every device in it. */
export interface ScopeManifest {
  scope: string;
  version: string;
  generatedAt: string;
  items: ContentItem[];
  assets: AssetRef[];
  /** The next instant (ms) at which an item enters or leaves its validity window, or null when none will. */
  recomputeAt: number | null;
}

/** A device's manifest, serialised and signed once and then served from memory. */
export interface SignedManifest {
  version: string;
  /** `"<version>"`, the HTTP ETag. */
  etag: string;
  body: Buffer;
  /** base64 Ed25519 signature of `body`. */
  signature: string;
}

/**
 * Signed bodies kept in memory. Each device's bytes differ (the body names the device), so a city-wide
 * deployment would otherwise hold one ~100 KB body per kiosk; beyond this many the least recently made is dropped
 * and simply signed again on its next 200.
 */
export const MAX_CACHED_DEVICE_MANIFESTS = 2_000;

// Timers cannot wait longer than this (about 24.8 days); a later boundary is re-armed when this one fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The version of a scope's content: a hash of exactly what devices get, so equal content has equal versions. */
export function manifestVersion(items: readonly ContentItem[], assets: readonly AssetRef[]): string {
  return crypto.createHash('sha256').update(JSON.stringify({ items, assets })).digest('hex').slice(0, 32);
}

/** The content a device sees at `now` and when that changes next (STYLE.md: compute the deadline with the schedule). */
export function resolveContent(
  published: readonly ContentRecord[],
  assetSource: AssetMetadataSource,
  now: Date,
): Omit<ScopeManifest, 'scope' | 'generatedAt'> {
  const nowIso = now.toISOString();
  let recomputeAt: number | null = null;
  const later = (instant: string | null) => {
    if (instant && instant > nowIso) {
      const ms = Date.parse(instant);
      if (recomputeAt === null || ms < recomputeAt) recomputeAt = ms;
    }
  };
  const visible = published.filter((record) => {
    later(record.validFrom);
    later(record.validUntil);
    return isValidAt(record, now);
  });

  const wanted = new Set<string>();
  for (const record of visible) {
    for (const image of record.images) wanted.add(image.sha256);
    for (const sha of bodyAssetRefs(record.body)) wanted.add(sha);
  }
  const known = new Map(assetSource.getMany([...wanted]).map((a) => [a.sha256, a]));
  const assets: AssetRef[] = [...known.values()]
    .map(({ sha256, size, mime }) => ({ sha256, size, mime }))
    .sort((a, b) => a.sha256.localeCompare(b.sha256));

  const items: ContentItem[] = visible
    .map((record) => ({
      id: record.id,
      category: record.category,
      locale: record.locale,
      title: record.title,
      summary: record.summary,
      body: record.body,
      // The CMS refuses unknown images; filtering here only guards against a file removed by hand, so one broken
      // item cannot make the whole manifest invalid for every screen.
      images: record.images.filter((image) => known.has(image.sha256)),
      validFrom: record.validFrom,
      validUntil: record.validUntil,
      version: record.version,
      updatedAt: record.updatedAt,
    }))
    .sort((a, b) =>
      a.updatedAt === b.updatedAt ? key(a).localeCompare(key(b)) : b.updatedAt.localeCompare(a.updatedAt),
    );
  return { version: manifestVersion(items, assets), items, assets, recomputeAt };
}

const key = (item: ContentItem) => `${item.id}\u0000${item.locale}`;

/**
 * Builds, signs and caches device manifests. Content is resolved once per scope and kept until published content
 * changes (`invalidate`) or the next validity boundary passes; each device's signed bytes are made once per scope
 * version. Today every device is in the scope `all`; targeting (by community, building, group) changes only
 * `scopeOf` and `resolveContent`'s input.
 */
export class ManifestService {
  private readonly scopes = new Map<string, ScopeManifest>();
  private readonly signed = new Map<string, SignedManifest>();
  private readonly listeners = new Set<(scope: string, version: string) => void>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly content: PublishedContentSource,
    private readonly assets: AssetMetadataSource,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
  ) {}

  /** The scope whose content a device sees. */
  scopeOf(_device: AuthenticatedDevice): string {
    return 'all';
  }

  /** Calls `listener(scope, version)` whenever a scope's version changes (SSE `manifest-changed`). */
  onChange(listener: (scope: string, version: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The current resolved content of a scope, rebuilt when it is missing or a validity boundary has passed. */
  scope(scope: string): ScopeManifest {
    const cached = this.scopes.get(scope);
    if (cached && (cached.recomputeAt === null || this.clock.now().getTime() < cached.recomputeAt))
      return cached;
    return this.rebuild(scope);
  }

  /** The device's signed manifest, from memory unless the scope changed since it was made. */
  forDevice(device: AuthenticatedDevice): SignedManifest {
    const scope = this.scope(this.scopeOf(device));
    const cached = this.signed.get(device.id);
    if (cached && cached.version === scope.version) return cached;
    const manifest: ManifestV1 = {
      schema: 'linli.manifest.v1',
      deviceId: device.id,
      version: scope.version,
      generatedAt: scope.generatedAt,
      items: scope.items,
      assets: scope.assets,
    };
    const body = Buffer.from(JSON.stringify(manifest));
    const signed = {
      version: scope.version,
      etag: `"${scope.version}"`,
      body,
      signature: signBytes(this.keys, body),
    };
    this.signed.delete(device.id);
    this.signed.set(device.id, signed);
    if (this.signed.size > MAX_CACHED_DEVICE_MANIFESTS) {
      const oldest = this.signed.keys().next().value;
      if (oldest !== undefined) this.signed.delete(oldest);
    }
    return signed;
  }

  /** Forgets a device's cached bytes (revoked devices). */
  forget(deviceId: string): void {
    this.signed.delete(deviceId);
  }

  /** Published content changed: rebuild every scope now and tell listeners whose version moved. */
  invalidate(): void {
    for (const scope of [...this.scopes.keys()]) this.rebuild(scope);
    if (!this.scopes.has('all')) this.rebuild('all');
  }

  /** Rebuilds scopes whose validity boundary has passed (the timer calls this; tests call it after moving the clock). */
  checkBoundaries(): void {
    const now = this.clock.now().getTime();
    for (const [scope, manifest] of this.scopes) {
      if (manifest.recomputeAt !== null && now >= manifest.recomputeAt) this.rebuild(scope);
    }
    this.arm();
  }

  /** Stops the boundary timer (shutdown, tests). */
  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private rebuild(scope: string): ScopeManifest {
    const now = this.clock.now();
    const previous = this.scopes.get(scope);
    const resolved = resolveContent(this.content.listPublished(), this.assets, now);
    const next: ScopeManifest =
      previous && previous.version === resolved.version
        ? { ...previous, recomputeAt: resolved.recomputeAt }
        : { scope, generatedAt: now.toISOString(), ...resolved };
    this.scopes.set(scope, next);
    this.arm();
    if (previous && previous.version !== next.version) {
      for (const listener of this.listeners) {
        try {
          listener(scope, next.version);
        } catch (error) {
          console.error('manifest listener failed', error);
        }
      }
    }
    return next;
  }

  /** Arms one timer for the earliest validity boundary of any scope, so screens change on time without polling. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    let earliest: number | null = null;
    for (const manifest of this.scopes.values()) {
      if (manifest.recomputeAt !== null && (earliest === null || manifest.recomputeAt < earliest)) {
        earliest = manifest.recomputeAt;
      }
    }
    if (earliest === null) return;
    const delay = Math.min(Math.max(earliest - this.clock.now().getTime(), 0), MAX_TIMER_MS);
    this.timer = setTimeout(() => this.checkBoundaries(), delay + 5);
    this.timer.unref();
  }
}
