import type { BillV1, CardSummaryV1, ReportLostResponseV1, StatementV1 } from '@linli/content';
import type { KioskApi, KioskSession } from '../../shared/kiosk-api';
import type { KioskPaymentDone, KioskPaymentFailureKind, KioskTopUpOrder } from '../../shared/payment-api';
import type { Failure } from '../../shared/result';
import type { MessageId } from './i18n';

/** Where the resident is in paying. Each step holds only what it shows. */
export type PayStep =
  | { step: 'tap-card' }
  | { step: 'loading' }
  | { step: 'bills' }
  | { step: 'confirm' }
  | { step: 'pin' }
  | { step: 'paying' }
  | { step: 'done'; done: KioskPaymentDone }
  | { step: 'statement'; statement: StatementV1 }
  | { step: 'report-lost'; result: ReportLostResponseV1 | null }
  | { step: 'topup-amount' }
  | { step: 'topup-starting' }
  | { step: 'topup-qr'; order: KioskTopUpOrder }
  | { step: 'topup-done'; amount: number; balance: number | null }
  | { step: 'error'; error: PayError };

/** How often the kiosk asks whether the resident has paid the top-up shown as a QR code. */
export const TOPUP_POLL_MS = 2_000;
/** How long a waiting QR code keeps the kiosk from its idle reset (the payer is busy on their phone). */
export const TOPUP_KEEP_AWAKE_MS = 5 * 60_000;

/** A refusal or failure as the resident reads it, and what they can do next. */
export interface PayError {
  message: MessageId;
  values: Record<string, string | number>;
  /** The buttons offered with it. */
  next: 'retry-pay' | 'retry-lookup' | 'reenter-pin' | 'back-to-bills' | 'tap-card';
}

/** The message and next step for a failure kind (exhaustive: a new kind must be given its words). */
export function payErrorFor(
  kind: KioskPaymentFailureKind,
  during: 'lookup' | 'pay' | 'report' | 'topup',
  card: CardSummaryV1 | null,
): PayError {
  const plain = (message: MessageId, next: PayError['next']): PayError => ({ message, values: {}, next });
  switch (kind) {
    case 'card-unknown':
      return plain('payError_cardUnknown', 'tap-card');
    case 'card-blocked':
      return plain('payError_cardBlocked', 'tap-card');
    case 'card-locked':
      return plain('payError_cardLocked', 'tap-card');
    case 'wrong-pin':
      return plain('payError_wrongPin', 'reenter-pin');
    case 'pin-required':
      return plain('payPinTitle', 'reenter-pin');
    case 'insufficient-balance':
      return plain('payError_insufficientBalance', 'back-to-bills');
    case 'daily-limit':
      return {
        message: 'payError_dailyLimit',
        values: { left: Math.max(0, (card?.dailyLimit ?? 0) - (card?.spentToday ?? 0)) },
        next: 'back-to-bills',
      };
    case 'bill-unavailable':
      return plain('payError_billUnavailable', 'back-to-bills');
    case 'verification-failed':
      return plain('payError_verificationFailed', 'tap-card');
    case 'server-unreachable':
      if (during === 'pay') return plain('payError_unreachablePay', 'retry-pay');
      if (during === 'topup') return plain('payError_unreachable', 'back-to-bills');
      return plain('payError_unreachable', during === 'lookup' ? 'retry-lookup' : 'tap-card');
    case 'topup-unavailable':
      return plain('payError_topUpUnavailable', 'back-to-bills');
    case 'no-topup':
      return plain('payError_topUpFailed', 'back-to-bills');
    case 'no-card':
      return plain('payTapCard', 'tap-card');
    case 'idempotency-mismatch':
    case 'bad-signature':
    case 'not-enrolled':
    case 'server-error':
    case 'invalid':
      return plain('payError_other', 'tap-card');
    default: {
      const never: never = kind;
      return never;
    }
  }
}

/**
 * One resident's payment at the kiosk: the tapped card's summary, the bills chosen, the PIN being typed, and the
 * outcome. It lives as long as the payment screen: leaving it (Home, idle reset) or taking the card away forgets
 * all of it. The host holds the card UID and the idempotency key; the renderer never sees either.
 */
