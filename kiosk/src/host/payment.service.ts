import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import {
  ApiErrorBody,
  CardSummaryV1,
  IDEMPOTENCY_KEY_HEADER,
  PAYMENT_ERROR_KINDS,
  PaymentReceiptV1,
  ReportLostResponseV1,
  StatementV1,
  TopUpOrderV1,
  apiPaths,
  type PaymentErrorKind,
  type ReportLostRequestV1,
} from '@linli/content';
import type { z } from 'zod';
import {
  type KioskPayRequest,
  type KioskPaymentDone,
  type KioskPaymentFailureKind,
  type KioskTopUpOrder,
  type KioskTopUpRequest,
  type KioskTopUpStatus,
  type ReceiptPrintOutcome,
} from '../shared/payment-api';
import type { KioskApi } from '../shared/kiosk-api';
import { fail, ok, type Result } from '../shared/result';
import type { DeviceApiClient } from './device-api.client';
import type { Logger } from './logger';
import type { ReceiptPrinter } from './receipt-printer';
import type { SessionService } from './session.service';

/** What the payment service is built on. */
export interface PaymentServiceDeps {
  client: Pick<DeviceApiClient, 'postJson' | 'getJson'>;
  /** The device credential, or null before enrolment. */
  credential: () => string | null;
  session: Pick<SessionService, 'currentCard' | 'onReset'>;
  /** The server's base URL: a relative e-receipt link (`/receipts/<id>`) is put under it. */
  serverUrl: string;
  printer: ReceiptPrinter | null;
  logger: Logger;
  /**
   * Idempotency keys. By default a UUIDv7 each: time-ordered, so the server's key index grows at one end instead of
   * taking a random page per payment (signage-server/docs/ledger.md, Round 9).
   */
  newKey?: () => string;
}

type PaymentResult<T> = Result<T, KioskPaymentFailureKind>;

/** A confirmed payment sent to the server whose outcome is not settled yet, or that succeeded. */
interface PaymentAttempt {
  sequence: number;
  /** Hash of card, bills and PIN: the same confirmed payment, not just the same bills. */
  fingerprint: string;
  key: string;
  inFlight: Promise<PaymentResult<KioskPaymentDone>> | null;
}

/** The online top-up started in this session: its key (reused for a retry of the same amount) and its order. */
interface TopUpAttempt {
  sequence: number;
  amount: number;
  key: string;
  inFlight: Promise<PaymentResult<KioskTopUpOrder>> | null;
  orderId: string | null;
}

const isPaymentErrorKind = (kind: string): kind is PaymentErrorKind =>
  (PAYMENT_ERROR_KINDS as readonly string[]).includes(kind);

/**
 * Card payments at the kiosk, through the server's device payment API with this kiosk's credential. Payments need
 * the server: when it cannot be reached the answer is `server-unreachable` and nothing is kept to send later (a
 * payment queued offline could charge a resident who has long left). Each payment the resident confirms gets one
 * idempotency key, reused when the same payment is tried again after an unanswered request or while it is still
 * in flight (a double tap), so the server charges it at most once.
 */
export class PaymentService {
  private attempt: PaymentAttempt | null = null;
  private topUpAttempt: TopUpAttempt | null = null;
  /** Receipts already printed, so a replayed answer never prints a second paper receipt. */
  private readonly printed = new Set<string>();
  private readonly newKey: () => string;

  constructor(private readonly deps: PaymentServiceDeps) {
    this.newKey = deps.newKey ?? uuidv7;
    // A new resident never inherits the last one's key (their PIN is part of its fingerprint).
    deps.session.onReset(() => {
      this.attempt = null;
      this.topUpAttempt = null;
    });
  }

  /** The tapped card: masked holder, balance, limits, the household's unpaid bills. */
  async card(): Promise<PaymentResult<z.infer<typeof CardSummaryV1>>> {
    const card = this.deps.session.currentCard();
    if (!card) return fail('no-card', 'tap your card first');
    return this.call(apiPaths.cardLookup, { uid: card.uid }, CardSummaryV1);
  }

  /** The tapped card's recent movements. */
  async statement(): Promise<PaymentResult<z.infer<typeof StatementV1>>> {
    const card = this.deps.session.currentCard();
    if (!card) return fail('no-card', 'tap your card first');
    return this.call(apiPaths.statement, { uid: card.uid }, StatementV1);
  }

