import type { AuditService } from '../audit/audit.service';
import type { Clock } from '../clock';
import type { Db } from '../db/database';
import type { RegistryRepository, ResidentRecord } from './registry.repository';
import type { Building, Community, ResidentRole, Unit, UnitType } from './registry.schema';

/**
 * The demo community seeded at first start (LINLI_SEED_DEMO): 幸福里社区 in 和平街道, three residential
 * buildings and a shop building, 136 units, residents with fictional names and phones from the 1380000xxxx
 * range. Generated from a fixed seed, so every install (and every test) gets the same community: same buildings,
 * unit numbers, areas, names, phones. Ids are readable (`xingfuli`, `xingfuli-b1`, `xingfuli-1-1-0301`).
 */
export const DEMO_COMMUNITY_ID = 'xingfuli';

/** mulberry32: a small, well-distributed PRNG; deterministic for a given seed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈',
];
const GIVEN_NAMES = [
  '建国',
  '秀英',
  '志强',
  '丽华',
  '海燕',
  '国庆',
  '晓明',
  '桂兰',
  '玉梅',
  '文军',
  '春生',
  '淑珍',
  '子涵',
  '雨桐',
  '浩然',
  '欣怡',
  '宇轩',
  '梓萱',
  '俊杰',
  '嘉怡',
  '明辉',
  '慧敏',
  '立新',
  '红梅',
  '德明',
  '静',
  '磊',
  '洁',
  '勇',
  '敏',
  '强',
  '芳',
  '伟',
  '娜',
  '涛',
  '鹏',
  '婷',
  '超',
  '霞',
  '斌',
  '琳',
  '博文',
  '思远',
  '诗涵',
  '一鸣',
  '佳琪',
];

export interface DemoBuildingPlan {
  code: string;
  name: string;
  floors: number;
  entrances: number;
  unitsPerFloor: number;
  type: UnitType | 'mixed';
}

/** The buildings of the demo community. */
export const DEMO_BUILDINGS: readonly DemoBuildingPlan[] = [
  { code: '1', name: '1号楼', floors: 11, entrances: 2, unitsPerFloor: 2, type: 'residential' },
  { code: '2', name: '2号楼', floors: 11, entrances: 2, unitsPerFloor: 2, type: 'residential' },
  { code: '3', name: '3号楼', floors: 6, entrances: 3, unitsPerFloor: 2, type: 'residential' },
  // street-front building: shops on the ground floor, small offices above
  { code: 'S', name: '商业楼', floors: 2, entrances: 1, unitsPerFloor: 6, type: 'mixed' },
];

/** The generated community, before anything is written: tests inspect this directly. */
export interface DemoCommunity {
  community: Community;
  buildings: Building[];
  units: Unit[];
  residents: { id: string; unitId: string; name: string; phone: string; role: ResidentRole }[];
}

