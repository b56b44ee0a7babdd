import crypto from 'node:crypto';
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import type { AuditService } from '../audit/audit.service';
import type { SessionUser } from '../auth/roles';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { Failure } from '../result';
import type { RegistryRepository, ResidentRecord } from './registry.repository';
import {
  AreaM2,
  Floor,
  OptionalPhone,
  ResidentRole,
  UnitNumber,
  UnitType,
  type Building,
  type Unit,
} from './registry.schema';

/** Largest CSV accepted: ~20 000 rows of this format, far above any one community. */
export const IMPORT_MAX_BYTES = 2 * 1024 * 1024;
/** Most data rows per file; bigger registries import building by building. */
export const IMPORT_MAX_ROWS = 5000;
/** Row errors kept in the answer; the count of all of them is reported too. */
const MAX_REPORTED_ERRORS = 1000;

/**
 * The columns of the import file, in template order. Each has English and Chinese header names, since the file
 * usually comes from a spreadsheet kept by the property office.
 */
export const IMPORT_COLUMNS = [
  { name: 'building_code', aliases: ['楼栋编号', '楼栋'], required: true },
  { name: 'unit_number', aliases: ['房号', '房间号'], required: true },
  { name: 'floor', aliases: ['楼层'], required: false },
  { name: 'area_m2', aliases: ['面积', '建筑面积', '面积m2', '面积㎡'], required: false },
  { name: 'type', aliases: ['类型', '房屋类型'], required: false },
  { name: 'resident_name', aliases: ['住户姓名', '姓名'], required: false },
  { name: 'resident_phone', aliases: ['住户电话', '电话', '手机'], required: false },
  { name: 'resident_role', aliases: ['住户身份', '身份'], required: false },
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number]['name'];

/** A template people can fill in (UTF-8 with BOM, so Excel opens the Chinese correctly). */
export const IMPORT_TEMPLATE =
  '\uFEFF' +
  [
    IMPORT_COLUMNS.map((c) => c.name).join(','),
    '1,1-0301,3,89.5,residential,张三,13800001234,owner',
    '1,1-0301,,,,李四,,family',
    'S,S105,1,45,commercial,,,',
  ].join('\r\n') +
  '\r\n';

const TYPE_ALIASES: Record<string, string> = {
  住宅: 'residential',
  商铺: 'commercial',
  商业: 'commercial',
  办公: 'office',
};
const ROLE_ALIASES: Record<string, string> = {
  业主: 'owner',
  租户: 'tenant',
  家属: 'family',
  家庭成员: 'family',
};
const alias = (table: Record<string, string>) => (v: unknown) =>
  typeof v === 'string' ? (table[v.trim()] ?? v.trim().toLowerCase()) : v;
const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);

/** One data row, after trimming; empty cells are "not given". Messages are i18n keys. */
const ImportRow = z.object({
  building_code: z.string().trim().min(1, 'validation.required').max(16, 'validation.tooLong'),
  unit_number: UnitNumber,
  floor: z.preprocess(emptyToUndefined, Floor.optional()),
  area_m2: z.preprocess(emptyToUndefined, AreaM2.optional()),
  type: z.preprocess((v) => emptyToUndefined(alias(TYPE_ALIASES)(v)), UnitType.optional()),
  resident_name: z.preprocess(emptyToUndefined, z.string().trim().max(60, 'validation.tooLong').optional()),
  resident_phone: OptionalPhone,
  resident_role: z.preprocess((v) => emptyToUndefined(alias(ROLE_ALIASES)(v)), ResidentRole.optional()),
});
type ImportRow = z.infer<typeof ImportRow>;

/** One problem in the file: the line (1 = header), the column when one is at fault, and an i18n key. */
export interface ImportRowError {
  line: number;
  column?: string;
  key: string;
  params?: Record<string, string | number>;
}

export type ImportFailureKind =
  | 'too-large'
  | 'not-utf8'
  | 'empty'
  | 'malformed'
  | 'header'
  | 'too-many-rows'
  | 'rows-invalid'
  | 'not-found';

