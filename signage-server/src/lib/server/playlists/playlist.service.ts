import crypto from 'node:crypto';
import {
  isTargeted,
  TEMPLATE_ZONES,
  type DeviceTarget,
  type LayoutV1,
  type PlaylistEntryV1,
  type PlaylistV1,
} from '@linli/content';
import type { z } from 'zod';
import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { Actor } from '../devices/device.service';
import { err, ok } from '../result';
import type { PlaylistRepository, Stamp } from './playlist.repository';
import {
  LayoutCreateInput,
  LayoutSaveInput,
  PlaylistEntryInput,
  PlaylistNameInput,
  type LayoutRecord,
  type PlaylistRecord,
  type PlaylistResult,
  type PlaylistSummary,
} from './playlist.schema';

/** What entries may reference: content items and assets that exist. */
export interface PlaylistReferences {
  hasItem(itemId: string): boolean;
  hasAsset(sha256: string): boolean;
}

/** A device's resolved signage: its layout, the playlists its zones name, and the assets those entries show. */
export interface ResolvedSignage {
  layout: LayoutV1;
  playlists: PlaylistV1[];
  assetHashes: string[];
}

function invalid(error: z.ZodError): {
  ok: false;
  error: { kind: 'invalid'; message: string; params: { field: string } };
} {
  const issue = error.issues[0];
  return {
    ok: false,
    error: {
      kind: 'invalid',
      message: issue?.message ?? 'invalid',
      params: { field: String(issue?.path[0] ?? '_') },
    },
  };
}

/**
 * Playlists and layouts: edited in the CMS, audited, and resolved per device for the manifest. They publish
 * directly (editors and administrators): the items they show went through the content workflow already.
 * Every change tells listeners (the manifest service rebuilds the scopes).
 */
export class PlaylistService {
  private readonly listeners = new Set<() => void>();
  /** Layouts and their playlists as the manifest reads them, cached until the next change. */
  private cache: { layouts: LayoutRecord[]; playlists: Map<string, PlaylistRecord> } | null = null;

  constructor(
    private readonly repository: PlaylistRepository,
    private readonly references: PlaylistReferences,
    private readonly audit: Pick<AuditService, 'record'>,
    private readonly clock: Clock,
  ) {}

  /** Calls `listener` after every change of a playlist or layout. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  listPlaylists(): PlaylistSummary[] {
    return this.repository.listPlaylists();
  }

  getPlaylist(id: string): PlaylistRecord | null {
    return this.repository.getPlaylist(id);
  }

  /** Pictures of the media library an entry may show. */
  pictureChoices(): { sha256: string; name: string }[] {
    return this.repository.pictureChoices();
  }

  createPlaylist(input: unknown, actor: Actor): PlaylistResult<PlaylistRecord> {
    const parsed = PlaylistNameInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const id = `pl-${crypto.randomUUID()}`;
    this.repository.insertPlaylist(id, parsed.data.name, this.stamp(actor));
    this.changed(actor, 'playlist.create', id, { name: parsed.data.name });
    return ok(this.repository.getPlaylist(id)!);
  }

  renamePlaylist(id: string, input: unknown, actor: Actor): PlaylistResult<PlaylistRecord> {
    const parsed = PlaylistNameInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    return this.edit(id, actor, 'playlist.rename', (playlist) => ({
      name: parsed.data.name,
      entries: playlist.entries,
    }));
  }

  addEntry(id: string, input: unknown, actor: Actor): PlaylistResult<PlaylistRecord> {
    const entry = this.parseEntry(input);
    if (!entry.ok) return entry;
    return this.edit(id, actor, 'playlist.add-entry', (playlist) => {
      if (playlist.entries.length >= 200) return null;
      return { name: playlist.name, entries: [...playlist.entries, entry.value] };
    });
  }

