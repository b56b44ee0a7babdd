import {
  DEFAULT_LOCALE,
  renderMarkdown,
  resolveSchedule,
  scheduleOf,
  type ContentItem,
  type ManifestV1,
} from '@linli/content';
import type { ContentSnapshot, KioskItem, KioskItemText } from '../shared/kiosk-api';
import type { Clock } from './clock';
import type { SyncService } from './sync.service';

/** The snapshot for one instant, and the next instant at which it changes by itself (a schedule boundary). */
export interface ScheduledSnapshot {
  snapshot: ContentSnapshot;
  nextChangeAt: Date | null;
}

/** Every item is targeted at this device already (the server resolved that); only time is left to the kiosk. */
const THIS_DEVICE = { communityId: null, buildingId: null, groups: [], tags: [] } as const;

/**
 * What the renderer shows at `now`: items grouped by id with their translations, only those playing now by their
 * validity window and dayparts in the community's time zone (the same pure `resolveSchedule` the server uses, so
 * an item leaves the screen on time while the kiosk is offline too), the editor's higher priority first and the
 * newest first among equals, Markdown rendered once here (the renderer sanitises it again before use).
 */
export function buildSnapshot(
  manifest: ManifestV1 | null,
  now: Date,
  assetUrlTemplate: string,
  render: (markdown: string) => string = renderMarkdown,
): ScheduledSnapshot {
  if (!manifest)
    return { snapshot: { manifestVersion: null, items: [], assetUrlTemplate }, nextChangeAt: null };
  const { playlist, nextChangeAt } = resolveSchedule(
    manifest.items.map((item) => ({ item, schedule: scheduleOf(item) })),
    { ...THIS_DEVICE, timeZone: manifest.timeZone },
    now.getTime(),
  );
  const byId = new Map<string, ContentItem[]>();
  for (const item of playlist) byId.set(item.id, [...(byId.get(item.id) ?? []), item]);
  const items: KioskItem[] = [];
  const priority = new Map<string, number>();
  for (const [id, versions] of byId) {
    const primary = versions.find((v) => v.locale === DEFAULT_LOCALE) ?? versions[0]!;
    priority.set(id, primary.priority);
    const translations: KioskItem['translations'] = {};
    for (const version of versions) translations[version.locale] = textOf(version, render);
    items.push({
      id,
      category: primary.category,
      date: primary.validFrom ?? primary.updatedAt,
      updatedAt: primary.updatedAt,
      translations,
    });
  }
  // the editor's priority first (an urgent notice stays on top), then the newest
  items.sort(
    (a, b) =>
      priority.get(b.id)! - priority.get(a.id)! ||
      (a.date === b.date ? a.id.localeCompare(b.id) : a.date < b.date ? 1 : -1),
  );
  return {
    snapshot: { manifestVersion: manifest.version, items, assetUrlTemplate },
    nextChangeAt: nextChangeAt === null ? null : new Date(nextChangeAt),
  };
}

function textOf(item: ContentItem, render: (markdown: string) => string): KioskItemText {
  return {
    title: item.title,
    summary: item.summary,
    bodyHtml: render(item.body),
    images: item.images.map((image) => ({ sha256: image.sha256, alt: image.alt })),
    kind: item.kind,
    payload: item.payload,
  };
}

// setTimeout cannot wait longer than 2^31-1 ms; a later boundary is reached by waking up and rescheduling.
const MAX_TIMER_MS = 2_147_000_000;

/** Keeps the current snapshot and tells listeners when it changes: a new manifest, or a schedule boundary. */
export class ContentService {
  private scheduled: ScheduledSnapshot;
  private timer: unknown = null;
  private readonly listeners = new Set<(snapshot: ContentSnapshot) => void>();
  private stopSync: (() => void) | null = null;
  /**
   * Rendered bodies of the current manifest. Rendering Markdown is most of what building a snapshot costs (it was
   * the largest part of the host's start); the snapshot is rebuilt at start, at every schedule boundary and on a
   * new manifest, but a body changes only with the manifest.
   */
  private rendered: { manifestVersion: string | null; html: Map<string, string> } = {
    manifestVersion: null,
    html: new Map(),
  };

  constructor(
    private readonly sync: SyncService,
    private readonly clock: Clock,
    private readonly assetUrlTemplate: string,
  ) {
    this.scheduled = this.build();
  }

  start(): void {
    this.stopSync = this.sync.onManifestChanged(() => this.refresh());
    this.refresh();
  }

  stop(): void {
    this.stopSync?.();
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  getSnapshot(): ContentSnapshot {
    return this.scheduled.snapshot;
  }

  onChanged(listener: (snapshot: ContentSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private build(): ScheduledSnapshot {
    const manifest = this.sync.currentManifest()?.manifest ?? null;
    const version = manifest?.version ?? null;
    if (this.rendered.manifestVersion !== version)
      this.rendered = { manifestVersion: version, html: new Map() };
    const { html } = this.rendered;
    const render = (markdown: string) => {
      let done = html.get(markdown);
      if (done === undefined) html.set(markdown, (done = renderMarkdown(markdown)));
      return done;
    };
    return buildSnapshot(manifest, this.clock.now(), this.assetUrlTemplate, render);
  }

  private refresh(): void {
    const previous = this.scheduled.snapshot;
    this.scheduled = this.build();
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
    const next = this.scheduled.nextChangeAt;
    if (next) {
      const delay = Math.min(Math.max(next.getTime() - this.clock.now().getTime(), 0) + 50, MAX_TIMER_MS);
      this.timer = this.clock.setTimeout(() => this.refresh(), delay);
    }
    if (JSON.stringify(previous) !== JSON.stringify(this.scheduled.snapshot)) {
      for (const listener of this.listeners) listener(this.scheduled.snapshot);
    }
  }
}
