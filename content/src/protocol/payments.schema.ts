import { z } from 'zod';

/**
 * Card UID in canonical form: upper-case hex of the UID bytes in reader (PC/SC `GET DATA`) order, no separators,
 * 4 to 10 bytes (ISO 14443 single, double and triple size UIDs). Readers that report other forms (HID keyboard
 * wedges in decimal or reversed byte order) are normalised by peripherals' `normalizeCardUid` before they get here.
 */
export const CardUid = z
  .string()
  .regex(/^(?:[0-9A-F]{2}){4,10}$/, 'card UID must be 8-20 upper-case hex digits');
export type CardUid = z.infer<typeof CardUid>;

/** An amount of money in integer fen (1 yuan = 100 fen). Never a float, never negative. */
export const Fen = z.number().int('amounts are integer fen').nonnegative();
/** A strictly positive amount of integer fen, at most ¥1,000,000 per operation. */
export const PositiveFen = z
  .number()
  .int('amounts are integer fen')
  .positive('amount must be positive')
  .max(100_000_000);

/** Bill categories (seed §7.2.2). */
export const BILL_CATEGORIES = [
  'water',
  'electricity',
  'gas',
  'heating',
  'property',
  'cable-tv',
  'parking',
] as const;
export const BillCategory = z.enum(BILL_CATEGORIES);
export type BillCategory = z.infer<typeof BillCategory>;

/** Header carrying the client's idempotency key on every money-moving request. */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
/** An idempotency key: 8-128 printable characters (a UUID is typical). */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{8,128}$/, 'idempotency key must be 8-128 printable characters');

/** A 6-digit card PIN. */
export const CardPin = z.string().regex(/^\d{6}$/, 'PIN must be 6 digits');

/** An unpaid (or just paid) bill as the kiosk shows it. */
export const BillV1 = z.object({
  id: z.string(),
  category: BillCategory,
  period: z.string(),
  amount: PositiveFen,
  dueDate: z.string().nullable(),
  status: z.enum(['unpaid', 'paid']),
});
export type BillV1 = z.infer<typeof BillV1>;

/** `POST /payments/card`: look up a tapped card. */
export const CardLookupRequestV1 = z.object({ uid: CardUid });
export type CardLookupRequestV1 = z.infer<typeof CardLookupRequestV1>;

/** What a kiosk may show about a card: masked holder, balance, limits, the household's unpaid bills. */
export const CardSummaryV1 = z.object({
  cardId: z.string(),
  holderMasked: z.string(),
  unitLabel: z.string(),
  balance: Fen,
  dailyLimit: PositiveFen,
  spentToday: Fen,
  /** Payments above this many fen need the PIN. */
  pinRequiredAbove: Fen,
  unpaidBills: z.array(BillV1),
  /** Whether the server takes online top-ups (a kiosk offers them only then; absent from older servers). */
  onlineTopUp: z.boolean().default(false),
});
export type CardSummaryV1 = z.infer<typeof CardSummaryV1>;

/** `POST /payments/pay` (with Idempotency-Key): pay the selected bills of the card's household. */
export const PayBillsRequestV1 = z.object({
  uid: CardUid,
  billIds: z.array(z.string().min(1).max(120)).min(1).max(50),
  pin: CardPin.optional(),
});
export type PayBillsRequestV1 = z.infer<typeof PayBillsRequestV1>;

/** The receipt of a payment; `receiptId` is the ledger transaction, `receiptUrl` the e-receipt (QR). */
export const PaymentReceiptV1 = z.object({
  receiptId: z.string(),
  amount: PositiveFen,
  balanceAfter: Fen,
  bills: z.array(BillV1),
  at: z.iso.datetime(),
  receiptUrl: z.string(),
});
export type PaymentReceiptV1 = z.infer<typeof PaymentReceiptV1>;

/** `POST /payments/statement`: the card's recent movements. */
export const StatementRequestV1 = z.object({ uid: CardUid });
export const StatementLineV1 = z.object({
  at: z.iso.datetime(),
  kind: z.string(),
  /** Signed: positive money in, negative money out of the wallet. */
  amount: z.number().int(),
  balanceAfter: Fen,
  /** The server's own note, in its words (kept for older clients; readers show `kind`, `bills` and `tradeNo`). */
  memo: z.string(),
  /** The bills a payment paid or a refund gave back (empty for other kinds and from older servers). */
  bills: z.array(z.object({ category: BillCategory, period: z.string() })).default([]),
  /** An online top-up's trade number at its provider, else null. */
  tradeNo: z.string().nullable().default(null),
});
export const StatementV1 = z.object({
  cardId: z.string(),
  balance: Fen,
  lines: z.array(StatementLineV1),
});
export type StatementV1 = z.infer<typeof StatementV1>;

/** `POST /payments/report-lost`: a resident without the card proves who they are with ID number + phone. */
export const ReportLostRequestV1 = z.object({
  idNumber: z.string().regex(/^\d{17}[\dXx]$/, 'ID number must be 18 characters'),
  phone: z.string().regex(/^1\d{10}$/, 'phone must be 11 digits'),
});
export type ReportLostRequestV1 = z.infer<typeof ReportLostRequestV1>;
export const ReportLostResponseV1 = z.object({ blockedCards: z.number().int().nonnegative() });
export type ReportLostResponseV1 = z.infer<typeof ReportLostResponseV1>;

/** `POST /payments/topup-orders` (with Idempotency-Key): start an online top-up; the kiosk shows the QR. */
export const TopUpOrderRequestV1 = z.object({ uid: CardUid, amount: PositiveFen });
export type TopUpOrderRequestV1 = z.infer<typeof TopUpOrderRequestV1>;
export const TopUpOrderV1 = z.object({
  orderId: z.string(),
  amount: PositiveFen,
  status: z.enum(['pending', 'paid', 'failed']),
  qrPayload: z.string(),
});
export type TopUpOrderV1 = z.infer<typeof TopUpOrderV1>;

/** Header of a provider callback carrying the hex HMAC-SHA256 of the raw body. */
export const PROVIDER_SIGNATURE_HEADER = 'x-linli-provider-signature';
/** A top-up provider's asynchronous notice; `seq` orders notices of one order (they may arrive out of order). */
export const ProviderCallbackV1 = z.object({
  orderId: z.string().min(1).max(80),
  tradeNo: z.string().min(1).max(80),
  status: z.enum(['paid', 'failed']),
  amount: PositiveFen,
  seq: z.number().int().nonnegative(),
});
export type ProviderCallbackV1 = z.infer<typeof ProviderCallbackV1>;

/** Payment error kinds the kiosk shows its own text for (matched by kind, never by message). */
export const PAYMENT_ERROR_KINDS = [
  'card-unknown',
  'card-blocked',
  'card-locked',
  'pin-required',
  'wrong-pin',
  'insufficient-balance',
  'daily-limit',
  'bill-unavailable',
  'idempotency-mismatch',
  'verification-failed',
  'bad-signature',
  'topup-unavailable',
] as const;
export type PaymentErrorKind = (typeof PAYMENT_ERROR_KINDS)[number];