  updateEntry(id: string, position: number, input: unknown, actor: Actor): PlaylistResult<PlaylistRecord> {
    const entry = this.parseEntry(input);
    if (!entry.ok) return entry;
    return this.edit(id, actor, 'playlist.update-entry', (playlist) => {
      if (!playlist.entries[position]) return null;
      const entries = [...playlist.entries];
      entries[position] = { ...entry.value, position };
      return { name: playlist.name, entries };
    });
  }

  /** Moves an entry one place up (-1) or down (+1). */
  moveEntry(id: string, position: number, direction: -1 | 1, actor: Actor): PlaylistResult<PlaylistRecord> {
    return this.edit(id, actor, 'playlist.move-entry', (playlist) => {
      const target = position + direction;
      if (!playlist.entries[position] || !playlist.entries[target]) return null;
      const entries = [...playlist.entries];
      [entries[position], entries[target]] = [entries[target]!, entries[position]!];
      return { name: playlist.name, entries };
    });
  }

  removeEntry(id: string, position: number, actor: Actor): PlaylistResult<PlaylistRecord> {
    return this.edit(id, actor, 'playlist.remove-entry', (playlist) => {
      if (!playlist.entries[position]) return null;
      return { name: playlist.name, entries: playlist.entries.filter((_, i) => i !== position) };
    });
  }

  deletePlaylist(id: string, actor: Actor): PlaylistResult<{ name: string }> {
    const playlist = this.repository.getPlaylist(id);
    if (!playlist) return err('not-found', `no playlist ${id}`);
    const using = this.repository.layoutsUsing(id);
    if (using > 0) return err('in-use', `used by ${using} layouts`, { count: using });
    this.repository.deletePlaylist(id);
    this.changed(actor, 'playlist.delete', id, { name: playlist.name });
    return ok({ name: playlist.name });
  }

  listLayouts(): LayoutRecord[] {
    return this.repository.listLayouts();
  }

  getLayout(id: string): LayoutRecord | null {
    return this.repository.getLayout(id);
  }

  createLayout(input: unknown, actor: Actor): PlaylistResult<LayoutRecord> {
    const parsed = LayoutCreateInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const id = `ly-${crypto.randomUUID()}`;
    this.repository.insertLayout(id, parsed.data.name, parsed.data.template, this.stamp(actor));
    this.changed(actor, 'layout.create', id, parsed.data);
    return ok(this.repository.getLayout(id)!);
  }

  /** Saves a layout's name, template, priority, targeting and zone playlists (zones the template lacks are dropped). */
  saveLayout(id: string, input: LayoutSaveInput, actor: Actor): PlaylistResult<LayoutRecord> {
    const layout = this.repository.getLayout(id);
    if (!layout) return err('not-found', `no layout ${id}`);
    const parsed = LayoutSaveInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const zones: LayoutRecord['zones'] = {};
    for (const zone of TEMPLATE_ZONES[parsed.data.template]) {
      const playlistId = parsed.data.zones[zone];
      if (!playlistId) continue;
      if (!this.repository.getPlaylist(playlistId))
        return err('invalid', `no playlist ${playlistId}`, { field: `zone-${zone}` });
      zones[zone] = playlistId;
    }
    const saved = { ...parsed.data, id, zones };
    this.repository.saveLayout(saved, this.stamp(actor));
    this.changed(actor, 'layout.update', id, {
      name: saved.name,
      template: saved.template,
      priority: saved.priority,
      target: saved.target,
      zones,
    });
    return ok(this.repository.getLayout(id)!);
  }

  deleteLayout(id: string, actor: Actor): PlaylistResult<{ name: string }> {
    const layout = this.repository.getLayout(id);
    if (!layout) return err('not-found', `no layout ${id}`);
    this.repository.deleteLayout(id);
    this.changed(actor, 'layout.delete', id, { name: layout.name });
    return ok({ name: layout.name });
  }

