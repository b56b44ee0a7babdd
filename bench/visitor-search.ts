// Issue 6, "Done when" 6: the station's visitor history search over 1 000 000 visits. Builds a real server
// database (migrations, the demo community) in a temp dir, fills it with a million visits spread over two years
// (every building and unit, surnames from the demo's list), then times `VisitorService.search` — the code path of
// /station/visitors/history, masking and labels included — for a mix of the filters a clerk uses. Target: p95
// <= 50 ms. Baseline in the same run: the same number of primary-key lookups of one visit (the floor of any query).
// BENCH_VISITS sets the number of visits (default 1 000 000).
import { createTestVisitors } from '../signage-server/src/lib/server/testing/visitors.fixture';
import type { VisitSearchForm } from '../signage-server/src/lib/server/visitors/visitor.schema';

const VISITS = Number(process.env.BENCH_VISITS ?? 1_000_000);
const QUERIES = 400;
const SURNAMES = [
  ...'王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾萧田董袁潘蒋蔡余杜叶程苏魏吕丁任沈',
];
const STATUSES = ['approved', 'approved', 'approved', 'declined', 'expired', 'see-guard'] as const;
const REASONS = ['family', 'friend', 'delivery', 'repair', 'housekeeping', 'business'] as const;

const env = createTestVisitors();
try {
  const { db, visitors, clock } = env;
  const units = db
    .prepare('SELECT u.id, u.building_id AS buildingId, u.number FROM units u ORDER BY u.id')
    .all() as { id: string; buildingId: string; number: string }[];
  const now = clock.now().getTime();
  const span = 730 * 86_400_000;
  // fixed seed: every run searches the same data
  let state = 42;
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  console.log(`inserting ${VISITS} visits…`);
  const started = Date.now();
  // the personal columns hold stand-ins of realistic size (ciphertext-length strings): the search never reads them
  const sealed = `v1.${'A'.repeat(16)}.${'B'.repeat(22)}.${'C'.repeat(24)}`;
  const insert = db.prepare(
    `INSERT INTO visits (id, client_ref, device_id, community_id, building_id, unit_id, unit_number, status,
       visitor_surname, visitor_name_masked, visitor_name_enc, document_kind, document_number_enc,
       document_number_hash, document_number_masked, identity_source, identity_confidence, phone_enc, phone_masked,
       reason, companions, consent_version, consent_at, submitted_at, registered_at, decided_by, decided_at)
     VALUES (?, ?, 'bench-kiosk', 'xingfuli', ?, ?, ?, ?, ?, ?, ?, 'cn-id', ?, ?, '110105********1234', 'reader', 1,
       ?, '139****5678', ?, 0, 'v1', ?, ?, ?, 'clerk:bench', ?)`,
  );
  // bulk load the way a restore would: secondary indexes dropped and rebuilt afterwards from their own definitions
  const indexes = db
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'visits' AND sql IS NOT NULL",
    )
    .all() as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX ${index.name}`);
  const batch = db.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const unit = pick(units);
      const surname = pick(SURNAMES);
      const at = new Date(now - Math.floor(random() * span)).toISOString();
      const id = `v${String(i).padStart(8, '0')}`;
      insert.run(
        id,
        `ref-${id}`,
        unit.buildingId,
        unit.id,
        unit.number,
        pick(STATUSES),
        surname,
        `${surname}**`,
        sealed,
        sealed,
        `hash-${i % 400_000}`,
        sealed,
        pick(REASONS),
        at,
        at,
        at,
        at,
      );
    }
  });
  for (let from = 0; from < VISITS; from += 50_000) batch(from, Math.min(VISITS, from + 50_000));
  for (const index of indexes) db.exec(index.sql);
  db.exec('ANALYZE');
  console.log(`inserted in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const day = (offsetDays: number) =>
    new Date(now - offsetDays * 86_400_000 + 8 * 3_600_000).toISOString().slice(0, 10);
  const base: VisitSearchForm = {
    from: '',
    to: '',
    buildingId: '',
    unitNumber: '',
    name: '',
    status: '',
    page: 1,
  };
  const buildings = [...new Set(units.map((u) => u.buildingId))];
  const kinds: [string, () => VisitSearchForm][] = [
    ['default (last 30 days)', () => base],
    [
      'one day',
      () => {
        const d = day(Math.floor(random() * 700));
        return { ...base, from: d, to: d };
      },
    ],
    ['building, 90 days', () => ({ ...base, buildingId: pick(buildings), from: day(90) })],
    [
      'building + unit, 1 year',
      () => {
        const u = pick(units);
        return { ...base, buildingId: u.buildingId, unitNumber: u.number, from: day(365) };
      },
    ],
    ['surname, 1 year', () => ({ ...base, name: `${pick(SURNAMES)}**`, from: day(365) })],
    [
      'surname + building, 2 years',
      () => ({ ...base, name: pick(SURNAMES), buildingId: pick(buildings), from: day(730) }),
    ],
    ['status see-guard, 1 year', () => ({ ...base, status: 'see-guard', from: day(365) })],
    ['page 5 of last 30 days', () => ({ ...base, page: 5 })],
  ];
  const time = (fn: () => unknown) => {
    const t0 = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const percentile = (values: number[], p: number) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
  };
  // warm-up (page cache, prepared statements)
  for (const [, make] of kinds) visitors.search('xingfuli', make());
  const all: number[] = [];
  const perKind: Record<string, number> = {};
  let rows = 0;
  for (const [name, make] of kinds) {
    const times: number[] = [];
    for (let i = 0; i < QUERIES / kinds.length; i++)
      times.push(time(() => (rows += visitors.search('xingfuli', make()).visits.length)));
    perKind[name] = Number(percentile(times, 95).toFixed(2));
    all.push(...times);
    console.log(`${name.padEnd(30)} p95 ${percentile(times, 95).toFixed(2)} ms`);
  }
  const ids = db.prepare('SELECT id FROM visits LIMIT 1000').pluck().all() as string[];
  const byId = db.prepare('SELECT * FROM visits WHERE id = ?');
  const baseline = ids.slice(0, QUERIES).map((id) => time(() => byId.get(id)));
  const p95 = percentile(all, 95);
  console.log(
    JSON.stringify({
      bench: 'visitor-search',
      value: Number(p95.toFixed(2)),
      unit: 'ms p95',
      p50Ms: Number(percentile(all, 50).toFixed(2)),
      maxMs: Number(Math.max(...all).toFixed(2)),
      visits: VISITS,
      queries: all.length,
      rowsReturned: rows,
      perKind,
      baseline: Number(percentile(baseline, 95).toFixed(3)),
      baselineUnit: 'ms p95, one primary-key lookup',
      target: 'p95<=50ms',
      pass: p95 <= 50,
    }),
  );
} finally {
  env.cleanup();
}
