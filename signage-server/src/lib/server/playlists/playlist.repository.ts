import { Targeting, type LayoutTemplate, type PlaylistEntryV1, type PlaylistZone } from '@linli/content';
import type { Db } from '../db/database';
import type { LayoutRecord, PlaylistEntryRecord, PlaylistRecord, PlaylistSummary } from './playlist.schema';

interface PlaylistRow {
  id: string;
  name: string;
  created_by: string;
  created_at: string;
  updated_by: string;
  updated_at: string;
}
interface EntryRow {
  playlist_id: string;
  position: number;
  item_id: string | null;
  asset_sha256: string | null;
  duration_seconds: number;
  transition: PlaylistEntryV1['transition'];
}
interface LayoutRow extends PlaylistRow {
  template: LayoutTemplate;
  priority: number;
  target: string;
}

const entryOf = (row: EntryRow): PlaylistEntryRecord => ({
  position: row.position,
  itemId: row.item_id,
  assetSha256: row.asset_sha256,
  durationSeconds: row.duration_seconds,
  transition: row.transition,
});

/** Who changed a row and when. */
export interface Stamp {
  by: string;
  at: string;
}

/** The SQL of playlists and layouts (the only place with it). */
export class PlaylistRepository {
  constructor(private readonly db: Db) {}

