import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCore, SYSTEM_ADMIN, type TestCore } from '../testing/core.fixture';
import { IMPORT_MAX_BYTES, IMPORT_MAX_ROWS, IMPORT_TEMPLATE } from './registry-import.service';

let core: TestCore;
let communityId: string;

const HEADER = 'building_code,unit_number,floor,area_m2,type,resident_name,resident_phone,resident_role';

beforeEach(() => {
  core = createTestCore();
  const community = core.registry.createCommunity({ name: '测试社区' }, SYSTEM_ADMIN);
  if (!community.ok) throw new Error('setup');
  communityId = community.value.id;
  for (const [code, floors] of [
    ['1', 11],
    ['S', 2],
  ] as const) {
    core.registry.createBuilding(communityId, { code, name: `${code}号楼`, floors }, SYSTEM_ADMIN);
  }
  const building = core.registry.listBuildings(communityId).find((b) => b.code === '1')!;
  const unit = core.registry.createUnit(
    building.id,
    { number: '1-0101', floor: 1, areaM2: 88, type: 'residential' },
    SYSTEM_ADMIN,
  );
  if (!unit.ok) throw new Error('setup');
  core.registry.createResident(
    unit.value.id,
    { name: '老住户', phone: '13800000001', role: 'owner' },
    SYSTEM_ADMIN,
  );
});
afterEach(() => core.cleanup());

const csv = (...lines: string[]) => new TextEncoder().encode(lines.join('\n') + '\n');
const importBytes = (bytes: Uint8Array) => core.registryImport.importCsv(communityId, bytes, SYSTEM_ADMIN);

/** Everything the registry holds, to prove a failed import changed nothing. */
function snapshot() {
  return {
    units: core.db.prepare('SELECT * FROM units ORDER BY id').all(),
    residents: core.db.prepare('SELECT id, unit_id, name, role FROM residents ORDER BY id').all(),
    audit: core.db.prepare("SELECT count(*) AS n FROM audit_log WHERE action = 'registry.import'").get(),
  };
}

describe('CSV import: good files', () => {
  it('imports units and residents, several residents per unit, residents into an existing unit', () => {
    const result = importBytes(
      csv(
        HEADER,
        '1,1-0301,3,89.5,residential,张三,13800001234,owner',
        '1,1-0301,,,,李四,,family',
        '1,1-0302,3,120,住宅,王五,139 0000 5678,租户',
        '1,1-0101,,,,新家属,,family',
        'S,S105,1,45,commercial,,,',
      ),
    );
    expect(result).toEqual({ ok: true, value: { rows: 5, unitsCreated: 3, residentsCreated: 4 } });
    const building = core.registry.listBuildings(communityId).find((b) => b.code === '1')!;
    const units = core.registry.listUnits(building.id);
    expect(units.map((u) => [u.number, u.floor, u.areaM2, u.type, u.residents])).toEqual([
      ['1-0101', 1, 88, 'residential', 2],
      ['1-0301', 3, 89.5, 'residential', 2],
      ['1-0302', 3, 120, 'residential', 1],
    ]);
    const tenant = core.registry.listResidents(units[2]!.id)[0];
    expect(tenant).toMatchObject({ name: '王五', role: 'tenant', phoneMasked: '139****5678' });
    expect(core.audit.list({ page: 1, action: 'registry.import' }).entries[0]?.detail).toEqual({
      rows: 5,
      unitsCreated: 3,
      residentsCreated: 4,
    });
  });

  it('accepts Excel’s UTF-8 with BOM, CRLF, Chinese column names and quoted fields', () => {
    const text =
      '\uFEFF楼栋编号,房号,楼层,面积,类型,住户姓名,住户电话,住户身份\r\n1,1-0501,5,"90.5",住宅,"欧阳, 娜娜",13800002222,业主\r\n';
    expect(importBytes(new TextEncoder().encode(text))).toMatchObject({
      ok: true,
      value: { unitsCreated: 1, residentsCreated: 1 },
    });
    expect(core.registry.search(communityId, '欧阳')).toHaveLength(1);
  });

  it('imports the downloadable template as is', () => {
    core.registry.createBuilding(communityId, { code: 'T', name: 'x', floors: 1 }, SYSTEM_ADMIN);
    expect(importBytes(new TextEncoder().encode(IMPORT_TEMPLATE))).toMatchObject({ ok: true });
  });
});