  /** Reports the resident's cards lost after the server checked ID number and phone. */
  async reportLost(
    request: ReportLostRequestV1,
  ): Promise<PaymentResult<z.infer<typeof ReportLostResponseV1>>> {
    return this.call(apiPaths.reportLost, request, ReportLostResponseV1);
  }

  /** Pays bills with the tapped card (see the class comment for how retries stay one charge). */
  async pay(request: KioskPayRequest): Promise<PaymentResult<KioskPaymentDone>> {
    const card = this.deps.session.currentCard();
    if (!card) return fail('no-card', 'tap your card first');
    const body = { uid: card.uid, billIds: [...new Set(request.billIds)].sort(), pin: request.pin };
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([body.uid, body.billIds, body.pin ?? null]))
      .digest('hex');
    const previous = this.attempt;
    const same = previous?.sequence === card.sequence && previous.fingerprint === fingerprint;
    if (same && previous.inFlight) return previous.inFlight;
    const attempt: PaymentAttempt = {
      sequence: card.sequence,
      fingerprint,
      key: same ? previous.key : this.newKey(),
      inFlight: null,
    };
    this.attempt = attempt;
    attempt.inFlight = this.send(attempt.key, body).then((result) => {
      attempt.inFlight = null;
      // Only an unanswered request keeps its key for the retry; a settled refusal (wrong PIN, balance) must be
      // asked afresh, or the server would replay the same refusal to the corrected request.
      const unsettled = !result.ok && result.error.kind === 'server-unreachable';
      if (!result.ok && !unsettled && this.attempt === attempt) this.attempt = null;
      return result;
    });
    return attempt.inFlight;
  }

  /**
   * Starts an online top-up of the tapped card: the server registers an order with its provider and answers what
   * the QR code shows. A double tap or a retry after an unanswered request reuses the idempotency key, so one
   * order is made; a new choice after an answered one is a new order. The order stays in the host for the session,
   * so the renderer asks `topUpStatus` without ever holding an id.
   */
  async startTopUp(request: KioskTopUpRequest): Promise<PaymentResult<KioskTopUpOrder>> {
    const card = this.deps.session.currentCard();
    if (!card) return fail('no-card', 'tap your card first');
    const previous = this.topUpAttempt;
    const same =
      previous?.sequence === card.sequence && previous.amount === request.amount && previous.orderId === null;
    if (same && previous.inFlight) return previous.inFlight;
    const attempt: TopUpAttempt = {
      sequence: card.sequence,
      amount: request.amount,
      key: same ? previous.key : this.newKey(),
      inFlight: null,
      orderId: null,
    };
    this.topUpAttempt = attempt;
    attempt.inFlight = this.call(
      apiPaths.topUpOrders,
      { uid: card.uid, amount: request.amount },
      TopUpOrderV1,
      { [IDEMPOTENCY_KEY_HEADER]: attempt.key },
    ).then((result) => {
      attempt.inFlight = null;
      if (result.ok) {
        attempt.orderId = result.value.orderId;
        return ok({ amount: result.value.amount, qrPayload: result.value.qrPayload });
      }
      if (result.error.kind !== 'server-unreachable' && this.topUpAttempt === attempt)
        this.topUpAttempt = null;
      return result;
    });
    return attempt.inFlight;
  }

  /** Where this session's online top-up is; once paid, with the card's new balance. */
  async topUpStatus(): Promise<PaymentResult<KioskTopUpStatus>> {
    const attempt = this.topUpAttempt;
    const card = this.deps.session.currentCard();
    if (!attempt?.orderId || !card || card.sequence !== attempt.sequence)
      return fail('no-topup', 'no online top-up was started in this session');
    const credential = this.deps.credential();
    if (!credential) return fail('not-enrolled', 'this kiosk is not enrolled with a server');
    const order = this.answerOf(
      apiPaths.topUpOrder(attempt.orderId),
      await this.deps.client.getJson(credential, apiPaths.topUpOrder(attempt.orderId)),
      TopUpOrderV1,
    );
    if (!order.ok) return order;
    const { status, amount } = order.value;
    if (status !== 'paid') return ok({ status, amount, balance: null });
    const summary = await this.call(apiPaths.cardLookup, { uid: card.uid }, CardSummaryV1);
    return ok({ status, amount, balance: summary.ok ? summary.value.balance : null });
  }

  private async send(
    key: string,
    body: { uid: string; billIds: string[]; pin: string | undefined },
  ): Promise<PaymentResult<KioskPaymentDone>> {
    const paid = await this.call(apiPaths.payBills, body, PaymentReceiptV1, {
      [IDEMPOTENCY_KEY_HEADER]: key,
    });
    if (!paid.ok) return paid;
    const receipt = paid.value;
    // absolute when the server has a public address for phones, else a path under this kiosk's server URL
    const receiptUrl = /^https?:\/\//.test(receipt.receiptUrl)
      ? receipt.receiptUrl
      : `${this.deps.serverUrl.replace(/\/+$/, '')}${receipt.receiptUrl}`;
    return ok({ receipt, receiptUrl, printed: await this.print(receipt, receiptUrl, body.uid) });
  }

  private async print(
    receipt: z.infer<typeof PaymentReceiptV1>,
    receiptUrl: string,
    uid: string,
  ): Promise<ReceiptPrintOutcome> {
    const printer = this.deps.printer;
    if (!printer) return 'no-printer';
    if (this.printed.has(receipt.receiptId)) return 'printed';
    // The holder as the server masks it; asked again so the receipt matches the screen (a failure only blanks it).
    const summary = await this.call(apiPaths.cardLookup, { uid }, CardSummaryV1);
    try {
      await printer.print({
        receipt,
        receiptUrl,
        holderMasked: summary.ok ? summary.value.holderMasked : '',
        unitLabel: summary.ok ? summary.value.unitLabel : '',
      });
      this.printed.add(receipt.receiptId);
      return 'printed';
    } catch (error) {
      // The payment stands; the resident still has the e-receipt on screen.
      this.deps.logger.error('receipt printer failed', { error: String(error) });
      return 'failed';
    }
  }

  /** One device-API call: the answer parsed with `schema`, or a failure of a named kind. */
  private async call<S extends z.ZodType>(
    path: string,
    body: unknown,
    schema: S,
    headers: Record<string, string> = {},
  ): Promise<PaymentResult<z.output<S>>> {
    const credential = this.deps.credential();
    if (!credential) return fail('not-enrolled', 'this kiosk is not enrolled with a server');
    return this.answerOf(path, await this.deps.client.postJson(credential, path, body, headers), schema);
  }

  /** A device-API answer parsed with `schema`, or a failure of a named kind. */
  private answerOf<S extends z.ZodType>(
    path: string,
    answer: Awaited<ReturnType<DeviceApiClient['postJson']>>,
    schema: S,
  ): PaymentResult<z.output<S>> {
    if (!answer.ok) {
      if (answer.error.kind === 'offline') {
        this.deps.logger.warn('payment server unreachable', { path, error: answer.error.message });
        return fail('server-unreachable', 'the payment server cannot be reached');
      }
      return fail('server-error', answer.error.message);
    }
    const { status, body: answerBody } = answer.value;
    if (status === 401) return fail('not-enrolled', 'the server no longer accepts this kiosk');
    if (status >= 200 && status < 300) {
      const parsed = schema.safeParse(answerBody);
      if (parsed.success) return ok(parsed.data);
      this.deps.logger.error('payment answer did not match the protocol', { path });
      return fail('server-error', 'the server answered in an unexpected form');
    }
    const error = ApiErrorBody.safeParse(answerBody);
    if (error.success) {
      const { kind, message } = error.data.error;
      if (isPaymentErrorKind(kind)) return fail(kind, message);
      if (kind === 'invalid-body') return fail('invalid', message);
    }
    // A gateway error or an overloaded server: the request may not have been applied; it is safe to retry.
    if (status >= 500) return fail('server-unreachable', `the payment server answered HTTP ${status}`);
    this.deps.logger.error('payment request refused', { path, status });
    return fail('server-error', `the server refused the request (HTTP ${status})`);
  }
}

/** The payment methods of KioskApi, served by `payments`. */
export function createPaymentApi(
  payments: PaymentService,
): Pick<
  KioskApi,
  | 'paymentCard'
  | 'paymentPay'
  | 'paymentStatement'
  | 'paymentReportLost'
  | 'paymentTopUpStart'
  | 'paymentTopUpStatus'
> {
  return {
    paymentCard: () => payments.card(),
    paymentPay: (request) => payments.pay(request),
    paymentStatement: () => payments.statement(),
    paymentReportLost: (request) => payments.reportLost(request),
    paymentTopUpStart: (request) => payments.startTopUp(request),
    paymentTopUpStatus: () => payments.topUpStatus(),
  };
}
