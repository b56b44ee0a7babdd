import crypto from 'node:crypto';
import {
  parseKindPayload,
  payloadAssetRefs,
  DEFAULT_TIME_ZONE,
  resolveSchedule,
  type AssetMime,
  type AssetRef,
  type ContentItem,
  type DeviceTarget,
  type LayoutV1,
  type ManifestV1,
  type PlaylistV1,
  scheduleOf,
} from '@linli/content';
import type { Clock } from '../clock';
import type { ContentRecord } from '../content/content.schema';
import { bodyAssetRefs } from '../content/content.service';
import { signBytes, type ServerKeys } from '../keys';
import type { AuthenticatedDevice } from '../devices/device.schema';
import type { DevicePlacement, DevicePlacementSource } from './device-placement.repository';

/** Where the manifest reads content from: published rows, whatever their validity window. */
export interface PublishedContentSource {
  listPublished(): ContentRecord[];
}

/** Where the manifest reads asset metadata from. */
export interface AssetMetadataSource {
  getMany(hashes: readonly string[]): { sha256: string; size: number; mime: AssetMime }[];
}

/** Where the manifest reads a device's layout and playlists from (issue 4). */
export interface SignageSource {
  resolveFor(
    device: DeviceTarget,
    visibleItemIds: ReadonlySet<string>,
  ): { layout: LayoutV1; playlists: PlaylistV1[]; assetHashes: string[] } | null;
}

/** The resolved content of one scope, shared by every device in it. */
export interface ScopeManifest {
  scope: string;
  version: string;
  generatedAt: string;
  items: ContentItem[];
  assets: AssetRef[];
  /** The next instant (ms) at which a validity window or daypart changes what plays, or null when none will. */
  recomputeAt: number | null;
  /** The scope's community clock: the items' dayparts are in it, on the kiosk too. */
  timeZone: string;
  /** The scope's signage layout and its playlists, when a layout is targeted at it. */
  layout?: LayoutV1;
  playlists?: PlaylistV1[];
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
export function manifestVersion(
  items: readonly ContentItem[],
  assets: readonly AssetRef[],
  timeZone: string = DEFAULT_TIME_ZONE,
): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify({ items, assets, timeZone }))
    .digest('hex')
    .slice(0, 32);
}

/** The targeting key of a device with no community, building, group or tag: it sees untargeted content only. */
export const UNPLACED_SCOPE = 'all';

/**
 * The scope of a placement: devices with the same community, building, groups and tags see the same content, so
 * they share one resolved scope (and one resolution per content change, however many screens there are).
 */
export function scopeKey(placement: DevicePlacement): string {
  const groups = [...new Set(placement.groups)].sort();
  const tags = [...new Set(placement.tags)].sort();
  if (!placement.communityId && !placement.buildingId && groups.length === 0 && tags.length === 0)
    return UNPLACED_SCOPE;
  return JSON.stringify({ c: placement.communityId, b: placement.buildingId, g: groups, t: tags });
}

const UNPLACED: DevicePlacement = { communityId: null, buildingId: null, groups: [], tags: [] };

/** The placement a scope key stands for (the inverse of `scopeKey`). */
function placementOfScope(scope: string): DevicePlacement {
  if (scope === UNPLACED_SCOPE) return UNPLACED;
  try {
    const { c, b, g, t } = JSON.parse(scope) as {
      c: string | null;
      b: string | null;
      g: string[];
      t: string[];
    };
    return { communityId: c, buildingId: b, groups: g, tags: t };
  } catch {
    return UNPLACED; // not a key this service made
  }
}

/**
 * The content a device target sees at `now` and when that changes next (STYLE.md: compute the deadline with the
 * schedule). Targeting, validity windows and dayparts are all the pure `resolveSchedule`'s; this only turns its
 * playlist into manifest items and assets.
 */