describe('CSV import: bad files change nothing', () => {
  it('lists every bad row with its line number and reason, and imports none of the good ones', () => {
    const before = snapshot();
    const result = importBytes(
      csv(
        HEADER,
        '1,1-0301,3,89.5,residential,张三,13800001234,owner', // good
        '9,9-0101,1,80,residential,,,', // unknown building
        '1,1-0401,4,-5,residential,,,', // bad area
        '1,1-0402,4,80,residential,赵六,12345,owner', // bad phone
        '1,1-0301,3,89.5,residential,张三,13800001234,owner', // duplicate resident
        '1,1-0101,,,,,,', // unit exists
        '1,1-1201,12,80,residential,,,', // floor above building
        '1,1-0403,,80,residential,,,', // new unit without floor
        '1,1-0301,4,,,钱七,,owner', // conflicts with line 2
        '1,1-0404,4,80,villa,孙八,,boss', // bad type and role
        '1,1-0405,4,80', // too few columns
        '1,1-0406,4,80,residential,,13800003333,', // phone without name
        '1,1-0101,,,,老住户,,owner', // already registered in that unit
      ),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.kind).toBe('rows-invalid');
    const found = result.rows.map((r) => [r.line, r.column, r.key]);
    expect(found).toEqual([
      [3, 'building_code', 'registry.import.unknownBuilding'],
      [4, 'area_m2', 'validation.area'],
      [5, 'resident_phone', 'validation.phone'],
      [6, 'resident_name', 'registry.import.duplicateResident'],
      [7, 'unit_number', 'registry.import.unitExists'],
      [8, 'floor', 'registry.error.floorAboveBuilding'],
      [9, 'floor', 'registry.import.newUnitNeeds'],
      [10, 'unit_number', 'registry.import.unitConflictsLine'],
      [11, 'type', 'validation.unitType'],
      [11, 'resident_role', 'validation.residentRole'],
      [12, undefined, 'registry.import.columnCount'],
      [13, 'resident_name', 'registry.import.residentNameRequired'],
      [14, 'resident_name', 'registry.import.residentExists'],
    ]);
    expect(result.rows[0]?.params).toMatchObject({ code: '9', known: '1, S' });
    expect(result.rows.find((r) => r.line === 10)?.params).toMatchObject({ line: 2 });
    expect(snapshot()).toEqual(before);
  });

  it('says so when the bytes are not UTF-8 (GBK from Excel), and for UTF-16', () => {
    const before = snapshot();
    // "1,1-0601,6,80,residential,张三,,owner" with 张三 in GBK (D5C5 C8FD)
    const gbk = Buffer.concat([
      Buffer.from(`${HEADER}\n1,1-0601,6,80,residential,`),
      Buffer.from([0xd5, 0xc5, 0xc8, 0xfd]),
      Buffer.from(',,owner\n'),
    ]);
    expect(importBytes(gbk)).toMatchObject({ ok: false, error: { kind: 'not-utf8' } });
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${HEADER}\n`, 'utf16le')]);
    expect(importBytes(utf16)).toMatchObject({ ok: false, error: { kind: 'not-utf8' } });
    expect(snapshot()).toEqual(before);
  });

  it('refuses files over the size limit and row limit before looking at rows', () => {
    const big = new Uint8Array(IMPORT_MAX_BYTES + 1).fill(0x41);
    expect(importBytes(big)).toMatchObject({ ok: false, error: { kind: 'too-large', params: { maxMb: 2 } } });
    const rows = Array.from({ length: IMPORT_MAX_ROWS + 1 }, (_, i) => `1,X-${i},1,80,residential,,,`);
    expect(importBytes(csv(HEADER, ...rows))).toMatchObject({
      ok: false,
      error: { kind: 'too-many-rows', params: { max: IMPORT_MAX_ROWS, rows: IMPORT_MAX_ROWS + 1 } },
    });
  });

  it('reports header problems on line 1', () => {
    const result = importBytes(csv('building,unit_number,unit_number,colour', '1,1-0701,7,80'));
    expect(result).toMatchObject({ ok: false, error: { kind: 'header' } });
    if (result.ok) return;
    expect(result.rows.map((r) => [r.line, r.key, r.params?.column])).toEqual([
      [1, 'registry.import.unknownColumn', 'building'],
      [1, 'registry.import.repeatedColumn', 'unit_number'],
      [1, 'registry.import.unknownColumn', 'colour'],
      [1, 'registry.import.missingColumn', 'building_code'],
    ]);
  });

  it('reports empty files, header-only files and broken quoting', () => {
    expect(importBytes(new Uint8Array())).toMatchObject({ error: { kind: 'empty' } });
    expect(importBytes(csv(HEADER))).toMatchObject({ error: { kind: 'empty' } });
    expect(importBytes(csv(HEADER, '1,"1-0801,8,80,residential,,,'))).toMatchObject({
      error: { kind: 'malformed' },
      rows: [{ line: 2, key: 'registry.import.malformed' }],
    });
  });

  it('counts lines as an editor shows them: blank lines and multi-line quoted fields included', () => {
    const result = importBytes(
      csv(HEADER, '', '1,1-0901,9,80,residential,"多行\n姓名",,owner', '1,1-0902,9,abc,residential,,,'),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.rows.map((r) => [r.line, r.column])).toEqual([[5, 'area_m2']]);
  });
});