export type ImportResult =
  | { ok: true; value: ImportSummary }
  | { ok: false; error: Failure<ImportFailureKind>; rows: ImportRowError[]; totalErrors: number };

export interface ImportSummary {
  rows: number;
  unitsCreated: number;
  residentsCreated: number;
}

export interface RegistryImportDeps {
  db: Db;
  clock: Clock;
  audit: AuditService;
  repository: RegistryRepository;
  sealPhone: (phone: string | null) => { phoneEnc: string | null; phoneHash: string | null };
}

function fail(
  kind: ImportFailureKind,
  message: string,
  rows: ImportRowError[] = [],
  params?: Record<string, string | number>,
): ImportResult {
  return {
    ok: false,
    error: params ? { kind, message, params } : { kind, message },
    rows: rows.slice(0, MAX_REPORTED_ERRORS),
    totalErrors: rows.length,
  };
}

/** Decodes the upload as UTF-8, refusing anything else (GBK from older Excel is the usual case). */
function decodeUtf8(bytes: Uint8Array): string | null {
  // UTF-16 files decode as "valid" UTF-8 full of NULs; their BOM gives them away
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return null;
  try {
    // fatal: invalid byte sequences throw instead of becoming U+FFFD; the UTF-8 BOM (Excel's "CSV UTF-8") is dropped
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return null;
  }
}

/** The line a record starts on: csv-parse reports where it ended, and quoted fields may span lines. */
function startLine(endLine: number, raw: string): number {
  const body = raw.replace(/^\n+/, '').replace(/\n$/, '');
  return endLine - (body.match(/\n/g)?.length ?? 0);
}

/**
 * CSV import of units and residents into one community: the whole file or nothing. Every bad row is listed with its
 * line number and reason; only a file without any error is written, in one transaction.
 *
 * A row describes a unit, optionally with one resident. Rows of the same unit (same building_code + unit_number)
 * add more residents; floor/area/type are needed for a new unit and may be left empty on its later rows (if given
 * they must agree). A row for a unit already in the registry adds its resident to it.
 */
export class RegistryImportService {
  constructor(private readonly deps: RegistryImportDeps) {}

  importCsv(communityId: string, bytes: Uint8Array, actor: SessionUser | string): ImportResult {
    const { repository } = this.deps;
    if (!repository.getCommunity(communityId)) return fail('not-found', 'no such community');
    if (bytes.length > IMPORT_MAX_BYTES) {
      return fail('too-large', 'file too large', [], { maxMb: IMPORT_MAX_BYTES / 1024 / 1024 });
    }
    const decoded = decodeUtf8(bytes);
    if (decoded === null) return fail('not-utf8', 'file is not UTF-8');
    // one newline convention, so line numbers count the way an editor shows them
    const text = decoded.replace(/\r\n?/g, '\n');
    if (!text.trim()) return fail('empty', 'file is empty');

    let records: { record: string[]; raw: string; info: { lines: number } }[];
    try {
      records = parse(text, {
        info: true,
        raw: true,
        relax_column_count: true,
        skip_empty_lines: true,
        trim: true,
      }) as unknown as typeof records;
    } catch (error) {
      const line = (error as { lines?: number }).lines ?? 0;
      return fail('malformed', (error as Error).message, [{ line, key: 'registry.import.malformed' }]);
    }

    const [header, ...body] = records;
    if (!header) return fail('empty', 'file is empty');
    const columns = this.readHeader(header.record);
    if (!columns.ok) return fail('header', 'bad header', columns.errors);
    const dataRows = body
      .map((r) => ({ cells: r.record, line: startLine(r.info.lines, r.raw) }))
      // spreadsheets leave rows of empty cells behind (",,,,"): they are not data
      .filter((r) => r.cells.some((cell) => cell !== ''));
    if (dataRows.length === 0) return fail('empty', 'no data rows');
    if (dataRows.length > IMPORT_MAX_ROWS) {
      return fail('too-many-rows', 'too many rows', [], { max: IMPORT_MAX_ROWS, rows: dataRows.length });
    }

    const plan = this.plan(communityId, columns.value, dataRows);
    if (plan.errors.length > 0) return fail('rows-invalid', `${plan.errors.length} bad rows`, plan.errors);

    const { db, audit } = this.deps;
    // One transaction for the whole file: if anything fails half way, nothing of the file stays.
    db.transaction(() => {
      for (const unit of plan.units) repository.insertUnit(unit);
      for (const resident of plan.residents) repository.insertResident(resident);
      audit.record({
        actor,
        action: 'registry.import',
        target: `community:${communityId}`,
        detail: {
          rows: dataRows.length,
          unitsCreated: plan.units.length,
          residentsCreated: plan.residents.length,
        },
      });
    }).immediate();
    return {
      ok: true,
      value: {
        rows: dataRows.length,
        unitsCreated: plan.units.length,
        residentsCreated: plan.residents.length,
      },
    };
  }

