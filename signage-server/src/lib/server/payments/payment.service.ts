import crypto from 'node:crypto';
import { type BillV1, type CardSummaryV1, type PaymentReceiptV1, type StatementV1 } from '@linli/content';
import type { AuditService } from '../audit/audit.service';
import type { BillService } from '../bills/bill.service';
import type { BillRecord } from '../bills/bill.schema';
import type { CardService, CardActor, PinCheck } from '../cards/card.service';
import { maskName, type CardRecord } from '../cards/card.schema';
import type { Clock } from '../clock';
import { accountIds, businessDayOf, businessDayRange } from '../ledger/ledger.schema';
import {
  onceResult,
  onceResultBatched,
  type IdempotencyContext,
  type LedgerService,
} from '../ledger/ledger.service';
import { csvWithTotals } from '../csv';
import { err, ok, type Result } from '../result';
import type { PaymentProvider } from './payment-provider';
import type {
  DailyCloseRecord,
  HouseholdBill,
  PaymentRepository,
  RefundRequestRecord,
  TopUpOrderRecord,
} from './payment.repository';

/** Default: payments above ¥200 need the PIN. */
export const DEFAULT_PIN_REQUIRED_ABOVE = 20_000;

/** What the payment service is built on. */
export interface PaymentServiceDeps {
  repository: PaymentRepository;
  ledger: LedgerService;
  cards: CardService;
  bills: BillService;
  audit: Pick<AuditService, 'record'>;
  clock: Clock;
  hashKey: Buffer;
  providers: PaymentProvider[];
  /** Keyed hash of a phone number, as the registry stores it. */
  phoneHash: (phone: string) => string;
  pinRequiredAbove?: number;
  /** The provider the kiosks' online top-ups go through, or null when online top-up is off. */
  onlineTopUpProvider?: string | null;
  /** LINLI_PUBLIC_URL: e-receipt links are absolute under it (else a path the kiosk puts under its server URL). */
  publicUrl?: string | undefined;
}

const toBillV1 = (bill: BillRecord): BillV1 => ({
  id: bill.id,
  category: bill.category,
  period: bill.period,
  amount: bill.amount,
  dueDate: bill.dueDate,
  status: bill.status,
});

/** A bill payment as the device API takes it. */
export interface PayBillsRequest {
  uid: string;
  billIds: string[];
  pin?: string;
}

/** What a bill payment answers (a replay is marked; failures may carry parameters such as tries left). */
export type PayBillsResult = Result<
  PaymentReceiptV1,
  | 'card-unknown'
  | 'card-blocked'
  | 'card-locked'
  | 'pin-required'
  | 'wrong-pin'
  | 'insufficient-balance'
  | 'daily-limit'
  | 'bill-unavailable'
  | 'idempotency-mismatch'
> & { replayed?: boolean; params?: Record<string, string | number> };

/** A payment whose PIN (if any) has been checked: everything the write half needs, as plain data. */
export interface CheckedPayment {
  request: PayBillsRequest;
  idempotency: IdempotencyContext;
  /** The keyed hash of the request (`payRequestBody`), computed before the write half. */
  requestHash: string;
  /** The PIN hash the PIN was checked against (the write half notices a change), or null without a PIN. */
  pinHashChecked: string | null;
  pinCheck: PinCheck;
}

/** The payments writer as the service sees it (`PaymentWriter`, payment-writer.ts). */
export interface PaymentWriterLike {
  settle(payment: CheckedPayment): Promise<PayBillsResult>;
  close(): Promise<void>;
}

/** What identifies "the same payment request" for its idempotency key (the PIN is hashed with it, never stored). */
const payRequestBody = (request: PayBillsRequest) => ({
  op: 'pay',
  uid: request.uid,
  billIds: [...request.billIds].sort(),
  pin: request.pin ?? null,
});

/**
 * Money at the kiosk and the station: paying bills with the card, cash top-ups, online top-ups through a
 * provider, refunds with a second person's approval, and the daily close of the cash drawer. Every money-moving
 * operation runs under an idempotency key, in one transaction with its ledger entries.
 */
