import type { Db } from '../db/database';
import type { BillCategory } from '@linli/content';

/** A stored online top-up order. */
export interface TopUpOrderRecord {
  id: string;
  provider: string;
  cardId: string;
  amount: number;
  status: 'pending' | 'paid' | 'failed';
  providerTradeNo: string | null;
  transactionId: number | null;
  qrPayload?: string;
  /** Who asked for it (`device:<id>`); null for orders from before migration 0016. */
  requestedBy?: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A refund waiting for (or past) a second person's approval. */
export interface RefundRequestRecord {
  id: string;
  cardId: string;
  billId: string;
  amount: number;
  reason: string;
  requestedBy: string;
  requestedAt: string;
  status: 'pending' | 'approved' | 'rejected';
  decidedBy: string | null;
  decidedAt: string | null;
  transactionId: number | null;
}

/** A daily close of one cash drawer. */
export interface DailyCloseRecord {
  drawerAccountId: string;
  businessDay: string;
  expected: number;
  counted: number;
  difference: number;
  closedBy: string;
  closedAt: string;
  transactionId: number | null;
}

const ORDER_SELECT = `SELECT id, provider, card_id AS cardId, amount, status, provider_trade_no AS providerTradeNo,
  transaction_id AS transactionId, requested_by AS requestedBy, created_at AS createdAt, updated_at AS updatedAt
  FROM topup_orders`;

/** SQL of top-up orders, refund requests and daily closes. */
export class PaymentRepository {
  constructor(readonly db: Db) {}

  insertOrder(order: Omit<TopUpOrderRecord, 'providerTradeNo' | 'transactionId' | 'status'>): void {
    this.db
      .prepare(
        `INSERT INTO topup_orders (id, provider, card_id, amount, status, created_at, updated_at, requested_by)
         VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)`,
      )
      .run(
        order.id,
        order.provider,
        order.cardId,
        order.amount,
        order.createdAt,
        order.updatedAt,
        order.requestedBy ?? null,
      );
  }

  getOrder(id: string): TopUpOrderRecord | null {
    return (this.db.prepare(`${ORDER_SELECT} WHERE id = ?`).get(id) as TopUpOrderRecord | undefined) ?? null;
  }

  settleOrder(
    id: string,
    status: 'paid' | 'failed',
    tradeNo: string,
    transactionId: number | null,
    at: string,
  ): void {
    this.db
      .prepare(
        'UPDATE topup_orders SET status = ?, provider_trade_no = ?, transaction_id = ?, updated_at = ? WHERE id = ?',
      )
      .run(status, tradeNo, transactionId, at, id);
  }

  /** A card's newest online top-up orders, whatever their state (index topup_orders_card). */
  ordersOfCard(cardId: string, limit = 20): TopUpOrderRecord[] {
    return this.db
      .prepare(`${ORDER_SELECT} WHERE card_id = ? ORDER BY created_at DESC LIMIT ?`)
      .all(cardId, limit) as TopUpOrderRecord[];
  }

  /** Closes every order still pending that was created before `before` (the open-orders index finds them). */
  expirePendingBefore(before: string, at: string): number {
    return this.db
      .prepare(
        "UPDATE topup_orders SET status = 'failed', updated_at = ? WHERE status = 'pending' AND created_at < ?",
      )
      .run(at, before).changes;
  }

  insertRefund(
    refund: Omit<RefundRequestRecord, 'status' | 'decidedBy' | 'decidedAt' | 'transactionId'>,
  ): void {
    this.db
      .prepare(
        `INSERT INTO refund_requests (id, card_id, bill_id, amount, reason, requested_by, requested_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')`,
      )
      .run(
        refund.id,
        refund.cardId,
        refund.billId,
        refund.amount,
        refund.reason,
        refund.requestedBy,
        refund.requestedAt,
      );
  }

  getRefund(id: string): RefundRequestRecord | null {
    return (
      (this.db.prepare(`${REFUND_SELECT} WHERE id = ?`).get(id) as RefundRequestRecord | undefined) ?? null
    );
  }

  pendingRefundForBill(billId: string): RefundRequestRecord | null {
    return (
      (this.db.prepare(`${REFUND_SELECT} WHERE bill_id = ? AND status = 'pending'`).get(billId) as
        RefundRequestRecord | undefined) ?? null
    );
  }

  listRefunds(limit = 100): RefundRequestRecord[] {
    return this.db
      .prepare(`${REFUND_SELECT} ORDER BY status = 'pending' DESC, requested_at DESC LIMIT ?`)
      .all(limit) as RefundRequestRecord[];
  }