  /** Maps header cells to columns; unknown, repeated and missing required columns are errors of line 1. */
  private readHeader(
    cells: string[],
  ): { ok: true; value: (ImportColumn | null)[] } | { ok: false; errors: ImportRowError[] } {
    const errors: ImportRowError[] = [];
    const seen = new Set<ImportColumn>();
    const value = cells.map((cell) => {
      const name = cell.trim().toLowerCase();
      const column = IMPORT_COLUMNS.find(
        (c) => c.name === name || (c.aliases as readonly string[]).includes(cell.trim()),
      );
      if (!column) {
        errors.push({
          line: 1,
          column: cell,
          key: 'registry.import.unknownColumn',
          params: { column: cell },
        });
        return null;
      }
      if (seen.has(column.name))
        errors.push({
          line: 1,
          column: column.name,
          key: 'registry.import.repeatedColumn',
          params: { column: column.name },
        });
      seen.add(column.name);
      return column.name;
    });
    for (const column of IMPORT_COLUMNS) {
      if (column.required && !seen.has(column.name)) {
        errors.push({
          line: 1,
          column: column.name,
          key: 'registry.import.missingColumn',
          params: { column: column.name },
        });
      }
    }
    return errors.length ? { ok: false, errors } : { ok: true, value };
  }

  /** Validates every row against the file and the registry; returns what to insert, or every error found. */
  private plan(
    communityId: string,
    columns: (ImportColumn | null)[],
    rows: { cells: string[]; line: number }[],
  ) {
    const { repository, clock, sealPhone } = this.deps;
    const errors: ImportRowError[] = [];
    const buildings = new Map<string, Building>(
      repository.listBuildings(communityId).map((b) => [b.code, b]),
    );
    const knownUnits = repository.unitsOfCommunity(communityId);
    const knownNames = repository.residentNamesOfCommunity(communityId);
    const fileUnits = new Map<string, { line: number; unit: Unit }>();
    const fileResidents = new Map<string, number>(); // "<unit key>/<name>" -> first line
    const units: Unit[] = [];
    const residents: ResidentRecord[] = [];
    const at = clock.now().toISOString();

    for (const { cells, line } of rows) {
      if (cells.length !== columns.length) {
        errors.push({
          line,
          key: 'registry.import.columnCount',
          params: { expected: columns.length, actual: cells.length },
        });
        continue;
      }
      const object: Record<string, string> = {};
      columns.forEach((column, index) => {
        if (column) object[column] = cells[index] ?? '';
      });
      const parsed = ImportRow.safeParse(object);
      if (!parsed.success) {
        const fields = new Set<string>();
        for (const issue of parsed.error.issues) {
          const column = String(issue.path[0] ?? '');
          if (fields.has(column)) continue;
          fields.add(column);
          const key = issue.message.startsWith('validation.') ? issue.message : 'validation.invalid';
          errors.push({ line, column, key, params: { value: object[column] ?? '' } });
        }
        continue;
      }
      const row: ImportRow = parsed.data;
      const before = errors.length;
      const building = buildings.get(row.building_code);
      if (!building) {
        errors.push({
          line,
          column: 'building_code',
          key: 'registry.import.unknownBuilding',
          params: { code: row.building_code, known: [...buildings.keys()].join(', ') || '-' },
        });
        continue;
      }
      const unitKey = `${building.code}/${row.unit_number}`;
      const known = knownUnits.get(unitKey);
      const earlier = fileUnits.get(unitKey);
      const hasResident = row.resident_name !== undefined;

      let unitId: string;
      if (known || earlier) {
        const reference = known ?? earlier!.unit;
        const conflict =
          (row.floor !== undefined && row.floor !== reference.floor) ||
          (row.area_m2 !== undefined && Math.abs(row.area_m2 - reference.areaM2) > 1e-6) ||
          (row.type !== undefined && row.type !== reference.type);
        if (conflict) {
          errors.push(
            known
              ? {
                  line,
                  column: 'unit_number',
                  key: 'registry.import.unitConflictsRegistry',
                  params: { unit: row.unit_number },
                }
              : {
                  line,
                  column: 'unit_number',
                  key: 'registry.import.unitConflictsLine',
                  params: { unit: row.unit_number, line: earlier!.line },
                },
          );
        }
        if (!hasResident) {
          errors.push(
            known
              ? {
                  line,
                  column: 'unit_number',
                  key: 'registry.import.unitExists',
                  params: { unit: row.unit_number },
                }
              : {
                  line,
                  column: 'unit_number',
                  key: 'registry.import.duplicateUnit',
                  params: { unit: row.unit_number, line: earlier!.line },
                },
          );
        }
        unitId = reference.id;
      } else {
        if (row.floor === undefined)
          errors.push({
            line,
            column: 'floor',
            key: 'registry.import.newUnitNeeds',
            params: { column: 'floor' },
          });
        if (row.area_m2 === undefined)
          errors.push({
            line,
            column: 'area_m2',
            key: 'registry.import.newUnitNeeds',
            params: { column: 'area_m2' },
          });
        if (row.floor !== undefined && row.floor > building.floors) {
          errors.push({
            line,
            column: 'floor',
            key: 'registry.error.floorAboveBuilding',
            params: { floors: building.floors },
          });
        }
        const unit: Unit = {
          id: crypto.randomUUID(),
          buildingId: building.id,
          number: row.unit_number,
          floor: row.floor ?? 0,
          areaM2: row.area_m2 ?? 0,
          type: row.type ?? 'residential',
        };
        fileUnits.set(unitKey, { line, unit });
        units.push(unit);
        unitId = unit.id;
      }

      if (!hasResident) {
        if (row.resident_phone || row.resident_role) {
          errors.push({ line, column: 'resident_name', key: 'registry.import.residentNameRequired' });
        }
      } else {
        const name = row.resident_name!;
        if (!row.resident_role)
          errors.push({
            line,
            column: 'resident_role',
            key: 'validation.residentRole',
            params: { value: '' },
          });
        const residentKey = `${unitKey}/${name}`;
        const firstLine = fileResidents.get(residentKey);
        if (firstLine !== undefined) {
          errors.push({
            line,
            column: 'resident_name',
            key: 'registry.import.duplicateResident',
            params: { line: firstLine },
          });
        } else if (known && knownNames.get(known.id)?.has(name)) {
          errors.push({
            line,
            column: 'resident_name',
            key: 'registry.import.residentExists',
            params: { unit: row.unit_number },
          });
        } else {
          fileResidents.set(residentKey, line);
        }
        if (errors.length === before) {
          residents.push({
            id: crypto.randomUUID(),
            unitId,
            name,
            ...sealPhone(row.resident_phone),
            role: row.resident_role!,
            createdAt: at,
            updatedAt: at,
          });
        }
      }
    }
    return { errors, units, residents };
  }
}
