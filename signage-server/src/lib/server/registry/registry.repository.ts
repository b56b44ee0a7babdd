import type { Db } from '../db/database';
import type {
  Building,
  BuildingSummary,
  Community,
  CommunitySummary,
  ResidentRole,
  Unit,
  UnitSummary,
  UnitType,
} from './registry.schema';

/** A resident row as stored: the phone encrypted, plus its keyed hash for lookups. */
export interface ResidentRecord {
  id: string;
  unitId: string;
  name: string;
  phoneEnc: string | null;
  phoneHash: string | null;
  role: ResidentRole;
  createdAt: string;
  updatedAt: string;
}

interface CommunityRow {
  id: string;
  name: string;
  name_en: string;
  address: string;
  time_zone: string;
  created_at: string;
}
interface BuildingRow {
  id: string;
  community_id: string;
  code: string;
  name: string;
  floors: number;
}
interface UnitRow {
  id: string;
  building_id: string;
  number: string;
  floor: number;
  area_m2: number;
  type: UnitType;
}
interface ResidentRow {
  id: string;
  unit_id: string;
  name: string;
  phone_enc: string | null;
  phone_hash: string | null;
  role: ResidentRole;
  created_at: string;
  updated_at: string;
}

const community = (r: CommunityRow): Community => ({
  id: r.id,
  name: r.name,
  nameEn: r.name_en,
  address: r.address,
  timeZone: r.time_zone,
  createdAt: r.created_at,
});
const building = (r: BuildingRow): Building => ({
  id: r.id,
  communityId: r.community_id,
  code: r.code,
  name: r.name,
  floors: r.floors,
});
const unit = (r: UnitRow): Unit => ({
  id: r.id,
  buildingId: r.building_id,
  number: r.number,
  floor: r.floor,
  areaM2: r.area_m2,
  type: r.type,
});
const resident = (r: ResidentRow): ResidentRecord => ({
  id: r.id,
  unitId: r.unit_id,
  name: r.name,
  phoneEnc: r.phone_enc,
  phoneHash: r.phone_hash,
  role: r.role,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

/** SQL of the property registry: communities → buildings → units → residents. */
export class RegistryRepository {
  constructor(private readonly db: Db) {}

  // communities

  countCommunities(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM communities').get() as { n: number }).n;
  }

  /** Every community's id and name, in the order of `listCommunities`, without its counts (pickers, hot paths). */
  listCommunityNames(): { id: string; name: string }[] {
    return this.db
      .prepare<[], { id: string; name: string }>('SELECT id, name FROM communities ORDER BY created_at, name')
      .all();
  }

  listCommunities(): CommunitySummary[] {
    const rows = this.db
      .prepare(
        `SELECT c.*,
           (SELECT count(*) FROM buildings b WHERE b.community_id = c.id) AS buildings,
           (SELECT count(*) FROM units u JOIN buildings b ON b.id = u.building_id WHERE b.community_id = c.id) AS units,
           (SELECT count(*) FROM residents r JOIN units u ON u.id = r.unit_id JOIN buildings b ON b.id = u.building_id
             WHERE b.community_id = c.id) AS residents
         FROM communities c ORDER BY c.created_at, c.name`,
      )
      .all() as (CommunityRow & { buildings: number; units: number; residents: number })[];
    return rows.map((r) => ({
      ...community(r),
      buildings: r.buildings,
      units: r.units,
      residents: r.residents,
    }));
  }

  getCommunity(id: string): Community | null {
    const row = this.db.prepare('SELECT * FROM communities WHERE id = ?').get(id) as CommunityRow | undefined;
    return row ? community(row) : null;
  }

  insertCommunity(c: Community): void {
    this.db
      .prepare(
        `INSERT INTO communities (id, name, name_en, address, time_zone, created_at)
         VALUES (@id, @name, @nameEn, @address, @timeZone, @createdAt)`,
      )
      .run(c);
  }

  updateCommunity(id: string, fields: Pick<Community, 'name' | 'nameEn' | 'address'>): void {
    this.db
      .prepare('UPDATE communities SET name = @name, name_en = @nameEn, address = @address WHERE id = @id')
      .run({ ...fields, id });
  }

  deleteCommunity(id: string): void {
    this.db.prepare('DELETE FROM communities WHERE id = ?').run(id);
  }

  // buildings

  listBuildings(communityId: string): BuildingSummary[] {
    const rows = this.db
      .prepare(
        `SELECT b.*,
           (SELECT count(*) FROM units u WHERE u.building_id = b.id) AS units,
           (SELECT count(*) FROM residents r JOIN units u ON u.id = r.unit_id WHERE u.building_id = b.id) AS residents
         FROM buildings b WHERE b.community_id = ?
         ORDER BY length(b.code), b.code`,
      )
      .all(communityId) as (BuildingRow & { units: number; residents: number })[];
    return rows.map((r) => ({ ...building(r), units: r.units, residents: r.residents }));
  }

  getBuilding(id: string): Building | null {
    const row = this.db.prepare('SELECT * FROM buildings WHERE id = ?').get(id) as BuildingRow | undefined;
    return row ? building(row) : null;
  }

  findBuildingByCode(communityId: string, code: string): Building | null {
    const row = this.db
      .prepare('SELECT * FROM buildings WHERE community_id = ? AND code = ?')
      .get(communityId, code) as BuildingRow | undefined;
    return row ? building(row) : null;
  }

  insertBuilding(b: Building): void {
    this.db
      .prepare(
        'INSERT INTO buildings (id, community_id, code, name, floors) VALUES (@id, @communityId, @code, @name, @floors)',
      )
      .run(b);
  }

  updateBuilding(id: string, fields: Pick<Building, 'code' | 'name' | 'floors'>): void {
    this.db
      .prepare('UPDATE buildings SET code = @code, name = @name, floors = @floors WHERE id = @id')
      .run({ ...fields, id });
  }

  deleteBuilding(id: string): void {
    this.db.prepare('DELETE FROM buildings WHERE id = ?').run(id);
  }

  /** Highest and lowest floor any unit of the building is on (to refuse shrinking a building below its units). */
  unitFloorRange(buildingId: string): { min: number | null; max: number | null } {
    return this.db
      .prepare('SELECT min(floor) AS min, max(floor) AS max FROM units WHERE building_id = ?')
      .get(buildingId) as { min: number | null; max: number | null };
  }

  // units

  listUnits(buildingId: string): UnitSummary[] {
    const rows = this.db
      .prepare(
        `SELECT u.*, (SELECT count(*) FROM residents r WHERE r.unit_id = u.id) AS residents
         FROM units u WHERE u.building_id = ? ORDER BY u.floor, u.number`,
      )
      .all(buildingId) as (UnitRow & { residents: number })[];
    return rows.map((r) => ({ ...unit(r), residents: r.residents }));
  }

  /** Every unit of a community keyed by "<building code>/<unit number>" (CSV import checks against it). */
  unitsOfCommunity(communityId: string): Map<string, Unit & { buildingCode: string }> {
    const rows = this.db
      .prepare(
        `SELECT u.*, b.code AS building_code FROM units u JOIN buildings b ON b.id = u.building_id
         WHERE b.community_id = ?`,
      )
      .all(communityId) as (UnitRow & { building_code: string })[];
    return new Map(
      rows.map((r) => [`${r.building_code}/${r.number}`, { ...unit(r), buildingCode: r.building_code }]),
    );
  }

  /** Names of residents per unit id, for duplicate checks. */
  residentNamesOfCommunity(communityId: string): Map<string, Set<string>> {
    const rows = this.db
      .prepare(
        `SELECT r.unit_id, r.name FROM residents r JOIN units u ON u.id = r.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE b.community_id = ?`,
      )
      .all(communityId) as { unit_id: string; name: string }[];
    const out = new Map<string, Set<string>>();
    for (const row of rows) {
      const names = out.get(row.unit_id) ?? new Set<string>();
      names.add(row.name);
      out.set(row.unit_id, names);
    }
    return out;
  }

  getUnit(id: string): Unit | null {
    const row = this.db.prepare('SELECT * FROM units WHERE id = ?').get(id) as UnitRow | undefined;
    return row ? unit(row) : null;
  }

  findUnitByNumber(buildingId: string, number: string): Unit | null {
    const row = this.db
      .prepare('SELECT * FROM units WHERE building_id = ? AND number = ?')
      .get(buildingId, number) as UnitRow | undefined;
    return row ? unit(row) : null;
  }

  insertUnit(u: Unit): void {
    this.db
      .prepare(
        `INSERT INTO units (id, building_id, number, floor, area_m2, type)
         VALUES (@id, @buildingId, @number, @floor, @areaM2, @type)`,
      )
      .run(u);
  }

  updateUnit(id: string, fields: Pick<Unit, 'number' | 'floor' | 'areaM2' | 'type'>): void {
    this.db
      .prepare(
        'UPDATE units SET number = @number, floor = @floor, area_m2 = @areaM2, type = @type WHERE id = @id',
      )
      .run({ ...fields, id });
  }

  deleteUnit(id: string): void {
    this.db.prepare('DELETE FROM units WHERE id = ?').run(id);
  }

  // residents

  listResidents(unitId: string): ResidentRecord[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM residents WHERE unit_id = ?
         ORDER BY CASE role WHEN 'owner' THEN 0 WHEN 'tenant' THEN 1 ELSE 2 END, created_at, name`,
      )
      .all(unitId) as ResidentRow[];
    return rows.map(resident);
  }

  getResident(id: string): ResidentRecord | null {
    const row = this.db.prepare('SELECT * FROM residents WHERE id = ?').get(id) as ResidentRow | undefined;
    return row ? resident(row) : null;
  }

  findResidentsByPhoneHash(phoneHash: string): ResidentRecord[] {
    return (
      this.db.prepare('SELECT * FROM residents WHERE phone_hash = ?').all(phoneHash) as ResidentRow[]
    ).map(resident);
  }

  insertResident(r: ResidentRecord): void {
    this.db
      .prepare(
        `INSERT INTO residents (id, unit_id, name, phone_enc, phone_hash, role, created_at, updated_at)
         VALUES (@id, @unitId, @name, @phoneEnc, @phoneHash, @role, @createdAt, @updatedAt)`,
      )
      .run(r);
  }

  updateResident(
    r: Pick<ResidentRecord, 'id' | 'name' | 'phoneEnc' | 'phoneHash' | 'role' | 'updatedAt'>,
  ): void {
    this.db
      .prepare(
        `UPDATE residents SET name = @name, phone_enc = @phoneEnc, phone_hash = @phoneHash, role = @role,
           updated_at = @updatedAt WHERE id = @id`,
      )
      .run(r);
  }

  deleteResident(id: string): void {
    this.db.prepare('DELETE FROM residents WHERE id = ?').run(id);
  }

  /** Units matching a search inside one community: unit number prefix or resident name substring. */
  searchUnits(
    communityId: string,
    text: string,
    limit: number,
  ): (Unit & { buildingCode: string; buildingName: string })[] {
    const like = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.db
      .prepare(
        `SELECT DISTINCT u.*, b.code AS building_code, b.name AS building_name
         FROM units u JOIN buildings b ON b.id = u.building_id
         LEFT JOIN residents r ON r.unit_id = u.id
         WHERE b.community_id = ? AND (u.number LIKE ? ESCAPE '\\' OR r.name LIKE ? ESCAPE '\\')
         ORDER BY length(b.code), b.code, u.floor, u.number LIMIT ?`,
      )
      .all(communityId, like, like, limit) as (UnitRow & { building_code: string; building_name: string })[];
    return rows.map((r) => ({ ...unit(r), buildingCode: r.building_code, buildingName: r.building_name }));
  }

  /** Units of residents with this phone hash inside a community. */
  unitsByPhoneHash(
    communityId: string,
    phoneHash: string,
  ): (Unit & { buildingCode: string; buildingName: string })[] {
    const rows = this.db
      .prepare(
        `SELECT DISTINCT u.*, b.code AS building_code, b.name AS building_name
         FROM residents r JOIN units u ON u.id = r.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE b.community_id = ? AND r.phone_hash = ?`,
      )
      .all(communityId, phoneHash) as (UnitRow & { building_code: string; building_name: string })[];
    return rows.map((r) => ({ ...unit(r), buildingCode: r.building_code, buildingName: r.building_name }));
  }
}
