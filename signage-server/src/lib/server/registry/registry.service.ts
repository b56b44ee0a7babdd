import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service';
import type { SessionUser } from '../auth/roles';
import type { Clock } from '../clock';
import { decryptPersonal, encryptPersonal, keyedHash, maskPhone } from '../crypto/personal-data';
import type { Db } from '../db/database';
import type { ServerKeys } from '../keys';
import { err, ok, type Result } from '../result';
import { fieldErrors, type FieldError } from '../validation';
import { RegistryRepository, type ResidentRecord } from './registry.repository';
import {
  BuildingInput,
  CommunityInput,
  ResidentInput,
  ResidentUpdateInput,
  UnitInput,
  normalizePhone,
  type Building,
  type BuildingSummary,
  type Community,
  type CommunitySummary,
  type Resident,
  type Unit,
  type UnitSummary,
} from './registry.schema';

export type RegistryFailureKind = 'invalid' | 'not-found' | 'duplicate' | 'not-empty' | 'in-use';

/** A registry result; `fields` names the form fields at fault. */
export type RegistryResult<T> = Result<T, RegistryFailureKind> & { fields?: Record<string, FieldError> };

/** Encryption context of resident phones (bound as AES-GCM associated data). */
export const RESIDENT_PHONE_CONTEXT = 'resident.phone';
/** Keyed-hash context of phone numbers: shared by every table that looks people up by phone. */
export const PHONE_HASH_CONTEXT = 'phone';

type Actor = SessionUser | string;

export interface RegistryServiceOptions {
  db: Db;
  clock: Clock;
  keys: Pick<ServerKeys, 'dataKey' | 'hashKey'>;
  audit: AuditService;
}

function invalid(error: { issues: unknown[] } & Parameters<typeof fieldErrors>[0]): RegistryResult<never> {
  return { ...err('invalid', 'invalid input'), fields: fieldErrors(error) };
}

function isConstraint(error: unknown, code: string): boolean {
  return (error as { code?: string }).code === code;
}

/**
 * The property registry (seed §6.1.1): communities → buildings → units → residents. Visitors, payments and
 * content targeting all hang on it. Phones are encrypted at rest and leave this service masked only.
 */
export class RegistryService {
  readonly repository: RegistryRepository;

  constructor(private readonly options: RegistryServiceOptions) {
    this.repository = new RegistryRepository(options.db);
  }

  private now(): string {
    return this.options.clock.now().toISOString();
  }

  private audit(actor: Actor, action: string, target: string, detail: Record<string, unknown> = {}): void {
    this.options.audit.record({ actor, action, target, detail });
  }

  /** Encrypts and hashes a normalised phone for storage. */
  sealPhone(phone: string | null): { phoneEnc: string | null; phoneHash: string | null } {
    if (!phone) return { phoneEnc: null, phoneHash: null };
    return {
      phoneEnc: encryptPersonal(this.options.keys.dataKey, phone, RESIDENT_PHONE_CONTEXT),
      phoneHash: this.phoneHash(phone),
    };
  }

  /** Keyed hash of a phone number (normalised first), for lookups. */
  phoneHash(phone: string): string {
    return keyedHash(this.options.keys.hashKey, normalizePhone(phone) ?? phone, PHONE_HASH_CONTEXT);
  }

  private toResident(record: ResidentRecord): Resident {
    let phoneMasked: string | null = null;
    if (record.phoneEnc) {
      const plain = decryptPersonal(this.options.keys.dataKey, record.phoneEnc, RESIDENT_PHONE_CONTEXT);
      // a value that no longer decrypts (key lost or row tampered) shows as fully masked rather than failing the page
      phoneMasked = plain.ok ? maskPhone(plain.value) : '***********';
    }
    const { phoneEnc: _enc, phoneHash: _hash, ...rest } = record;
    return { ...rest, phoneMasked };
  }

  // communities

  /** Every community's id and name, without counts (pickers, the station's community on every request). */
  listCommunityNames(): { id: string; name: string }[] {
    return this.repository.listCommunityNames();
  }

  listCommunities(): CommunitySummary[] {
    return this.repository.listCommunities();
  }

  getCommunity(id: string): Community | null {
    return this.repository.getCommunity(id);
  }

  createCommunity(input: unknown, actor: Actor, id: string = crypto.randomUUID()): RegistryResult<Community> {
    const parsed = CommunityInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const community: Community = { id, ...parsed.data, timeZone: 'Asia/Shanghai', createdAt: this.now() };
    this.options.db
      .transaction(() => {
        this.repository.insertCommunity(community);
        this.audit(actor, 'registry.community.create', `community:${id}`, { name: community.name });
      })
      .immediate();
    return ok(community);
  }

  updateCommunity(id: string, input: unknown, actor: Actor): RegistryResult<Community> {
    const parsed = CommunityInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    if (!this.repository.getCommunity(id)) return err('not-found', 'no such community');
    this.options.db
      .transaction(() => {
        this.repository.updateCommunity(id, parsed.data);
        this.audit(actor, 'registry.community.update', `community:${id}`, { name: parsed.data.name });
      })
      .immediate();
    return ok(this.repository.getCommunity(id)!);
  }

