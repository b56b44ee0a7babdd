import type { Db } from '../db/database';
import type { DeviceRecord } from './device.schema';

interface DeviceRow {
  id: string;
  name: string;
  community_id: string | null;
  community_name: string | null;
  credential_hash: string;
  platform: string;
  app_version: string;
  created_at: string;
  last_seen_at: string | null;
  revoked_at: string | null;
  device_group: string | null;
  tags: string;
  building_id: string | null;
}

/** A device row with its credential hash (only the device service sees the hash). */
export interface DeviceWithHash extends DeviceRecord {
  credentialHash: string;
}

const toRecord = (row: DeviceRow): DeviceWithHash => ({
  id: row.id,
  name: row.name,
  communityId: row.community_id,
  communityName: row.community_name,
  credentialHash: row.credential_hash,
  platform: row.platform,
  appVersion: row.app_version,
  createdAt: row.created_at,
  lastSeenAt: row.last_seen_at,
  revokedAt: row.revoked_at,
  group: row.device_group,
  tags: parseTags(row.tags),
  buildingId: row.building_id,
});

/** Tags are stored as a JSON array of strings; anything else (a hand-edited row) reads as no tags. */
function parseTags(json: string): string[] {
  try {
    const value: unknown = JSON.parse(json);
    return Array.isArray(value) ? value.filter((tag): tag is string => typeof tag === 'string') : [];
  } catch {
    return [];
  }
}

const SELECT_DEVICES = `SELECT d.*, c.name AS community_name FROM devices d LEFT JOIN communities c ON c.id = d.community_id`;

/** A stored pairing code (by hash). */
export interface PairingCodeRow {
  code_hash: string;
  community_id: string | null;
  device_name: string | null;
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  device_id: string | null;
}

/** SQL for `devices` and `pairing_codes`. */
export class DeviceRepository {
  constructor(private readonly db: Db) {}

  list(): DeviceWithHash[] {
    return this.db
      .prepare<[], DeviceRow>(`${SELECT_DEVICES} ORDER BY d.revoked_at IS NOT NULL, d.created_at DESC`)
      .all()
      .map(toRecord);
  }

  listActive(): DeviceWithHash[] {
    return this.db.prepare<[], DeviceRow>(`${SELECT_DEVICES} WHERE d.revoked_at IS NULL`).all().map(toRecord);
  }

  get(id: string): DeviceWithHash | null {
    const row = this.db.prepare<[string], DeviceRow>(`${SELECT_DEVICES} WHERE d.id = ?`).get(id);
    return row ? toRecord(row) : null;
  }

  communityExists(id: string): boolean {
    return !!this.db.prepare('SELECT 1 FROM communities WHERE id = ?').get(id);
  }

  listCommunities(): { id: string; name: string }[] {
    return this.db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM communities ORDER BY name')
      .all();
  }

  insertPairingCode(row: Omit<PairingCodeRow, 'used_at' | 'device_id'>): void {
    this.db
      .prepare(
        `INSERT INTO pairing_codes (code_hash, community_id, device_name, created_by, created_at, expires_at)
         VALUES (@code_hash, @community_id, @device_name, @created_by, @created_at, @expires_at)`,
      )
      .run(row);
  }

  getPairingCode(codeHash: string): PairingCodeRow | null {
    return (
      this.db
        .prepare<[string], PairingCodeRow>('SELECT * FROM pairing_codes WHERE code_hash = ?')
        .get(codeHash) ?? null
    );
  }

  /** Marks an unused, unexpired code as used by the device; false when another request got there first. */
  consumePairingCode(codeHash: string, deviceId: string, now: string): boolean {
    const result = this.db
      .prepare(
        `UPDATE pairing_codes SET used_at = ?, device_id = ?
         WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?`,
      )
      .run(now, deviceId, codeHash, now);
    return result.changes === 1;
  }

  insertDevice(
    device: Omit<
      DeviceWithHash,
      'communityName' | 'lastSeenAt' | 'revokedAt' | 'group' | 'tags' | 'buildingId'
    >,
  ): void {
    this.db
      .prepare(
        `INSERT INTO devices (id, name, community_id, credential_hash, platform, app_version, created_at)
         VALUES (@id, @name, @communityId, @credentialHash, @platform, @appVersion, @createdAt)`,
      )
      .run(device);
  }

  updateLastSeen(id: string, at: string): void {
    this.db.prepare('UPDATE devices SET last_seen_at = ? WHERE id = ?').run(at, id);
  }

  /** Writes the administrator-editable fields of a device; false when it does not exist. */
  updateDetails(
    id: string,
    details: {
      name: string;
      communityId: string | null;
      group: string | null;
      tags: string[];
      buildingId: string | null;
    },
  ): boolean {
    return (
      this.db
        .prepare(
          'UPDATE devices SET name = ?, community_id = ?, device_group = ?, tags = ?, building_id = ? WHERE id = ?',
        )
        .run(
          details.name,
          details.communityId,
          details.group,
          JSON.stringify(details.tags),
          details.buildingId,
          id,
        ).changes === 1
    );
  }

  /** Whether the building exists and belongs to the community. */
  buildingInCommunity(buildingId: string, communityId: string): boolean {
    return !!this.db
      .prepare('SELECT 1 FROM buildings WHERE id = ? AND community_id = ?')
      .get(buildingId, communityId);
  }

  /** Buildings a device may be placed in, with their community. */
  listBuildings(): { id: string; communityId: string; name: string }[] {
    return this.db
      .prepare<[], { id: string; communityId: string; name: string }>(
        'SELECT id, community_id AS communityId, name FROM buildings ORDER BY community_id, code',
      )
      .all();
  }

  revoke(id: string, at: string): boolean {
    return (
      this.db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id)
        .changes === 1
    );
  }

  /** Runs `fn` in one transaction. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }
}