export function resolveContent(
  published: readonly ContentRecord[],
  assetSource: AssetMetadataSource,
  now: Date,
  target: DeviceTarget = { ...UNPLACED, timeZone: DEFAULT_TIME_ZONE },
): Omit<ScopeManifest, 'scope' | 'generatedAt'> {
  // newest change first, so equal priorities keep the order screens showed before schedules existed
  const ordered = [...published].sort((a, b) =>
    a.updatedAt === b.updatedAt
      ? recordKey(a).localeCompare(recordKey(b))
      : b.updatedAt.localeCompare(a.updatedAt),
  );
  const { playlist: visible, nextChangeAt } = resolveSchedule(
    ordered.map((record) => ({ item: record, schedule: scheduleOf(record) })),
    target,
    now.getTime(),
  );

  // each record's files once: all of them, and those of its payload (without which it cannot play)
  const refs = new Map<ContentRecord, { all: string[]; payload: string[] }>();
  for (const record of visible) {
    const kinded = parseKindPayload(record.kind, record.payload);
    const payload = kinded.success ? payloadAssetRefs(kinded.data) : [];
    const all = [...record.images.map((image) => image.sha256), ...bodyAssetRefs(record.body), ...payload];
    refs.set(record, { all, payload });
  }
  const wanted = new Set([...refs.values()].flatMap((r) => r.all));
  const known = new Map(assetSource.getMany([...wanted]).map((a) => [a.sha256, a]));
  // The CMS refuses unknown files and will not delete one in use, so this guards against a file removed by hand:
  // an item whose video, PDF or map is gone cannot play, and left in it would make the whole manifest invalid for
  // every screen (ManifestV1 checks that a payload's files are listed). It is left out; the rest still goes.
  const playable = visible.filter((record) => refs.get(record)!.payload.every((sha) => known.has(sha)));
  const used = new Set(playable.flatMap((record) => refs.get(record)!.all));
  const assets: AssetRef[] = [...known.values()]
    .filter(({ sha256 }) => used.has(sha256))
    .map(({ sha256, size, mime }) => ({ sha256, size, mime }))
    .sort((a, b) => a.sha256.localeCompare(b.sha256));

  // highest priority first (the resolver's order)
  const items: ContentItem[] = playable.map((record) => ({
    id: record.id,
    category: record.category,
    locale: record.locale,
    title: record.title,
    summary: record.summary,
    body: record.body,
    // likewise a missing image is dropped from its item (the item still has its text)
    images: record.images.filter((image) => known.has(image.sha256)),
    kind: record.kind,
    payload: record.payload,
    validFrom: record.validFrom,
    validUntil: record.validUntil,
    priority: record.priority,
    dayparts: record.dayparts,
    version: record.version,
    updatedAt: record.updatedAt,
  }));
  return {
    version: manifestVersion(items, assets, target.timeZone),
    items,
    assets,
    recomputeAt: nextChangeAt,
    timeZone: target.timeZone,
  };
}

const recordKey = (item: ContentRecord) => `${item.id}\u0000${item.locale}`;

/**
 * Builds, signs and caches device manifests. A device's scope is the key of its placement (community, building,
 * groups, tags); content is resolved once per scope, in the community's time zone, and kept until published content
 * changes (`invalidate`), the device is moved (`retarget`) or the next schedule boundary passes; each device's
 * signed bytes are made once per scope version. A request costs two map look-ups unless one of those happened.
 */
export class ManifestService {
  private readonly scopes = new Map<string, ScopeManifest>();
  private readonly signed = new Map<string, SignedManifest>();
  private readonly listeners = new Set<(scope: string, version: string) => void>();
  /** deviceId → its scope key, read from the placement source on a device's first request. */
  private readonly deviceScopes = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private signage: SignageSource | null = null;

  constructor(
    private readonly content: PublishedContentSource,
    private readonly assets: AssetMetadataSource,
    private readonly keys: ServerKeys,
    private readonly clock: Clock,
    private readonly placements: DevicePlacementSource,
  ) {}

