import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCore, SYSTEM_ADMIN, type TestCore } from '../testing/core.fixture';
import { normalizePhone } from './registry.schema';

let core: TestCore;
let communityId: string;
let buildingId: string;
let unitId: string;

beforeEach(() => {
  core = createTestCore();
  const community = core.registry.createCommunity(
    { name: '测试社区', nameEn: 'Test', address: '某街道' },
    SYSTEM_ADMIN,
  );
  if (!community.ok) throw new Error('setup');
  communityId = community.value.id;
  const building = core.registry.createBuilding(
    communityId,
    { code: '1', name: '1号楼', floors: '6' },
    SYSTEM_ADMIN,
  );
  if (!building.ok) throw new Error('setup');
  buildingId = building.value.id;
  const unit = core.registry.createUnit(
    buildingId,
    { number: '1-0301', floor: '3', areaM2: '89.5', type: 'residential' },
    SYSTEM_ADMIN,
  );
  if (!unit.ok) throw new Error('setup');
  unitId = unit.value.id;
});
afterEach(() => core.cleanup());

describe('phones', () => {
  it.each([
    ['13800001234', '13800001234'],
    ['138 0000 1234', '13800001234'],
    ['+86 138-0000-1234', '13800001234'],
    ['010-8888 6666', '01088886666'],
    ['12345', null],
    ['23800001234', null],
    ['phone', null],
  ])('normalizePhone(%s) = %s', (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it('stores a resident phone encrypted, shows it masked and finds it by keyed hash', () => {
    const created = core.registry.createResident(
      unitId,
      { name: '张三', phone: '138 0000 1234', role: 'owner' },
      SYSTEM_ADMIN,
    );
    expect(created).toMatchObject({
      ok: true,
      value: { name: '张三', phoneMasked: '138****1234', role: 'owner' },
    });
    const raw = core.db.prepare('SELECT * FROM residents').all();
    expect(JSON.stringify(raw)).not.toContain('13800001234');
    expect(JSON.stringify(raw)).not.toContain('1234"');
    expect(core.registry.listResidents(unitId)).toEqual([
      expect.objectContaining({ phoneMasked: '138****1234' }),
    ]);
    expect(core.registry.listResidents(unitId)[0]).not.toHaveProperty('phoneEnc');
    expect(core.registry.search(communityId, '13800001234').map((u) => u.number)).toEqual(['1-0301']);
    expect(core.registry.search(communityId, '13800009999')).toEqual([]);
  });

  it('keeps, replaces or clears the phone when a resident is edited', () => {
    const created = core.registry.createResident(
      unitId,
      { name: '张三', phone: '13800001234', role: 'owner' },
      SYSTEM_ADMIN,
    );
    if (!created.ok) throw new Error('setup');
    const id = created.value.id;
    expect(
      core.registry.updateResident(id, { name: '张三', phone: '', role: 'tenant' }, SYSTEM_ADMIN),
    ).toMatchObject({
      value: { phoneMasked: '138****1234', role: 'tenant' },
    });
    expect(
      core.registry.updateResident(id, { name: '张三', phone: '13900005678', role: 'tenant' }, SYSTEM_ADMIN),
    ).toMatchObject({
      value: { phoneMasked: '139****5678' },
    });
    expect(
      core.registry.updateResident(
        id,
        { name: '张三', phone: '', role: 'tenant', clearPhone: 'on' },
        SYSTEM_ADMIN,
      ),
    ).toMatchObject({
      value: { phoneMasked: null },
    });
  });

  it('rejects a bad phone with a field error and stores nothing', () => {
    const result = core.registry.createResident(
      unitId,
      { name: '李四', phone: '12345', role: 'owner' },
      SYSTEM_ADMIN,
    );
    expect(result).toMatchObject({
      ok: false,
      error: { kind: 'invalid' },
      fields: { phone: { key: 'validation.phone' } },
    });
    expect(core.registry.listResidents(unitId)).toEqual([]);
  });
});

describe('structure rules', () => {
  it('refuses duplicate building codes and unit numbers', () => {
    expect(
      core.registry.createBuilding(communityId, { code: '1', name: 'x', floors: 3 }, SYSTEM_ADMIN),
    ).toMatchObject({
      error: { kind: 'duplicate' },
      fields: { code: { key: 'registry.error.buildingCodeTaken' } },
    });
    expect(
      core.registry.createUnit(
        buildingId,
        { number: '1-0301', floor: 3, areaM2: 80, type: 'residential' },
        SYSTEM_ADMIN,
      ),
    ).toMatchObject({
      error: { kind: 'duplicate' },
    });
  });

  it('validates unit fields: floor within the building, area, type', () => {
    expect(
      core.registry.createUnit(
        buildingId,
        { number: '1-0901', floor: 9, areaM2: 80, type: 'residential' },
        SYSTEM_ADMIN,
      ),
    ).toMatchObject({
      fields: { floor: { key: 'registry.error.floorAboveBuilding', params: { floors: 6 } } },
    });
    expect(
      core.registry.createUnit(
        buildingId,
        { number: '1/02', floor: 0, areaM2: '-3', type: 'villa' },
        SYSTEM_ADMIN,
      ),
    ).toMatchObject({
      fields: {
        number: { key: 'validation.unitNumber' },
        floor: { key: 'validation.floorRange' },
        areaM2: { key: 'validation.area' },
        type: { key: 'validation.unitType' },
      },
    });
    expect(
      core.registry.createUnit(
        buildingId,
        { number: '1-0201', floor: 2, areaM2: '80.123', type: 'residential' },
        SYSTEM_ADMIN,
      ),
    ).toMatchObject({
      fields: { areaM2: { key: 'validation.area' } },
    });
  });

  it('does not shrink a building below its units', () => {
    expect(
      core.registry.updateBuilding(buildingId, { code: '1', name: '1号楼', floors: 2 }, SYSTEM_ADMIN),
    ).toMatchObject({
      fields: { floors: { key: 'registry.error.floorsBelowUnits', params: { floor: 3 } } },
    });
  });

  it('deletes only empty things, bottom-up', () => {
    const resident = core.registry.createResident(
      unitId,
      { name: '王五', phone: '', role: 'owner' },
      SYSTEM_ADMIN,
    );
    if (!resident.ok) throw new Error('setup');
    expect(core.registry.deleteUnit(unitId, SYSTEM_ADMIN)).toMatchObject({ error: { kind: 'not-empty' } });
    expect(core.registry.deleteBuilding(buildingId, SYSTEM_ADMIN)).toMatchObject({
      error: { kind: 'not-empty' },
    });
    expect(core.registry.deleteCommunity(communityId, SYSTEM_ADMIN)).toMatchObject({
      error: { kind: 'not-empty' },
    });
    expect(core.registry.deleteResident(resident.value.id, SYSTEM_ADMIN).ok).toBe(true);
    expect(core.registry.deleteUnit(unitId, SYSTEM_ADMIN).ok).toBe(true);
    expect(core.registry.deleteBuilding(buildingId, SYSTEM_ADMIN).ok).toBe(true);
    expect(core.registry.deleteCommunity(communityId, SYSTEM_ADMIN).ok).toBe(true);
    expect(core.registry.listCommunities()).toEqual([]);
  });

  it('counts buildings, units and residents per community', () => {
    core.registry.createResident(unitId, { name: '王五', phone: '', role: 'owner' }, SYSTEM_ADMIN);
    expect(core.registry.listCommunities()).toEqual([
      expect.objectContaining({ buildings: 1, units: 1, residents: 1 }),
    ]);
  });

  it('audits every edit, without phone numbers', () => {
    core.registry.createResident(unitId, { name: '王五', phone: '13800001234', role: 'owner' }, SYSTEM_ADMIN);
    const entries = core.audit.list({ page: 1, action: 'registry.' }).entries;
    expect(entries.map((e) => e.action)).toEqual([
      'registry.resident.create',
      'registry.unit.create',
      'registry.building.create',
      'registry.community.create',
    ]);
    expect(JSON.stringify(entries)).not.toContain('13800001234');
  });
});