  listPlaylists(): PlaylistSummary[] {
    const rows = this.db
      .prepare(
        `SELECT p.id, p.name, p.updated_by, p.updated_at,
           (SELECT COUNT(*) FROM playlist_entries e WHERE e.playlist_id = p.id) AS entries,
           (SELECT COALESCE(SUM(duration_seconds), 0) FROM playlist_entries e WHERE e.playlist_id = p.id) AS total,
           (SELECT COUNT(DISTINCT layout_id) FROM layout_zones z WHERE z.playlist_id = p.id) AS used_by
         FROM playlists p ORDER BY p.name, p.id`,
      )
      .all() as (PlaylistRow & { entries: number; total: number; used_by: number })[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      entries: row.entries,
      totalSeconds: row.total,
      usedBy: row.used_by,
      updatedBy: row.updated_by,
      updatedAt: row.updated_at,
    }));
  }

  getPlaylist(id: string): PlaylistRecord | null {
    const row = this.db.prepare('SELECT * FROM playlists WHERE id = ?').get(id) as PlaylistRow | undefined;
    if (!row) return null;
    const entries = (
      this.db
        .prepare('SELECT * FROM playlist_entries WHERE playlist_id = ? ORDER BY position')
        .all(id) as EntryRow[]
    ).map(entryOf);
    return {
      id: row.id,
      name: row.name,
      entries,
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedBy: row.updated_by,
      updatedAt: row.updated_at,
    };
  }

  insertPlaylist(id: string, name: string, stamp: Stamp): void {
    this.db
      .prepare(
        `INSERT INTO playlists (id, name, created_by, created_at, updated_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(id, name, stamp.by, stamp.at, stamp.by, stamp.at);
  }

  /**
   * Replaces a playlist's name and entries in one transaction: every edit (add, move, remove) is a whole new
   * order, so positions stay 0…n-1 without gaps.
   */
  savePlaylist(id: string, name: string, entries: readonly PlaylistEntryV1[], stamp: Stamp): void {
    this.db
      .transaction(() => {
        this.db
          .prepare('UPDATE playlists SET name = ?, updated_by = ?, updated_at = ? WHERE id = ?')
          .run(name, stamp.by, stamp.at, id);
        this.db.prepare('DELETE FROM playlist_entries WHERE playlist_id = ?').run(id);
        const insert = this.db.prepare(
          `INSERT INTO playlist_entries (playlist_id, position, item_id, asset_sha256, duration_seconds, transition)
         VALUES (?, ?, ?, ?, ?, ?)`,
        );
        entries.forEach((entry, position) =>
          insert.run(id, position, entry.itemId, entry.assetSha256, entry.durationSeconds, entry.transition),
        );
      })
      .immediate();
  }

  deletePlaylist(id: string): boolean {
    return this.db.prepare('DELETE FROM playlists WHERE id = ?').run(id).changes > 0;
  }

  /** How many layouts name the playlist in a zone. */
  layoutsUsing(playlistId: string): number {
    return this.db
      .prepare('SELECT COUNT(DISTINCT layout_id) FROM layout_zones WHERE playlist_id = ?')
      .pluck()
      .get(playlistId) as number;
  }

  /** Pictures editors may put in a playlist, newest first. */
  pictureChoices(limit = 300): { sha256: string; name: string }[] {
    return this.db
      .prepare(
        `SELECT sha256, original_name AS name FROM assets WHERE mime LIKE 'image/%'
         ORDER BY created_at DESC, sha256 LIMIT ?`,
      )
      .all(limit) as { sha256: string; name: string }[];
  }

  listLayouts(): LayoutRecord[] {
    const rows = this.db
      .prepare('SELECT * FROM layouts ORDER BY priority DESC, name, id')
      .all() as LayoutRow[];
    const zones = this.db.prepare('SELECT layout_id, zone, playlist_id FROM layout_zones').all() as {
      layout_id: string;
      zone: PlaylistZone;
      playlist_id: string;
    }[];
    return rows.map((row) => this.layoutOf(row, zones));
  }

  getLayout(id: string): LayoutRecord | null {
    const row = this.db.prepare('SELECT * FROM layouts WHERE id = ?').get(id) as LayoutRow | undefined;
    if (!row) return null;
    const zones = this.db
      .prepare('SELECT layout_id, zone, playlist_id FROM layout_zones WHERE layout_id = ?')
      .all(id) as { layout_id: string; zone: PlaylistZone; playlist_id: string }[];
    return this.layoutOf(row, zones);
  }

  insertLayout(id: string, name: string, template: LayoutTemplate, stamp: Stamp): void {
    this.db
      .prepare(
        `INSERT INTO layouts (id, name, template, created_by, created_at, updated_by, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(id, name, template, stamp.by, stamp.at, stamp.by, stamp.at);
  }

  /** Replaces a layout's fields and zones in one transaction. */
  saveLayout(
    layout: Pick<LayoutRecord, 'id' | 'name' | 'template' | 'priority' | 'target' | 'zones'>,
    stamp: Stamp,
  ): void {
    this.db
      .transaction(() => {
        this.db
          .prepare(
            `UPDATE layouts SET name = ?, template = ?, priority = ?, target = ?, updated_by = ?, updated_at = ?
           WHERE id = ?`,
          )
          .run(
            layout.name,
            layout.template,
            layout.priority,
            JSON.stringify(layout.target),
            stamp.by,
            stamp.at,
            layout.id,
          );
        this.db.prepare('DELETE FROM layout_zones WHERE layout_id = ?').run(layout.id);
        const insert = this.db.prepare(
          'INSERT INTO layout_zones (layout_id, zone, playlist_id) VALUES (?, ?, ?)',
        );
        for (const [zone, playlistId] of Object.entries(layout.zones)) {
          if (playlistId) insert.run(layout.id, zone, playlistId);
        }
      })
      .immediate();
  }

  deleteLayout(id: string): boolean {
    return this.db.prepare('DELETE FROM layouts WHERE id = ?').run(id).changes > 0;
  }

  private layoutOf(
    row: LayoutRow,
    zones: readonly { layout_id: string; zone: PlaylistZone; playlist_id: string }[],
  ): LayoutRecord {
    return {
      id: row.id,
      name: row.name,
      template: row.template,
      priority: row.priority,
      target: Targeting.parse(JSON.parse(row.target)),
      zones: Object.fromEntries(
        zones.filter((zone) => zone.layout_id === row.id).map((zone) => [zone.zone, zone.playlist_id]),
      ),
      createdBy: row.created_by,
      createdAt: row.created_at,
      updatedBy: row.updated_by,
      updatedAt: row.updated_at,
    };
  }
}