  deleteCommunity(id: string, actor: Actor): RegistryResult<void> {
    const community = this.repository.getCommunity(id);
    if (!community) return err('not-found', 'no such community');
    if (this.repository.listBuildings(id).length > 0)
      return err('not-empty', 'community still has buildings');
    try {
      this.options.db
        .transaction(() => {
          this.repository.deleteCommunity(id);
          this.audit(actor, 'registry.community.delete', `community:${id}`, { name: community.name });
        })
        .immediate();
    } catch (error) {
      // devices and pairing codes reference communities
      if (isConstraint(error, 'SQLITE_CONSTRAINT_FOREIGNKEY'))
        return err('in-use', 'community is referenced');
      throw error;
    }
    return ok(undefined);
  }

  // buildings

  listBuildings(communityId: string): BuildingSummary[] {
    return this.repository.listBuildings(communityId);
  }

  getBuilding(id: string): Building | null {
    return this.repository.getBuilding(id);
  }

  createBuilding(
    communityId: string,
    input: unknown,
    actor: Actor,
    id: string = crypto.randomUUID(),
  ): RegistryResult<Building> {
    const parsed = BuildingInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    if (!this.repository.getCommunity(communityId)) return err('not-found', 'no such community');
    if (this.repository.findBuildingByCode(communityId, parsed.data.code)) {
      return {
        ...err('duplicate', 'building code exists'),
        fields: { code: { key: 'registry.error.buildingCodeTaken' } },
      };
    }
    const building: Building = { id, communityId, ...parsed.data };
    this.options.db
      .transaction(() => {
        this.repository.insertBuilding(building);
        this.audit(actor, 'registry.building.create', `building:${id}`, { code: building.code, communityId });
      })
      .immediate();
    return ok(building);
  }

  updateBuilding(id: string, input: unknown, actor: Actor): RegistryResult<Building> {
    const parsed = BuildingInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const current = this.repository.getBuilding(id);
    if (!current) return err('not-found', 'no such building');
    const other = this.repository.findBuildingByCode(current.communityId, parsed.data.code);
    if (other && other.id !== id) {
      return {
        ...err('duplicate', 'building code exists'),
        fields: { code: { key: 'registry.error.buildingCodeTaken' } },
      };
    }
    const { max } = this.repository.unitFloorRange(id);
    if (max !== null && max > parsed.data.floors) {
      return {
        ...err('invalid', 'units above the new floor count'),
        fields: { floors: { key: 'registry.error.floorsBelowUnits', params: { floor: max } } },
      };
    }
    this.options.db
      .transaction(() => {
        this.repository.updateBuilding(id, parsed.data);
        this.audit(actor, 'registry.building.update', `building:${id}`, { code: parsed.data.code });
      })
      .immediate();
    return ok(this.repository.getBuilding(id)!);
  }

  deleteBuilding(id: string, actor: Actor): RegistryResult<void> {
    const building = this.repository.getBuilding(id);
    if (!building) return err('not-found', 'no such building');
    if (this.repository.listUnits(id).length > 0) return err('not-empty', 'building still has units');
    this.options.db
      .transaction(() => {
        this.repository.deleteBuilding(id);
        this.audit(actor, 'registry.building.delete', `building:${id}`, { code: building.code });
      })
      .immediate();
    return ok(undefined);
  }

  // units

  listUnits(buildingId: string): UnitSummary[] {
    return this.repository.listUnits(buildingId);
  }

  getUnit(id: string): Unit | null {
    return this.repository.getUnit(id);
  }

  private checkUnit(
    building: Building,
    unit: { number: string; floor: number },
    exceptId?: string,
  ): RegistryResult<void> {
    const other = this.repository.findUnitByNumber(building.id, unit.number);
    if (other && other.id !== exceptId) {
      return {
        ...err('duplicate', 'unit number exists'),
        fields: { number: { key: 'registry.error.unitNumberTaken' } },
      };
    }
    if (unit.floor > building.floors) {
      return {
        ...err('invalid', 'floor above building'),
        fields: { floor: { key: 'registry.error.floorAboveBuilding', params: { floors: building.floors } } },
      };
    }
    return ok(undefined);
  }

  createUnit(
    buildingId: string,
    input: unknown,
    actor: Actor,
    id: string = crypto.randomUUID(),
  ): RegistryResult<Unit> {
    const parsed = UnitInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const building = this.repository.getBuilding(buildingId);
    if (!building) return err('not-found', 'no such building');
    const check = this.checkUnit(building, parsed.data);
    if (!check.ok) return check;
    const unit: Unit = { id, buildingId, ...parsed.data };
    this.options.db
      .transaction(() => {
        this.repository.insertUnit(unit);
        this.audit(actor, 'registry.unit.create', `unit:${id}`, {
          building: building.code,
          number: unit.number,
        });
      })
      .immediate();
    return ok(unit);
  }

