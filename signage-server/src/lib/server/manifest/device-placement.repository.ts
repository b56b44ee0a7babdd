import { DEFAULT_TIME_ZONE } from '@linli/content';
import type { Db } from '../db/database';

/** Where a device stands for content targeting: its community, building, group and tags. */
export interface DevicePlacement {
  communityId: string | null;
  buildingId: string | null;
  groups: string[];
  tags: string[];
}

/** What the manifest reads about devices and communities; a device's placement is read once and then cached. */
export interface DevicePlacementSource {
  /** The placement of a device, or null when it does not exist. */
  placementOf(deviceId: string): DevicePlacement | null;
  /** The IANA time zone dayparts are read in: the community's, or Linli's default. */
  timeZoneOf(communityId: string | null): string;
}

interface PlacementRow {
  community_id: string | null;
  building_id: string | null;
  device_group: string | null;
  tags: string;
}

function parseTags(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === 'string') : [];
  } catch {
    return []; // a hand-edited row: no tags rather than no manifest
  }
}

/** SQL for device placements (the devices table belongs to the device service; this only reads it). */
export class DevicePlacementRepository implements DevicePlacementSource {
  private readonly selectPlacement;
  private readonly selectTimeZone;

  constructor(db: Db) {
    this.selectPlacement = db.prepare<[string], PlacementRow>(
      'SELECT community_id, building_id, device_group, tags FROM devices WHERE id = ?',
    );
    this.selectTimeZone = db.prepare<[string], { time_zone: string }>(
      'SELECT time_zone FROM communities WHERE id = ?',
    );
  }

  placementOf(deviceId: string): DevicePlacement | null {
    const row = this.selectPlacement.get(deviceId);
    if (!row) return null;
    return {
      communityId: row.community_id,
      buildingId: row.building_id,
      groups: row.device_group ? [row.device_group] : [],
      tags: parseTags(row.tags),
    };
  }

  timeZoneOf(communityId: string | null): string {
    return (communityId && this.selectTimeZone.get(communityId)?.time_zone) || DEFAULT_TIME_ZONE;
  }
}