  /** Adds layouts and playlists to the manifests (wired after construction, so the services stay independent). */
  setSignageSource(source: SignageSource): void {
    this.signage = source;
  }

  /** The scope whose content a device sees. */
  scopeOf(device: Pick<AuthenticatedDevice, 'id'>): string {
    const known = this.deviceScopes.get(device.id);
    if (known !== undefined) return known;
    return this.place(device.id);
  }

  /** Reads a device's placement and records its scope. */
  private place(deviceId: string): string {
    const placement = this.placements.placementOf(deviceId) ?? UNPLACED;
    const scope = scopeKey(placement);
    this.deviceScopes.set(deviceId, scope);
    return scope;
  }

  /**
   * The device's community, building, group or tags changed: it moves to the scope of its new placement at once.
   * Returns that scope and its version, for the push that tells the device to fetch.
   */
  retarget(deviceId: string): { scope: string; version: string } {
    this.signed.delete(deviceId);
    this.deviceScopes.delete(deviceId);
    const scope = this.place(deviceId);
    return { scope, version: this.scope(scope).version };
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
      timeZone: scope.timeZone,
      items: scope.items,
      assets: scope.assets,
      ...(scope.layout ? { layout: scope.layout, playlists: scope.playlists ?? [] } : {}),
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

  /** Forgets a device's cached bytes and placement (revoked devices). */
  forget(deviceId: string): void {
    this.signed.delete(deviceId);
    this.deviceScopes.delete(deviceId);
  }

  /**
   * Published content changed: rebuild every scope some device is in now and tell listeners whose version moved.
   * Scopes no device is in any more (all moved away) are dropped instead of being resolved for nobody.
   */
  invalidate(): void {
    const inUse = new Set([UNPLACED_SCOPE, ...this.deviceScopes.values()]);
    for (const scope of [...this.scopes.keys()]) {
      if (!inUse.has(scope)) this.scopes.delete(scope);
    }
    for (const scope of inUse) this.rebuild(scope);
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
    const placement = placementOfScope(scope);
    const target = { ...placement, timeZone: this.placements.timeZoneOf(placement.communityId) };
    const resolved = this.withSignage(
      resolveContent(this.content.listPublished(), this.assets, now, target),
      target,
    );
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

  /**
   * Adds the scope's layout and playlists. Item entries follow the items' own schedules (resolveFor keeps only
   * visible ones), so the scope's recompute instant already covers them; asset entries add their files.
   */
  private withSignage(
    resolved: Omit<ScopeManifest, 'scope' | 'generatedAt'>,
    target: DeviceTarget,
  ): Omit<ScopeManifest, 'scope' | 'generatedAt'> {
    const signage = this.signage?.resolveFor(target, new Set(resolved.items.map((item) => item.id)));
    if (!signage) return resolved;
    const listed = new Set(resolved.assets.map((asset) => asset.sha256));
    const extra = this.assets
      .getMany(signage.assetHashes.filter((sha) => !listed.has(sha)))
      .map(({ sha256, size, mime }) => ({ sha256, size, mime }));
    const present = new Set([...listed, ...extra.map((asset) => asset.sha256)]);
    // an asset removed by hand drops its entries instead of making the manifest invalid for every screen
    const playlists = signage.playlists.map((playlist) => ({
      ...playlist,
      entries: playlist.entries.filter((entry) => !entry.assetSha256 || present.has(entry.assetSha256)),
    }));
    const assets = [...resolved.assets, ...extra].sort((a, b) => a.sha256.localeCompare(b.sha256));
    const version = crypto
      .createHash('sha256')
      .update(
        JSON.stringify({
          items: resolved.items,
          assets,
          timeZone: resolved.timeZone,
          layout: signage.layout,
          playlists,
        }),
      )
      .digest('hex')
      .slice(0, 32);
    return { ...resolved, assets, version, layout: signage.layout, playlists };
  }

  /** Arms one timer for the earliest schedule boundary of any scope, so screens change on time without polling. */
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