export class PaymentFlow {
  current = $state<PayStep>({ step: 'tap-card' });
  card = $state<CardSummaryV1 | null>(null);
  selected = $state<string[]>([]);
  pin = $state('');
  /** The card this flow was opened for, by session and masked UID: another card starts afresh. */
  private cardKey: string | null = null;
  /** Answers to a request made for an earlier card are dropped. */
  private generation = 0;
  private pollTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * `api` reaches the host; `onWaiting` is called while a top-up QR code waits for the payer (the screen keeps the
   * kiosk awake with it, up to TOPUP_KEEP_AWAKE_MS).
   */
  constructor(
    private readonly api: () => KioskApi | null,
    private readonly onWaiting: () => void = () => {},
  ) {}

  selectedBills: BillV1[] = $derived(
    (this.card?.unpaidBills ?? []).filter((bill) => this.selected.includes(bill.id)),
  );
  total: number = $derived(this.selectedBills.reduce((sum, bill) => sum + bill.amount, 0));
  needsPin: boolean = $derived(this.card !== null && this.total > this.card.pinRequiredAbove);

  /** Follows the host's session: a tapped card opens its bills; a removed card ends everything. */
  onSession(session: KioskSession | null): 'card-removed' | null {
    const card = session?.card ?? null;
    const key = card ? `${session!.sequence}/${card.maskedUid}` : null;
    if (key === this.cardKey) return null;
    const hadCard = this.cardKey !== null;
    this.cardKey = key;
    if (!key) {
      this.clear();
      return hadCard ? 'card-removed' : null;
    }
    // Lost-card reporting works without a card; a tap there does not interrupt it.
    if (this.current.step === 'report-lost' && this.current.result === null) return null;
    void this.loadCard();
    return null;
  }

  /** Forgets the card, the choices and the PIN, back to "tap your card". */
  clear(): void {
    this.stopPolling();
    this.generation += 1;
    this.card = null;
    this.selected = [];
    this.pin = '';
    this.current = { step: 'tap-card' };
  }

  async loadCard(): Promise<void> {
    const api = this.api();
    if (!api) return;
    const generation = ++this.generation;
    this.current = { step: 'loading' };
    const answer = await api.paymentCard();
    if (generation !== this.generation) return;
    if (!answer.ok) return this.failed(answer.error, 'lookup');
    this.card = answer.value;
    // Keep choices that are still open bills (after a refresh), drop the rest.
    this.selected = this.selected.filter((id) => answer.value.unpaidBills.some((bill) => bill.id === id));
    this.pin = '';
    this.current = { step: 'bills' };
  }

  toggle(billId: string): void {
    this.selected = this.selected.includes(billId)
      ? this.selected.filter((id) => id !== billId)
      : [...this.selected, billId];
  }

  selectAll(): void {
    this.selected = (this.card?.unpaidBills ?? []).map((bill) => bill.id);
  }

  toConfirm(): void {
    if (this.selectedBills.length > 0) this.current = { step: 'confirm' };
  }

  backToBills(): void {
    this.pin = '';
    this.current = this.card ? { step: 'bills' } : { step: 'tap-card' };
  }

  /** The resident confirmed the total: ask for the PIN when the server will want it, else pay. */
  confirm(): void {
    if (this.needsPin) {
      this.pin = '';
      this.current = { step: 'pin' };
      return;
    }
    void this.pay();
  }

  async pay(): Promise<void> {
    const api = this.api();
    if (!api || this.selectedBills.length === 0) return;
    if (this.current.step === 'paying') return;
    const generation = this.generation;
    const request = {
      billIds: this.selectedBills.map((bill) => bill.id),
      ...(this.needsPin || this.pin ? { pin: this.pin } : {}),
    };
    this.current = { step: 'paying' };
    const answer = await api.paymentPay(request);
    if (generation !== this.generation) return;
    if (answer.ok) {
      const { receipt } = answer.value;
      this.pin = '';
      this.selected = [];
      // The card's figures as they are now, without asking the server again.
      if (this.card) {
        this.card = {
          ...this.card,
          balance: receipt.balanceAfter,
          spentToday: this.card.spentToday + receipt.amount,
          unpaidBills: this.card.unpaidBills.filter((bill) => !receipt.bills.some((b) => b.id === bill.id)),
        };
      }
      this.current = { step: 'done', done: answer.value };
      return;
    }
    // An unanswered payment is retried exactly as confirmed (same PIN), so the host reuses its idempotency key.
    if (answer.error.kind !== 'server-unreachable') this.pin = '';
    if (answer.error.kind === 'pin-required') {
      this.current = { step: 'pin' };
      return;
    }
    this.failed(answer.error, 'pay');
    // The server's list is the truth after a refusal about the bills.
    if (answer.error.kind === 'bill-unavailable') {
      const refreshed = await api.paymentCard();
      if (generation === this.generation && refreshed.ok) {
        this.card = refreshed.value;
        this.selected = this.selected.filter((id) => refreshed.value.unpaidBills.some((b) => b.id === id));
      }
    }
  }