  updateUnit(id: string, input: unknown, actor: Actor): RegistryResult<Unit> {
    const parsed = UnitInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const current = this.repository.getUnit(id);
    if (!current) return err('not-found', 'no such unit');
    const building = this.repository.getBuilding(current.buildingId)!;
    const check = this.checkUnit(building, parsed.data, id);
    if (!check.ok) return check;
    this.options.db
      .transaction(() => {
        this.repository.updateUnit(id, parsed.data);
        this.audit(actor, 'registry.unit.update', `unit:${id}`, {
          building: building.code,
          number: parsed.data.number,
        });
      })
      .immediate();
    return ok(this.repository.getUnit(id)!);
  }

  deleteUnit(id: string, actor: Actor): RegistryResult<void> {
    const unit = this.repository.getUnit(id);
    if (!unit) return err('not-found', 'no such unit');
    if (this.repository.listResidents(id).length > 0) return err('not-empty', 'unit still has residents');
    this.options.db
      .transaction(() => {
        this.repository.deleteUnit(id);
        this.audit(actor, 'registry.unit.delete', `unit:${id}`, { number: unit.number });
      })
      .immediate();
    return ok(undefined);
  }

  /** Community → building → unit of a unit id (for breadcrumbs and per-object checks). */
  unitContext(unitId: string): { community: Community; building: Building; unit: Unit } | null {
    const unit = this.repository.getUnit(unitId);
    if (!unit) return null;
    const building = this.repository.getBuilding(unit.buildingId)!;
    return { community: this.repository.getCommunity(building.communityId)!, building, unit };
  }

  // residents

  /** Residents of a unit, phones masked. */
  listResidents(unitId: string): Resident[] {
    return this.repository.listResidents(unitId).map((r) => this.toResident(r));
  }

  getResident(id: string): Resident | null {
    const record = this.repository.getResident(id);
    return record ? this.toResident(record) : null;
  }

  private duplicateResident(unitId: string, name: string, exceptId?: string): boolean {
    return this.repository.listResidents(unitId).some((r) => r.name === name && r.id !== exceptId);
  }

  createResident(unitId: string, input: unknown, actor: Actor): RegistryResult<Resident> {
    const parsed = ResidentInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const unit = this.repository.getUnit(unitId);
    if (!unit) return err('not-found', 'no such unit');
    if (this.duplicateResident(unitId, parsed.data.name)) {
      return {
        ...err('duplicate', 'resident exists'),
        fields: { name: { key: 'registry.error.residentExists' } },
      };
    }
    const at = this.now();
    const record: ResidentRecord = {
      id: crypto.randomUUID(),
      unitId,
      name: parsed.data.name,
      ...this.sealPhone(parsed.data.phone),
      role: parsed.data.role,
      createdAt: at,
      updatedAt: at,
    };
    this.options.db
      .transaction(() => {
        this.repository.insertResident(record);
        this.audit(actor, 'registry.resident.create', `resident:${record.id}`, {
          unit: unit.number,
          role: record.role,
        });
      })
      .immediate();
    return ok(this.toResident(record));
  }

  updateResident(id: string, input: unknown, actor: Actor): RegistryResult<Resident> {
    const parsed = ResidentUpdateInput.safeParse(input);
    if (!parsed.success) return invalid(parsed.error);
    const current = this.repository.getResident(id);
    if (!current) return err('not-found', 'no such resident');
    if (this.duplicateResident(current.unitId, parsed.data.name, id)) {
      return {
        ...err('duplicate', 'resident exists'),
        fields: { name: { key: 'registry.error.residentExists' } },
      };
    }
    const phone = parsed.data.phone
      ? this.sealPhone(parsed.data.phone)
      : parsed.data.clearPhone
        ? { phoneEnc: null, phoneHash: null }
        : { phoneEnc: current.phoneEnc, phoneHash: current.phoneHash };
    this.options.db
      .transaction(() => {
        this.repository.updateResident({
          id,
          name: parsed.data.name,
          role: parsed.data.role,
          ...phone,
          updatedAt: this.now(),
        });
        this.audit(actor, 'registry.resident.update', `resident:${id}`, {
          role: parsed.data.role,
          phoneChanged: phone.phoneHash !== current.phoneHash,
        });
      })
      .immediate();
    return ok(this.getResident(id)!);
  }

  deleteResident(id: string, actor: Actor): RegistryResult<void> {
    const current = this.repository.getResident(id);
    if (!current) return err('not-found', 'no such resident');
    this.options.db
      .transaction(() => {
        this.repository.deleteResident(id);
        this.audit(actor, 'registry.resident.delete', `resident:${id}`, { unitId: current.unitId });
      })
      .immediate();
    return ok(undefined);
  }

  /**
   * Finds units in a community by unit number, resident name, or a full phone number (matched through its keyed
   * hash, so the search never decrypts anything).
   */
  search(
    communityId: string,
    query: string,
    limit = 50,
  ): (Unit & { buildingCode: string; buildingName: string })[] {
    const text = query.trim().slice(0, 50);
    if (!text) return [];
    const phone = normalizePhone(text);
    if (phone) return this.repository.unitsByPhoneHash(communityId, this.phoneHash(phone));
    return this.repository.searchUnits(communityId, text, limit);
  }
}
