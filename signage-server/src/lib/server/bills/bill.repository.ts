import type { Db } from '../db/database';
import type { BillRecord } from './bill.schema';

const SELECT = `SELECT id, unit_id AS unitId, category, period, amount, due_date AS dueDate, status, source,
  paid_transaction_id AS paidTransactionId, paid_at AS paidAt, created_at AS createdAt FROM bills`;

/** SQL of bills. */
export class BillRepository {
  private readonly statements;

  constructor(readonly db: Db) {
    this.statements = {
      get: db.prepare(`${SELECT} WHERE id = ?`),
      insert: db.prepare(
        `INSERT INTO bills (id, unit_id, category, period, amount, due_date, status, source, created_at)
         VALUES (@id, @unitId, @category, @period, @amount, @dueDate, 'unpaid', @source, @createdAt)`,
      ),
      insertIgnore: db.prepare(
        `INSERT OR IGNORE INTO bills (id, unit_id, category, period, amount, due_date, status, source, created_at)
         VALUES (@id, @unitId, @category, @period, @amount, @dueDate, 'unpaid', @source, @createdAt)`,
      ),
      unpaidOfUnit: db.prepare(
        `${SELECT} WHERE unit_id = ? AND status = 'unpaid' ORDER BY period, category, id`,
      ),
      ofUnit: db.prepare(`${SELECT} WHERE unit_id = ? ORDER BY period DESC, category, id LIMIT ?`),
      markPaid: db.prepare(
        "UPDATE bills SET status = 'paid', paid_transaction_id = ?, paid_at = ? WHERE id = ? AND status = 'unpaid'",
      ),
      markUnpaid: db.prepare(
        "UPDATE bills SET status = 'unpaid', paid_transaction_id = NULL, paid_at = NULL WHERE id = ? AND status = 'paid'",
      ),
      unitsByCode: db.prepare(
        `SELECT u.id, b.code AS building, u.number AS unit, u.area_m2 AS areaM2 FROM units u
         JOIN buildings b ON b.id = u.building_id WHERE b.community_id = ?`,
      ),
    };
  }

  get(id: string): BillRecord | null {
    return (this.statements.get.get(id) as BillRecord | undefined) ?? null;
  }

  insert(
    bill: Pick<
      BillRecord,
      'id' | 'unitId' | 'category' | 'period' | 'amount' | 'dueDate' | 'source' | 'createdAt'
    >,
  ): void {
    this.statements.insert.run(bill);
  }

  /** Inserts unless the id exists; true when inserted. */
  insertIfAbsent(
    bill: Pick<
      BillRecord,
      'id' | 'unitId' | 'category' | 'period' | 'amount' | 'dueDate' | 'source' | 'createdAt'
    >,
  ): boolean {
    return this.statements.insertIgnore.run(bill).changes === 1;
  }

  unpaidOfUnit(unitId: string): BillRecord[] {
    return this.statements.unpaidOfUnit.all(unitId) as BillRecord[];
  }

  ofUnit(unitId: string, limit = 200): BillRecord[] {
    return this.statements.ofUnit.all(unitId, limit) as BillRecord[];
  }

  /** Marks an unpaid bill paid; false when it was not unpaid (someone paid it first). */
  markPaid(id: string, transactionId: number, at: string): boolean {
    return this.statements.markPaid.run(transactionId, at, id).changes === 1;
  }

  markUnpaid(id: string): boolean {
    return this.statements.markUnpaid.run(id).changes === 1;
  }

  /** Units of a community keyed `<building code>/<unit number>`. */
  unitsOfCommunity(communityId: string): Map<string, { id: string; areaM2: number }> {
    const rows = this.statements.unitsByCode.all(communityId) as {
      id: string;
      building: string;
      unit: string;
      areaM2: number;
    }[];
    return new Map(rows.map((row) => [`${row.building}/${row.unit}`, { id: row.id, areaM2: row.areaM2 }]));
  }
}
