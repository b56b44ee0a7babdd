import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestCore, type TestCore } from '../testing/core.fixture';
import { DEMO_COMMUNITY_ID, generateDemoCommunity, seedDemoCommunity } from './demo-community';

describe('generateDemoCommunity', () => {
  const demo = generateDemoCommunity('2026-11-25T02:00:00.000Z');

  it('is 幸福里社区 with 3+ buildings and 100+ units', () => {
    expect(demo.community).toMatchObject({
      id: DEMO_COMMUNITY_ID,
      name: '幸福里社区',
      nameEn: 'Xingfuli Community',
    });
    expect(demo.community.address).toContain('和平街道');
    expect(demo.buildings.length).toBeGreaterThanOrEqual(3);
    expect(demo.units.length).toBeGreaterThanOrEqual(100);
  });

  it('is the same on every call (seeded)', () => {
    expect(generateDemoCommunity('2026-11-25T02:00:00.000Z')).toEqual(demo);
  });

  it('has realistic, valid units: numbers, floors within the building, homes of 60–140 m²', () => {
    const floors = new Map(demo.buildings.map((b) => [b.id, b.floors]));
    const keys = new Set<string>();
    for (const unit of demo.units) {
      expect(unit.number).toMatch(/^(\d-\d{4}|S\d{3})$/);
      expect(unit.floor).toBeGreaterThanOrEqual(1);
      expect(unit.floor).toBeLessThanOrEqual(floors.get(unit.buildingId)!);
      if (unit.type === 'residential') {
        expect(unit.areaM2).toBeGreaterThanOrEqual(60);
        expect(unit.areaM2).toBeLessThanOrEqual(140);
      }
      keys.add(`${unit.buildingId}/${unit.number}`);
    }
    expect(keys.size).toBe(demo.units.length);
    expect(demo.units.find((u) => u.id === 'xingfuli-1-1-0301')).toMatchObject({
      number: '1-0301',
      floor: 3,
    });
  });

  it('has residents with fictional phones from 1380000xxxx, unique, and at most one name per unit', () => {
    expect(demo.residents.length).toBeGreaterThan(demo.units.length);
    const phones = demo.residents.map((r) => r.phone).filter(Boolean);
    for (const phone of phones) expect(phone).toMatch(/^1380000\d{4}$/);
    expect(new Set(phones).size).toBe(phones.length);
    const names = new Set(demo.residents.map((r) => `${r.unitId}/${r.name}`));
    expect(names.size).toBe(demo.residents.length);
    expect(new Set(demo.residents.map((r) => r.role))).toEqual(new Set(['owner', 'tenant', 'family']));
  });
});

describe('seedDemoCommunity', () => {
  let core: TestCore;
  beforeEach(() => {
    core = createTestCore();
  });
  afterEach(() => core.cleanup());

  const seed = () =>
    seedDemoCommunity({
      db: core.db,
      clock: core.clock,
      audit: core.audit,
      repository: core.registry.repository,
      sealPhone: (phone) => core.registry.sealPhone(phone),
    });

  it('writes the community once, with encrypted phones, and is a no-op on the next start', () => {
    const first = seed();
    expect(first.seeded).toBe(true);
    const [community] = core.registry.listCommunities();
    expect(community).toMatchObject({
      id: 'xingfuli',
      buildings: 4,
      units: first.units,
      residents: first.residents,
    });
    const residents = core.db.prepare('SELECT phone_enc FROM residents WHERE phone_enc IS NOT NULL').all();
    expect(JSON.stringify(residents)).not.toMatch(/1380000\d{4}/);
    expect(core.registry.search('xingfuli', '13800001000')).toHaveLength(1);
    expect(seed()).toEqual({ seeded: false, units: 0, residents: 0 });
    expect(core.registry.listCommunities()).toHaveLength(1);
  });
});