/** Builds the demo community deterministically (no I/O). `createdAt` is the only input that varies. */
export function generateDemoCommunity(createdAt: string): DemoCommunity {
  const random = seededRandom(20_261_125);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const community: Community = {
    id: DEMO_COMMUNITY_ID,
    name: '幸福里社区',
    nameEn: 'Xingfuli Community',
    address: '和平街道幸福里 8 号',
    timeZone: 'Asia/Shanghai',
    createdAt,
  };
  const buildings: Building[] = [];
  const units: Unit[] = [];
  const residents: DemoCommunity['residents'] = [];
  let phoneSerial = 1000;
  const nextPhone = () => `1380000${String(phoneSerial++).padStart(4, '0')}`;
  const person = () => pick(SURNAMES) + pick(GIVEN_NAMES);

  for (const plan of DEMO_BUILDINGS) {
    const building: Building = {
      id: `${DEMO_COMMUNITY_ID}-b${plan.code.toLowerCase()}`,
      communityId: community.id,
      code: plan.code,
      name: plan.name,
      floors: plan.floors,
    };
    buildings.push(building);
    for (let entrance = 1; entrance <= plan.entrances; entrance++) {
      for (let floor = 1; floor <= plan.floors; floor++) {
        for (let room = 1; room <= plan.unitsPerFloor; room++) {
          const residential = plan.type !== 'mixed';
          // residential numbers read like the door plate: 单元-楼层房间 (1-0301); shops S101, offices S201
          const number = residential
            ? `${entrance}-${String(floor).padStart(2, '0')}${String(room).padStart(2, '0')}`
            : `S${floor}${String(room).padStart(2, '0')}`;
          const type: UnitType = residential ? 'residential' : floor === 1 ? 'commercial' : 'office';
          // two layouts per stair: a two-bedroom (~ 85 m²) and a three-bedroom (~ 120 m²)
          const base = residential ? (room === 1 ? 78 : 112) : type === 'commercial' ? 45 : 60;
          const areaM2 = Math.round((base + random() * (residential ? 24 : 40)) * 100) / 100;
          const unit: Unit = {
            id: `${building.id.replace('-b', '-')}-${number}`.toLowerCase(),
            buildingId: building.id,
            number,
            floor,
            areaM2,
            type,
          };
          units.push(unit);

          const roll = random();
          if (!residential) {
            // shops and offices: a tenant business contact for most of them
            if (roll < 0.75)
              residents.push({
                id: `${unit.id}-r1`,
                unitId: unit.id,
                name: person(),
                phone: nextPhone(),
                role: 'tenant',
              });
            continue;
          }
          if (roll < 0.1) continue; // vacant
          const rented = roll > 0.85;
          const household: { name: string; role: ResidentRole; phone: string }[] = [];
          household.push({ name: person(), role: rented ? 'tenant' : 'owner', phone: nextPhone() });
          const members = Math.floor(random() * 3); // 0–2 more people
          for (let i = 0; i < members; i++) {
            // children often have no phone of their own
            household.push({ name: person(), role: 'family', phone: random() < 0.6 ? nextPhone() : '' });
          }
          const seen = new Set<string>();
          household.forEach((member, index) => {
            if (seen.has(member.name)) return; // two members with one name would be a duplicate row
            seen.add(member.name);
            residents.push({ id: `${unit.id}-r${index + 1}`, unitId: unit.id, ...member });
          });
        }
      }
    }
  }
  return { community, buildings, units, residents };
}

export interface SeedDemoDeps {
  db: Db;
  clock: Clock;
  audit: AuditService;
  repository: RegistryRepository;
  sealPhone: (phone: string | null) => { phoneEnc: string | null; phoneHash: string | null };
}

/**
 * Writes the demo community when the registry is empty (first start). One transaction: a crash half way leaves
 * an empty registry, and the next start seeds again. Returns whether it seeded.
 */
export function seedDemoCommunity(deps: SeedDemoDeps): { seeded: boolean; units: number; residents: number } {
  const { db, clock, audit, repository, sealPhone } = deps;
  const at = clock.now().toISOString();
  const demo = generateDemoCommunity(at);
  const seeded = db
    .transaction(() => {
      if (repository.countCommunities() > 0) return false;
      repository.insertCommunity(demo.community);
      for (const building of demo.buildings) repository.insertBuilding(building);
      for (const unit of demo.units) repository.insertUnit(unit);
      for (const resident of demo.residents) {
        const record: ResidentRecord = {
          id: resident.id,
          unitId: resident.unitId,
          name: resident.name,
          ...sealPhone(resident.phone || null),
          role: resident.role,
          createdAt: at,
          updatedAt: at,
        };
        repository.insertResident(record);
      }
      audit.record({
        actor: 'system',
        action: 'registry.seed-demo',
        target: `community:${demo.community.id}`,
        detail: {
          buildings: demo.buildings.length,
          units: demo.units.length,
          residents: demo.residents.length,
        },
      });
      return true;
    })
    .immediate();
  return { seeded, units: seeded ? demo.units.length : 0, residents: seeded ? demo.residents.length : 0 };
}