  /**
   * The signage of a device: the highest-priority layout targeted at it (the newest change wins a tie), with its
   * zones' playlists reduced to the entries the device may show — an item entry only when the item is among
   * `visibleItemIds` (its own schedule and targeting decide), an asset entry always. Null: no layout reaches it.
   */
  resolveFor(device: DeviceTarget, visibleItemIds: ReadonlySet<string>): ResolvedSignage | null {
    const { layouts, playlists } = this.loaded();
    const layout = layouts
      .filter((candidate) => isTargeted(candidate.target, device))
      .sort((a, b) =>
        a.priority === b.priority ? b.updatedAt.localeCompare(a.updatedAt) : b.priority - a.priority,
      )[0];
    if (!layout) return null;
    const resolved: PlaylistV1[] = [];
    const assetHashes = new Set<string>();
    const zones: LayoutV1['zones'] = {};
    for (const zone of TEMPLATE_ZONES[layout.template]) {
      const playlistId = layout.zones[zone];
      const playlist = playlistId ? playlists.get(playlistId) : undefined;
      if (!playlist) continue;
      zones[zone] = playlist.id;
      if (resolved.some((known) => known.id === playlist.id)) continue;
      const entries: PlaylistEntryV1[] = playlist.entries
        .filter((entry) => (entry.itemId !== null ? visibleItemIds.has(entry.itemId) : true))
        .map(({ itemId, assetSha256, durationSeconds, transition }) => ({
          itemId,
          assetSha256,
          durationSeconds,
          transition,
        }));
      for (const entry of entries) if (entry.assetSha256) assetHashes.add(entry.assetSha256);
      resolved.push({ id: playlist.id, name: playlist.name, entries });
    }
    return {
      layout: {
        id: layout.id,
        name: layout.name,
        template: layout.template,
        zones,
        timeZone: device.timeZone,
      },
      playlists: resolved,
      assetHashes: [...assetHashes].sort(),
    };
  }

  private loaded() {
    if (!this.cache) {
      const layouts = this.repository.listLayouts();
      const playlists = new Map<string, PlaylistRecord>();
      for (const layout of layouts) {
        for (const playlistId of Object.values(layout.zones)) {
          if (playlistId && !playlists.has(playlistId)) {
            const playlist = this.repository.getPlaylist(playlistId);
            if (playlist) playlists.set(playlistId, playlist);
          }
        }
      }
      this.cache = { layouts, playlists };
    }
    return this.cache;
  }

  private parseEntry(input: unknown): PlaylistResult<PlaylistEntryV1> {
    const parsed = PlaylistEntryInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const entry = parsed.data;
    if (entry.itemId !== null && !this.references.hasItem(entry.itemId))
      return err('invalid', `no content item ${entry.itemId}`, { field: 'source' });
    if (entry.assetSha256 !== null && !this.references.hasAsset(entry.assetSha256))
      return err('invalid', `no asset ${entry.assetSha256}`, { field: 'source' });
    return ok(entry);
  }

  /** Applies one change to a playlist's entries (null from `change`: the position does not exist). */
  private edit(
    id: string,
    actor: Actor,
    action: string,
    change: (playlist: PlaylistRecord) => { name: string; entries: PlaylistEntryV1[] } | null,
  ): PlaylistResult<PlaylistRecord> {
    const playlist = this.repository.getPlaylist(id);
    if (!playlist) return err('not-found', `no playlist ${id}`);
    const next = change(playlist);
    if (!next) return err('invalid', 'no such entry', { field: 'position' });
    this.repository.savePlaylist(id, next.name, next.entries, this.stamp(actor));
    this.changed(actor, action, id, { name: next.name, entries: next.entries.length });
    return ok(this.repository.getPlaylist(id)!);
  }

  private stamp(actor: Actor): Stamp {
    return { by: actor?.username ?? 'system', at: this.clock.now().toISOString() };
  }

  private changed(actor: Actor, action: string, target: string, detail: Record<string, unknown>): void {
    this.cache = null;
    this.audit.record({ actor, action, target, detail });
    for (const listener of this.listeners) {
      try {
        listener();
      } catch (error) {
        console.error('playlist listener failed', error);
      }
    }
  }
}