export class PaymentService {
  readonly pinRequiredAbove: number;
  private readonly providers: Map<string, PaymentProvider>;
  /** The hash key imported once: `createHmac` with a Buffer imports it again for every receipt. */
  private readonly hmacKey: crypto.KeyObject;
  /** The start of the last business day asked for: computed once a day, not once a payment. */
  private dayStart = { day: '', from: '' };
  /** Where the write half runs when not here: the payments writer thread (`payment-writer.ts`). */
  private writer: PaymentWriterLike | null = null;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.pinRequiredAbove = deps.pinRequiredAbove ?? DEFAULT_PIN_REQUIRED_ABOVE;
    this.providers = new Map(deps.providers.map((p) => [p.id, p]));
    this.hmacKey = crypto.createSecretKey(deps.hashKey);
  }

  private now(): string {
    return this.deps.clock.now().toISOString();
  }

  /** Hands the write half of `payBills` to a writer (null: back to this thread's connection). */
  useWriter(writer: PaymentWriterLike | null): void {
    this.writer = writer;
  }

  /** Shutdown: lets the writer finish every payment it holds (later ones are written on this thread). */
  async closeWriter(): Promise<void> {
    await this.writer?.close();
  }

  provider(id: string): PaymentProvider | null {
    return this.providers.get(id) ?? null;
  }

  /** The provider the kiosks' online top-ups use, or null when online top-up is off. */
  onlineTopUpProvider(): string | null {
    const id = this.deps.onlineTopUpProvider ?? null;
    return id !== null && this.providers.has(id) ? id : null;
  }

  /** The e-receipt id of a payment: its transaction id and a keyed tag, so receipts cannot be enumerated. */
  receiptId(transactionId: number): string {
    const tag = crypto.createHmac('sha256', this.hmacKey).update(`receipt:${transactionId}`).digest('hex');
    return `${transactionId}-${tag.slice(0, 16)}`;
  }

  /** The transaction a receipt id names, when its tag is right. */
  transactionOfReceipt(receiptId: string): number | null {
    const match = /^(\d{1,12})-[0-9a-f]{16}$/.exec(receiptId);
    if (!match) return null;
    const id = Number(match[1]);
    return this.receiptId(id) === receiptId ? id : null;
  }

  private spentToday(card: Pick<CardRecord, 'walletAccountId'>): number {
    const day = businessDayOf(this.deps.clock.now());
    if (this.dayStart.day !== day) this.dayStart = { day, from: businessDayRange(day).from };
    return this.deps.ledger.repository.spentSince(card.walletAccountId, this.dayStart.from);
  }

  /** A tapped card: masked holder, balance, limits and the household's unpaid bills. Blocked cards are refused. */
  lookup(uid: string): Result<CardSummaryV1, 'card-unknown' | 'card-blocked' | 'card-locked'> {
    const record = this.deps.cards.getByUid(uid);
    if (!record) return err('card-unknown', 'unknown card');
    if (record.status !== 'active') return err('card-blocked', `card is ${record.status}`);
    if (record.pinLockedAt) return err('card-locked', 'too many wrong PINs: a clerk must unlock the card');
    const card = this.deps.cards.view(record.id)!;
    return ok({
      cardId: card.id,
      holderMasked: maskName(card.holderName),
      unitLabel: `${card.buildingName} ${card.unitNumber}`,
      balance: card.balance,
      dailyLimit: card.dailyLimit,
      spentToday: this.spentToday(record),
      pinRequiredAbove: this.pinRequiredAbove,
      unpaidBills: this.deps.bills.unpaidOfUnit(card.unitId).map(toBillV1),
      onlineTopUp: this.onlineTopUpProvider() !== null,
    });
  }

  /**
   * Pays bills of the card's household. The PIN (when given) is checked before the write transaction because
   * scrypt is slow; inside it the card, bills, balance and daily limit are checked again and the ledger entries,
   * the bills' paid state and the idempotency key are written together.
   */
  payBills(request: PayBillsRequest, idempotency: IdempotencyContext): Promise<PayBillsResult> {
    const settled = this.checkAndSettle(request, idempotency);
    const publicUrl = this.deps.publicUrl;
    // the e-receipt's QR code is opened on a phone, which reaches the server by its public address, not
    // necessarily by the one the kiosk uses (without one, the hot path takes no extra step)
    if (!publicUrl) return settled;
    return settled.then((result) =>
      result.ok
        ? {
            ...result,
            value: { ...result.value, receiptUrl: new URL(result.value.receiptUrl, publicUrl).href },
          }
        : result,
    );
  }

  private async checkAndSettle(
    request: PayBillsRequest,
    idempotency: IdempotencyContext,
  ): Promise<PayBillsResult> {
    const { ledger, cards } = this.deps;
    // scrypt is slow, so a PIN is checked before the batch (against the hash read now; `admit` notices a change).
    // Without a PIN there is nothing slow to do first: the batch itself replays a key that was already used.
    let pinHashChecked: string | null = null;
    let pinCheck: PinCheck = 'not-given';
    const requestHash = ledger.requestHash(payRequestBody(request));
    if (request.pin !== undefined) {
      const earlier = ledger.lookup(idempotency.scope, idempotency.key, requestHash);
      if (earlier) {
        if (!earlier.ok) return err('idempotency-mismatch', earlier.error.message);
        return { ...(earlier.answer.body as Result<PaymentReceiptV1, 'card-unknown'>), replayed: true };
      }
      const before = cards.getByUid(request.uid);
      if (before) {
        pinHashChecked = before.pinHash;
        pinCheck = await cards.checkPin(before, request.pin);
      }
    }
    const checked = { request, idempotency, requestHash, pinHashChecked, pinCheck };
    return this.writer ? this.writer.settle(checked) : this.settlePayment(checked);
  }

  /**
   * The write half of `payBills`, after the PIN check: one piece of the group commit (`LedgerService.batched`).
   * Takes only plain data, so that it runs wherever the write connection lives: here, or in the payments writer
   * thread on its own connection (docs/ledger.md).
   */
  settlePayment({
    request,
    idempotency,
    requestHash,
    pinHashChecked,
    pinCheck,
  }: CheckedPayment): Promise<PayBillsResult> {
    const { ledger, cards, bills } = this.deps;
    return onceResultBatched(ledger, idempotency, requestHash, () => {
      const found = cards.getByUid(request.uid);
      if (!found) return err('card-unknown', 'unknown card');
      if (found.status !== 'active') return err('card-blocked', `card is ${found.status}`);
      const billIds = [...new Set(request.billIds)];
      const selected: BillRecord[] = [];
      for (const id of billIds) {
        const bill = bills.get(id);
        if (!bill || bill.unitId !== found.unitId || bill.status !== 'unpaid') {
          return err('bill-unavailable', `bill ${id} is not an unpaid bill of this household`, {
            billId: id,
          });
        }
        selected.push(bill);
      }
      const total = selected.reduce((sum, bill) => sum + bill.amount, 0);
      const admitted = cards.admitRecord(found, pinHashChecked, pinCheck, total > this.pinRequiredAbove);
      if (!admitted.ok) return admitted;
      const card = admitted.value;
      if (this.spentToday(card) + total > card.dailyLimit) {
        return err('daily-limit', 'this payment would pass the daily spending limit', {
          limit: card.dailyLimit,
        });
      }
      const perCategory = new Map<string, number>();
      for (const bill of selected)
        perCategory.set(bill.category, (perCategory.get(bill.category) ?? 0) + bill.amount);
      // every category's payable exists (migration 0013): no insert-if-missing on the hot path
      const posted = ledger.post({
        kind: 'bill-payment',
        actor: idempotency.scope,
        cardId: card.id,
        reference: billIds.join(','),
        memo: selected.map((bill) => `${bill.category} ${bill.period}`).join('; '),
        legs: [
          { accountId: card.walletAccountId, amount: -total },
          ...[...perCategory].map(([category, amount]) => ({
            accountId: accountIds.payable(category),
            amount,
          })),
        ],
      });
      if (!posted.ok) {
        if (posted.error.kind === 'insufficient-balance')
          return err('insufficient-balance', posted.error.message);
        throw new Error(`payment posting failed: ${posted.error.message}`);
      }
      for (const bill of selected) {
        if (!bills.repository.markPaid(bill.id, posted.value.id, posted.value.at)) {
          throw new Error(`bill ${bill.id} changed inside the payment transaction`);
        }
      }
      const receiptId = this.receiptId(posted.value.id);
      return ok({
        receiptId,
        amount: total,
        balanceAfter: posted.value.balancesAfter.get(card.walletAccountId)!,
        bills: selected.map((bill) => ({ ...toBillV1(bill), status: 'paid' as const })),
        at: posted.value.at,
        receiptUrl: `/receipts/${receiptId}`,
      });
    });
  }

  /** The card's latest movements (a blocked card still gets its statement at the station, not at a kiosk). */
  statement(cardId: string, limit = 50): StatementV1 | null {
    const card = this.deps.cards.view(cardId);
    if (!card) return null;
    return {
      cardId: card.id,
      balance: card.balance,
      lines: this.deps.repository.statementLines(card.walletAccountId, limit),
    };
  }

  /**
   * A household's statement for the station: every card of the unit with its state and balance, and the unit's
   * bills with when and by which card each was paid.
   */
  householdStatement(unitId: string): {
    cards: { id: string; uid: string; holderName: string; status: string; balance: number }[];
    bills: HouseholdBill[];
  } {
    return {
      cards: this.deps.cards.repository
        .ofUnit(unitId)
        .map(({ id, uid, holderName, status, balance }) => ({ id, uid, holderName, status, balance })),
      bills: this.deps.repository.householdBills(unitId),
    };
  }

  /** The kiosk's statement: by tapped card, active cards only. */
  statementByUid(uid: string): Result<StatementV1, 'card-unknown' | 'card-blocked'> {
    const record = this.deps.cards.getByUid(uid);
    if (!record) return err('card-unknown', 'unknown card');
    if (record.status !== 'active') return err('card-blocked', `card is ${record.status}`);
    return ok(this.statement(record.id)!);
  }

  /** The kiosk's lost-card report after ID number + phone verification. */
  reportLost(idNumber: string, phone: string, device: string) {
    return this.deps.cards.reportLostByIdentity(idNumber, this.deps.phoneHash(phone), device);
  }

  /** A cash top-up at the station: the drawer takes the cash, the wallet is credited. */
  topUpCash(
    cardId: string,
    amount: number,
    actor: CardActor,
    idempotency: IdempotencyContext,
  ): Result<
    { balance: number; transactionId: number },
    'invalid' | 'not-found' | 'card-blocked' | 'idempotency-mismatch'
  > & {
    replayed?: boolean;
  } {
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > 100_000_000) {
      return err('invalid', 'amount must be a positive integer of fen');
    }
    const { ledger, cards } = this.deps;
    return onceResult(ledger, idempotency, { op: 'topup-cash', cardId, amount }, () => {
      const card = cards.view(cardId);
      if (!card) return err('not-found', 'no such card');
      if (card.status !== 'active') return err('card-blocked', `card is ${card.status}`);
      const drawer = accountIds.cashDrawer(card.communityId);
      ledger.ensureAccount(drawer, 'cash-drawer', `cash drawer ${card.communityId}`);
      const posted = ledger.post({
        kind: 'topup-cash',
        actor: actor.username,
        cardId: card.id,
        memo: 'cash top-up',
        legs: [
          { accountId: drawer, amount: -amount },
          { accountId: card.walletAccountId, amount },
        ],
      });
      if (!posted.ok) throw new Error(`top-up posting failed: ${posted.error.message}`);
      this.deps.audit.record({
        actor,
        action: 'card.topup-cash',
        target: `card:${card.id}`,
        detail: { amount },
      });
      return ok({ balance: ledger.balance(card.walletAccountId), transactionId: posted.value.id });
    });
  }

  /** Starts an online top-up: the provider registers the order and gives the QR payload. */
  async createTopUpOrder(
    request: { uid: string; amount: number },
    providerId: string,
    idempotency: IdempotencyContext,
    siteUrl: string,
  ): Promise<
    Result<
      TopUpOrderRecord & { qrPayload: string },
      'card-unknown' | 'card-blocked' | 'not-found' | 'idempotency-mismatch'
    >
  > {
    const provider = this.provider(providerId);
    if (!provider) return err('not-found', 'no such provider');
    const { ledger, cards } = this.deps;
    const requestBody = { op: 'topup-order', provider: providerId, ...request };
    const earlier = ledger.lookup(idempotency.scope, idempotency.key, ledger.requestHash(requestBody));
    if (earlier) {
      if (!earlier.ok) return err('idempotency-mismatch', earlier.error.message);
      return earlier.answer.body as Result<TopUpOrderRecord & { qrPayload: string }, 'card-unknown'>;
    }
    const orderId = `T${Date.now().toString(36)}${crypto.randomBytes(6).toString('hex')}`.toUpperCase();
    const { qrPayload } = await provider.createOrder({
      orderId,
      amount: request.amount,
      description: 'Linli top-up',
      siteUrl,
    });
    return onceResult(ledger, idempotency, requestBody, () => {
      const card = cards.getByUid(request.uid);
      if (!card) return err('card-unknown', 'unknown card');
      if (card.status !== 'active') return err('card-blocked', `card is ${card.status}`);
      const at = this.now();
      this.deps.repository.insertOrder({
        id: orderId,
        provider: providerId,
        cardId: card.id,
        amount: request.amount,
        createdAt: at,
        updatedAt: at,
        requestedBy: idempotency.scope,
      });
      return ok({ ...this.deps.repository.getOrder(orderId)!, qrPayload });
    });
  }

  getOrder(orderId: string): TopUpOrderRecord | null {
    return this.deps.repository.getOrder(orderId);
  }

  /** A card's latest online top-up orders, for the clerk who is asked "I paid on my phone but see nothing". */
  ordersOfCard(cardId: string): TopUpOrderRecord[] {
    return this.deps.repository.ordersOfCard(cardId);
  }

  /**
   * A provider's asynchronous notice. Authentic notices are applied at most once per order: the first `paid`
   * credits the wallet (following the card's replacements, so a top-up for a card replaced meanwhile reaches the
   * new card); repeats are acknowledged without effect; a `failed` arriving after `paid` (out of order) is ignored,
   * and a `paid` after `failed` still credits, because the provider has the payer's money.
   */
  handleCallback(
    providerId: string,
    rawBody: string,
    signature: string | null,
  ): Result<
    { orderId: string; status: string; credited: boolean },
    'bad-signature' | 'not-found' | 'invalid'
  > {
    const provider = this.provider(providerId);
    if (!provider) return err('not-found', 'no such provider');
    const notice = provider.verifyCallback(rawBody, signature);
    if (!notice) return err('bad-signature', 'callback signature is not valid');
    const { ledger, cards, repository } = { ...this.deps };
    return ledger.transaction(() => {
      const order = repository.getOrder(notice.orderId);
      if (!order || order.provider !== providerId) return err('not-found', 'no such order');
      if (notice.amount !== order.amount) return err('invalid', 'amount does not match the order');
      if (order.status === 'paid' || notice.status === 'failed') {
        if (order.status === 'pending' && notice.status === 'failed') {
          repository.settleOrder(order.id, 'failed', notice.tradeNo, null, this.now());
        }
        return ok({ orderId: order.id, status: repository.getOrder(order.id)!.status, credited: false });
      }
      let card = cards.repository.get(order.cardId)!;
      while (card.status === 'replaced' && card.replacedBy) card = cards.repository.get(card.replacedBy)!;
      const clearing = accountIds.topUpClearing(providerId);
      ledger.ensureAccount(clearing, 'topup-clearing', `top-up clearing ${providerId}`);
      const posted = ledger.post({
        kind: 'topup-online',
        actor: `provider:${providerId}`,
        cardId: card.id,
        reference: `order:${order.id}`,
        memo: `online top-up ${notice.tradeNo}`,
        legs: [
          { accountId: clearing, amount: -order.amount },
          { accountId: card.walletAccountId, amount: order.amount },
        ],
      });
      if (!posted.ok) throw new Error(`top-up posting failed: ${posted.error.message}`);
      repository.settleOrder(order.id, 'paid', notice.tradeNo, posted.value.id, this.now());
      return ok({ orderId: order.id, status: 'paid', credited: true });
    });
  }

  /**
   * Closes online top-up orders nobody paid within `hours` (a resident who walked away from the QR code), as the
   * providers close theirs, so the outbox of orders awaiting a callback only holds live ones. Nothing is lost: a
   * `paid` notice arriving later still credits the card (see `handleCallback`).
   */
  expireTopUpOrders(hours: number): number {
    const now = this.deps.clock.now();
    const before = new Date(now.getTime() - hours * 3_600_000).toISOString();
    return this.deps.repository.expirePendingBefore(before, now.toISOString());
  }

  /** Asks for a refund of one paid bill; a second person approves it. No money moves yet. */
  requestRefund(
    billId: string,
    reason: string,
    actor: CardActor,
  ): Result<RefundRequestRecord, 'not-found' | 'invalid' | 'duplicate'> {
    const { ledger, bills, repository } = this.deps;
    if (!reason.trim() || reason.length > 500) return err('invalid', 'a reason is required');
    return ledger.transaction(() => {
      const bill = bills.get(billId);
      if (!bill) return err('not-found', 'no such bill');
      if (bill.status !== 'paid' || bill.paidTransactionId === null)
        return err('invalid', 'only a paid bill is refunded');
      if (repository.pendingRefundForBill(billId))
        return err('duplicate', 'a refund of this bill is already waiting');
      const payment = ledger.repository.getTransaction(bill.paidTransactionId)!;
      const id = crypto.randomUUID();
      repository.insertRefund({
        id,
        cardId: payment.cardId!,
        billId,
        amount: bill.amount,
        reason: reason.trim(),
        requestedBy: actor.username,
        requestedAt: this.now(),
      });
      this.deps.audit.record({ actor, action: 'refund.request', target: `bill:${billId}`, detail: { id } });
      return ok(repository.getRefund(id)!);
    });
  }

  listRefunds(): RefundRequestRecord[] {
    return this.deps.repository.listRefunds();
  }

  /**
   * Approves or rejects a refund. The approver must be someone other than the requester (four eyes). Approval
   * posts a reversing transaction (biller payable → wallet of the paying card, or of its replacement) and marks
   * the bill unpaid again, in one transaction.
   */
  decideRefund(
    refundId: string,
    approve: boolean,
    actor: CardActor,
    idempotency: IdempotencyContext,
  ): Result<RefundRequestRecord, 'not-found' | 'same-person' | 'invalid' | 'idempotency-mismatch'> {
    const { ledger, bills, cards, repository } = this.deps;
    return onceResult(ledger, idempotency, { op: 'refund.decide', refundId, approve }, () => {
      const refund = repository.getRefund(refundId);
      if (!refund) return err('not-found', 'no such refund');
      if (refund.status !== 'pending') return err('invalid', `refund is ${refund.status}`);
      if (refund.requestedBy === actor.username) return err('same-person', 'a second person must approve');
      const at = this.now();
      if (!approve) {
        repository.decideRefund(refund.id, 'rejected', actor.username, at, null);
        this.deps.audit.record({ actor, action: 'refund.reject', target: `refund:${refund.id}` });
        return ok(repository.getRefund(refund.id)!);
      }
      const bill = bills.get(refund.billId)!;
      if (bill.status !== 'paid') return err('invalid', 'the bill is no longer paid');
      let card = cards.repository.get(refund.cardId)!;
      while (card.status === 'replaced' && card.replacedBy) card = cards.repository.get(card.replacedBy)!;
      // a closed card is credited too: its page then offers the clerk to pay that out in cash (CardService.close)
      const posted = ledger.post({
        kind: 'refund',
        actor: actor.username,
        cardId: card.id,
        reference: `refund:${refund.id}`,
        reverses: bill.paidTransactionId,
        memo: `refund ${bill.category} ${bill.period}`,
        legs: [
          { accountId: accountIds.payable(bill.category), amount: -refund.amount },
          { accountId: card.walletAccountId, amount: refund.amount },
        ],
      });
      if (!posted.ok) throw new Error(`refund posting failed: ${posted.error.message}`);
      bills.repository.markUnpaid(bill.id);
      repository.decideRefund(refund.id, 'approved', actor.username, at, posted.value.id);
      this.deps.audit.record({
        actor,
        action: 'refund.approve',
        target: `refund:${refund.id}`,
        detail: { amount: refund.amount },
      });
      return ok(repository.getRefund(refund.id)!);
    });
  }

  /**
   * The biller settlement statement for a range of business days as CSV (integer fen): every bill paid in the
   * range and every refund made in it (negative), by category, then one total per category — what the community
   * owes each biller for the range, equal to the movements of the billers' payable accounts.
   */
  settlementCsv(communityId: string, fromDay: string, toDay: string): string {
    const lines = this.deps.repository.settlementLines(
      communityId,
      businessDayRange(fromDay).from,
      businessDayRange(toDay).to,
    );
    return csvWithTotals(
      ['category', 'bill_id', 'building', 'unit', 'period', 'amount_fen', 'at', 'transaction_id', 'kind'],
      lines,
      (line) => [
        line.category,
        line.billId,
        line.building,
        line.unit,
        line.period,
        line.amount,
        line.at,
        line.transactionId,
        line.kind,
      ],
      'amount_fen',
    );
  }

  /**
   * The online top-ups credited in a range of business days, as CSV (integer fen): one line per order, then a
   * total per provider. The finance clerk holds it against each provider's own daily statement.
   */
  topUpReconciliationCsv(communityId: string, fromDay: string, toDay: string): string {
    const lines = this.deps.repository.creditedTopUps(
      communityId,
      businessDayRange(fromDay).from,
      businessDayRange(toDay).to,
    );
    return csvWithTotals(
      ['provider', 'order_id', 'trade_no', 'amount_fen', 'at', 'transaction_id'],
      lines,
      (line) => [line.provider, line.orderId, line.tradeNo, line.amount, line.at, line.transactionId],
      'amount_fen',
    );
  }

  /** What the drawer of a community should hold now, and how it got there today. */
  drawerStatus(communityId: string, day = businessDayOf(this.deps.clock.now())) {
    const drawer = accountIds.cashDrawer(communityId);
    const range = businessDayRange(day);
    return {
      drawerAccountId: drawer,
      businessDay: day,
      // the drawer is an asset: its entries are debits (negative) when it takes cash in
      expected: -this.deps.ledger.balance(drawer),
      movements: this.deps.repository.drawerMovements(drawer, range.from, range.to),
      closed: this.deps.repository.getClose(drawer, day),
    };
  }

  listCloses(): DailyCloseRecord[] {
    return this.deps.repository.listCloses();
  }

  /**
   * The daily close: the clerk counts the drawer; the counted cash goes to the bank (settlement), and any
   * difference from what the ledger expects is booked to `cash-difference` — recorded, never hidden. The drawer
   * is empty afterwards.
   */
  closeDay(
    communityId: string,
    counted: number,
    actor: CardActor,
    idempotency: IdempotencyContext,
  ): Result<DailyCloseRecord, 'invalid' | 'duplicate' | 'idempotency-mismatch'> {
    if (!Number.isSafeInteger(counted) || counted < 0)
      return err('invalid', 'counted cash must be integer fen ≥ 0');
    const { ledger, repository } = this.deps;
    return onceResult(ledger, idempotency, { op: 'close-day', communityId, counted }, () => {
      const status = this.drawerStatus(communityId);
      if (status.closed) return err('duplicate', 'this drawer is already closed for the day');
      ledger.ensureAccount(status.drawerAccountId, 'cash-drawer', `cash drawer ${communityId}`);
      ledger.ensureAccount(accountIds.settlement, 'settlement', 'bank settlement');
      ledger.ensureAccount(accountIds.cashDifference, 'cash-difference', 'cash differences');
      const expected = status.expected;
      const difference = counted - expected;
      const legs = [
        { accountId: status.drawerAccountId, amount: expected },
        { accountId: accountIds.settlement, amount: -counted },
        { accountId: accountIds.cashDifference, amount: difference },
      ].filter((leg) => leg.amount !== 0);
      let transactionId: number | null = null;
      if (legs.length > 0) {
        const posted = ledger.post({
          kind: 'settlement',
          actor: actor.username,
          memo: `daily close ${status.businessDay}`,
          legs,
        });
        if (!posted.ok) throw new Error(`daily close posting failed: ${posted.error.message}`);
        transactionId = posted.value.id;
      }
      const close: DailyCloseRecord = {
        drawerAccountId: status.drawerAccountId,
        businessDay: status.businessDay,
        expected,
        counted,
        difference,
        closedBy: actor.username,
        closedAt: this.now(),
        transactionId,
      };
      repository.insertClose(close);
      this.deps.audit.record({
        actor,
        action: 'cash.daily-close',
        target: status.drawerAccountId,
        detail: { ...close },
      });
      return ok(close);
    });
  }

  /** A receipt for the e-receipt page. */
  receipt(receiptId: string) {
    const id = this.transactionOfReceipt(receiptId);
    if (id === null) return null;
    const transaction = this.deps.ledger.repository.getTransaction(id);
    if (!transaction || transaction.kind !== 'bill-payment') return null;
    const amount = -(transaction.legs.find((leg) => leg.accountId.startsWith('wallet:'))?.amount ?? 0);
    return {
      receiptId,
      at: transaction.at,
      amount,
      memo: transaction.memo,
      billIds: transaction.reference?.split(',') ?? [],
    };
  }
}