  async showStatement(): Promise<void> {
    const api = this.api();
    if (!api) return;
    const generation = this.generation;
    this.current = { step: 'loading' };
    const answer = await api.paymentStatement();
    if (generation !== this.generation) return;
    if (!answer.ok) return this.failed(answer.error, 'lookup');
    this.current = { step: 'statement', statement: answer.value };
  }

  openReportLost(): void {
    this.current = { step: 'report-lost', result: null };
  }

  async reportLost(idNumber: string, phone: string): Promise<void> {
    const api = this.api();
    if (!api) return;
    const generation = this.generation;
    const answer = await api.paymentReportLost({ idNumber, phone });
    if (generation !== this.generation) return;
    if (!answer.ok) return this.failed(answer.error, 'report');
    this.current = { step: 'report-lost', result: answer.value };
  }

  openTopUp(): void {
    if (this.card?.onlineTopUp) this.current = { step: 'topup-amount' };
  }

  /** The resident chose an amount: the host starts the order, the QR code appears, and the kiosk polls it. */
  async startTopUp(amount: number): Promise<void> {
    const api = this.api();
    if (!api || this.current.step === 'topup-starting') return;
    const generation = this.generation;
    this.current = { step: 'topup-starting' };
    const answer = await api.paymentTopUpStart({ amount });
    if (generation !== this.generation) return;
    if (!answer.ok) return this.failed(answer.error, 'topup');
    this.current = { step: 'topup-qr', order: answer.value };
    this.pollTopUp(generation, Date.now());
  }

  /** Leaves the QR code (the order stays open: paying it later still reaches the card). */
  leaveTopUp(): void {
    this.stopPolling();
    this.backToBills();
  }

  /** Forgets timers when the screen goes away. */
  dispose(): void {
    this.stopPolling();
    this.generation += 1;
  }

  private pollTopUp(generation: number, shownAt: number): void {
    this.stopPolling();
    this.pollTimer = setTimeout(async () => {
      this.pollTimer = null;
      const api = this.api();
      if (!api || generation !== this.generation || this.current.step !== 'topup-qr') return;
      const answer = await api.paymentTopUpStatus();
      if (generation !== this.generation || this.current.step !== 'topup-qr') return;
      if (answer.ok && answer.value.status === 'paid') {
        const { amount, balance } = answer.value;
        if (this.card && balance !== null) this.card = { ...this.card, balance };
        this.current = { step: 'topup-done', amount, balance };
        return;
      }
      if (answer.ok && answer.value.status === 'failed') {
        this.current = { step: 'error', error: payErrorFor('no-topup', 'topup', this.card) };
        return;
      }
      if (!answer.ok && answer.error.kind !== 'server-unreachable') return this.failed(answer.error, 'topup');
      // still pending, or the server is out of reach for a moment: the QR code stays and the kiosk asks again
      if (Date.now() - shownAt < TOPUP_KEEP_AWAKE_MS) this.onWaiting();
      this.pollTopUp(generation, shownAt);
    }, TOPUP_POLL_MS);
  }

  private stopPolling(): void {
    if (this.pollTimer) clearTimeout(this.pollTimer);
    this.pollTimer = null;
  }

  /** What the error's button does. */
  next(error: PayError): void {
    switch (error.next) {
      case 'retry-pay':
        void this.pay();
        return;
      case 'retry-lookup':
        void this.loadCard();
        return;
      case 'reenter-pin':
        this.pin = '';
        this.current = { step: 'pin' };
        return;
      case 'back-to-bills':
        void this.loadCard();
        return;
      case 'tap-card':
        this.clear();
        return;
      default: {
        const never: never = error.next;
        return never;
      }
    }
  }

  private failed(error: Failure, during: 'lookup' | 'pay' | 'report' | 'topup'): void {
    this.current = {
      step: 'error',
      error: payErrorFor(error.kind as KioskPaymentFailureKind, during, this.card),
    };
  }
}
