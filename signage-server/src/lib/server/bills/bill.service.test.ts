import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_COMMUNITY_ID } from '../registry/demo-community';
import { CLERK, createTestPayments, type TestPayments } from '../testing/payments.fixture';
import { BILL_CSV_MAX_BYTES, propertyFee } from './bill.schema';

let t: TestPayments;
beforeEach(() => {
  t = createTestPayments();
});
afterEach(() => t.cleanup());

const HEADER = 'bill_id,building,unit,category,period,amount_fen,due_date';
const csv = (...rows: string[]) => new TextEncoder().encode([HEADER, ...rows].join('\n'));
const billCount = () => t.db.prepare('SELECT count(*) FROM bills').pluck().get();
const unit = () =>
  t.db
    .prepare(
      'SELECT b.code, u.number FROM units u JOIN buildings b ON b.id = u.building_id ORDER BY u.id LIMIT 1',
    )
    .get() as { code: string; number: string };

describe('bill CSV import', () => {
  it('imports a file; importing it again adds nothing (bill ids are idempotent)', () => {
    const { code, number } = unit();
    const file = csv(
      `W-1,${code},${number},water,2026-10,4650,2026-11-30`,
      `E-1,${code},${number},electricity,2026-10,12830,`,
    );
    expect(t.bills.importCsv(DEMO_COMMUNITY_ID, file, CLERK)).toEqual({
      ok: true,
      value: { imported: 2, alreadyPresent: 0 },
    });
    expect(t.bills.importCsv(DEMO_COMMUNITY_ID, file, CLERK)).toEqual({
      ok: true,
      value: { imported: 0, alreadyPresent: 2 },
    });
    expect(billCount()).toBe(2);
  });

  it('refuses the whole file when any row is bad and lists the bad rows', () => {
    const { code, number } = unit();
    const result = t.bills.importCsv(
      DEMO_COMMUNITY_ID,
      csv(
        `OK-1,${code},${number},water,2026-10,100,`,
        `BAD-1,${code},${number},water,2026-10,-5,`,
        `BAD-2,${code},${number},water,2026-10,12.50,`,
        `BAD-3,${code},${number},petrol,2026-10,100,`,
        `BAD-4,Z,999,water,2026-10,100,`,
        `BAD-5,${code},${number},water`,
        `OK-1,${code},${number},water,2026-10,100,`,
      ),
      CLERK,
    );
    expect(result.ok).toBe(false);
    expect(result.rows?.map((row) => [row.line, row.key])).toEqual([
      [3, 'bills.import.amount'],
      [4, 'bills.import.amount'],
      [5, 'bills.import.category'],
      [6, 'bills.import.unknownUnit'],
      [7, 'bills.import.columns'],
      [8, 'bills.import.duplicateInFile'],
    ]);
    expect(billCount()).toBe(0);
  });

  it('refuses an existing bill id with different data, an oversize file, a bad header', () => {
    const { code, number } = unit();
    t.bills.importCsv(DEMO_COMMUNITY_ID, csv(`W-1,${code},${number},water,2026-10,100,`), CLERK);
    const changed = t.bills.importCsv(
      DEMO_COMMUNITY_ID,
      csv(`W-2,${code},${number},water,2026-10,100,`, `W-1,${code},${number},water,2026-10,999,`),
      CLERK,
    );
    expect(changed.rows).toEqual([{ line: 3, key: 'bills.import.conflict', params: { id: 'W-1' } }]);
    expect(billCount()).toBe(1);
    expect(t.bills.importCsv(DEMO_COMMUNITY_ID, new Uint8Array(BILL_CSV_MAX_BYTES + 1), CLERK)).toMatchObject(
      { ok: false, error: { kind: 'too-large' } },
    );
    expect(
      t.bills.importCsv(DEMO_COMMUNITY_ID, new TextEncoder().encode('id,amount\n1,2'), CLERK),
    ).toMatchObject({ ok: false, error: { kind: 'header' } });
    expect(billCount()).toBe(1);
  });
});

describe('property fee rule', () => {
  it.each([
    [89.5, 250, 1, 22_375],
    [89.57, 250, 3, 67_178], // 8957 × 250 × 3 / 100 = 67177.5 → half up
    [100, 199, 12, 238_800],
  ])('area %f m² × %i fen × %i months = %i fen', (area, rate, months, expected) => {
    expect(propertyFee(area, rate, months)).toBe(expected);
  });

  it('generates one bill per unit, once', () => {
    const units = t.db.prepare('SELECT count(*) FROM units').pluck().get();
    const rule = { communityId: DEMO_COMMUNITY_ID, period: '2026-11', rateFenPerM2: 250, months: 1 };
    expect(t.bills.generatePropertyFees(rule, CLERK)).toEqual({
      ok: true,
      value: { created: units, alreadyPresent: 0 },
    });
    expect(t.bills.generatePropertyFees(rule, CLERK)).toEqual({
      ok: true,
      value: { created: 0, alreadyPresent: units },
    });
  });
});