  decideRefund(
    id: string,
    status: 'approved' | 'rejected',
    by: string,
    at: string,
    transactionId: number | null,
  ) {
    this.db
      .prepare(
        `UPDATE refund_requests SET status = ?, decided_by = ?, decided_at = ?, transaction_id = ?
         WHERE id = ? AND status = 'pending'`,
      )
      .run(status, by, at, transactionId, id);
  }

  insertClose(close: DailyCloseRecord): void {
    this.db
      .prepare(
        `INSERT INTO daily_closes (drawer_account_id, business_day, expected, counted, difference, closed_by,
           closed_at, transaction_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        close.drawerAccountId,
        close.businessDay,
        close.expected,
        close.counted,
        close.difference,
        close.closedBy,
        close.closedAt,
        close.transactionId,
      );
  }

  getClose(drawerAccountId: string, day: string): DailyCloseRecord | null {
    return (
      (this.db
        .prepare(`${CLOSE_SELECT} WHERE drawer_account_id = ? AND business_day = ?`)
        .get(drawerAccountId, day) as DailyCloseRecord | undefined) ?? null
    );
  }

  listCloses(limit = 30): DailyCloseRecord[] {
    return this.db
      .prepare(`${CLOSE_SELECT} ORDER BY closed_at DESC LIMIT ?`)
      .all(limit) as DailyCloseRecord[];
  }

  /**
   * What the billers are owed for a period, from the ledger: one line per bill a payment in the period paid, and a
   * negative line per refund made in it. Bills change state (a refund makes one unpaid again) but transactions do
   * not, so a period's statement never changes afterwards, and a bill paid, refunded and paid again shows all three.
   */
  settlementLines(communityId: string, from: string, to: string): SettlementLine[] {
    return this.db
      .prepare(
        // a payment's reference is its bill ids joined by commas; bill ids are [\w.:-] only (BillCsvRow and the
        // property-fee rule), so quoting them into a JSON array is safe
        `SELECT bl.category, bl.id AS billId, b.code AS building, u.number AS unit, bl.period, bl.amount, t.at,
                t.id AS transactionId, 'payment' AS kind
         FROM ledger_transactions t
         JOIN json_each('["' || replace(t.reference, ',', '","') || '"]') j
         JOIN bills bl ON bl.id = j.value
         JOIN units u ON u.id = bl.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE t.kind = 'bill-payment' AND t.at >= @from AND t.at < @to AND b.community_id = @community
         UNION ALL
         SELECT bl.category, bl.id, b.code, u.number, bl.period, -r.amount, t.at, t.id, 'refund'
         FROM ledger_transactions t
         JOIN refund_requests r ON r.transaction_id = t.id
         JOIN bills bl ON bl.id = r.bill_id
         JOIN units u ON u.id = bl.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE t.kind = 'refund' AND t.at >= @from AND t.at < @to AND b.community_id = @community
         ORDER BY 1, 7, 8, 2`,
      )
      .all({ community: communityId, from, to }) as SettlementLine[];
  }

  /**
   * The newest `limit` movements of a wallet with the balance after each, and what each was about as data: the
   * bills a payment paid (its reference lists their ids, split as in `settlementLines`) or a refund gave back, and
   * an online top-up's trade number. Refunds and top-ups are found by the id in their reference (`refund:<id>`,
   * `order:<id>`): primary-key lookups, where their `transaction_id` columns have no index.
   */
  statementLines(walletAccountId: string, limit: number): StatementLine[] {
    const rows = this.db
      .prepare(
        `SELECT t.kind, t.at, t.memo, e.amount, SUM(e.amount) OVER (ORDER BY e.id) AS balanceAfter,
                CASE t.kind
                  WHEN 'bill-payment' THEN (
                    SELECT json_group_array(json_object('category', bl.category, 'period', bl.period))
                    FROM json_each('["' || replace(t.reference, ',', '","') || '"]') j JOIN bills bl ON bl.id = j.value)
                  WHEN 'refund' THEN (
                    SELECT json_group_array(json_object('category', bl.category, 'period', bl.period))
                    FROM refund_requests r JOIN bills bl ON bl.id = r.bill_id
                    WHERE r.id = substr(t.reference, length('refund:') + 1))
                END AS bills,
                CASE t.kind WHEN 'topup-online' THEN (
                  SELECT o.provider_trade_no FROM topup_orders o WHERE o.id = substr(t.reference, length('order:') + 1))
                END AS tradeNo
         FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
         WHERE e.account_id = ? ORDER BY e.id DESC LIMIT ?`,
      )
      .all(walletAccountId, limit) as (Omit<StatementLine, 'bills'> & { bills: string | null })[];
    return rows.map((row) => ({
      ...row,
      bills: row.bills ? (JSON.parse(row.bills) as StatementLine['bills']) : [],
    }));
  }

  /**
   * A household's bills for its statement at the station: each with when it was paid and by which card (the card
   * of the paying transaction), and whether a refund of it waits for approval.
   */
  householdBills(unitId: string, limit = 200): HouseholdBill[] {
    const rows = this.db
      .prepare(
        `SELECT bl.id, bl.category, bl.period, bl.amount, bl.due_date AS dueDate, bl.status, bl.paid_at AS paidAt,
                t.card_id AS paidCardId, c.uid AS paidCardUid,
                EXISTS (SELECT 1 FROM refund_requests r WHERE r.bill_id = bl.id AND r.status = 'pending')
                  AS refundPending
         FROM bills bl
         LEFT JOIN ledger_transactions t ON t.id = bl.paid_transaction_id
         LEFT JOIN cards c ON c.id = t.card_id
         WHERE bl.unit_id = ? ORDER BY bl.period DESC, bl.category, bl.id LIMIT ?`,
      )
      .all(unitId, limit) as (Omit<HouseholdBill, 'refundPending'> & { refundPending: 0 | 1 })[];
    return rows.map((row) => ({ ...row, refundPending: row.refundPending === 1 }));
  }

  /**
   * The online top-ups credited in a period for a community's cards, per provider: what the providers owe us, to
   * hold against their own daily statements. Read from the ledger's `topup-online` transactions (index on `at`);
   * each one's order is found by the id in its reference.
   */
  creditedTopUps(communityId: string, from: string, to: string): CreditedTopUp[] {
    return this.db
      .prepare(
        `SELECT o.provider, o.id AS orderId, o.provider_trade_no AS tradeNo, o.amount, t.at, t.id AS transactionId
         FROM ledger_transactions t
         JOIN topup_orders o ON o.id = substr(t.reference, length('order:') + 1)
         JOIN cards c ON c.id = o.card_id
         JOIN units u ON u.id = c.unit_id JOIN buildings b ON b.id = u.building_id
         WHERE t.kind = 'topup-online' AND t.at >= @from AND t.at < @to AND b.community_id = @community
         ORDER BY o.provider, t.at, t.id`,
      )
      .all({ community: communityId, from, to }) as CreditedTopUp[];
  }

  /** Money through a drawer during a period, by transaction kind (fen the drawer took in: positive). */
  drawerMovements(drawerAccountId: string, from: string, to: string): { kind: string; amount: number }[] {
    return this.db
      .prepare(
        `SELECT t.kind, -SUM(e.amount) AS amount FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id
         WHERE e.account_id = ? AND t.at >= ? AND t.at < ? AND t.kind <> 'settlement' GROUP BY t.kind ORDER BY t.kind`,
      )
      .all(drawerAccountId, from, to) as { kind: string; amount: number }[];
  }
}

/** An online top-up credited to a card (`PaymentRepository.creditedTopUps`). */
export interface CreditedTopUp {
  provider: string;
  orderId: string;
  tradeNo: string;
  amount: number;
  at: string;
  transactionId: number;
}

/** A bill on a household's statement (`PaymentRepository.householdBills`). */
export interface HouseholdBill {
  id: string;
  category: BillCategory;
  period: string;
  amount: number;
  dueDate: string | null;
  status: 'unpaid' | 'paid';
  paidAt: string | null;
  paidCardId: string | null;
  paidCardUid: string | null;
  refundPending: boolean;
}

/** One movement of a card's wallet (`PaymentRepository.statementLines`). */
export interface StatementLine {
  kind: string;
  at: string;
  memo: string;
  /** Signed fen: positive in, negative out of the wallet. */
  amount: number;
  balanceAfter: number;
  bills: { category: BillCategory; period: string }[];
  tradeNo: string | null;
}

/** One line of the biller settlement statement (`PaymentRepository.settlementLines`). */
export interface SettlementLine {
  category: string;
  billId: string;
  building: string;
  unit: string;
  period: string;
  /** Fen: positive for a payment, negative for a refund. */
  amount: number;
  at: string;
  transactionId: number;
  kind: 'payment' | 'refund';
}

const REFUND_SELECT = `SELECT id, card_id AS cardId, bill_id AS billId, amount, reason, requested_by AS requestedBy,
  requested_at AS requestedAt, status, decided_by AS decidedBy, decided_at AS decidedAt,
  transaction_id AS transactionId FROM refund_requests`;

const CLOSE_SELECT = `SELECT drawer_account_id AS drawerAccountId, business_day AS businessDay, expected, counted,
  difference, closed_by AS closedBy, closed_at AS closedAt, transaction_id AS transactionId FROM daily_closes`;
