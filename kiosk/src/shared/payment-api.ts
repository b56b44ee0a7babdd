import { z } from 'zod';
import {
  CardPin,
  Fen,
  PAYMENT_ERROR_KINDS,
  PaymentReceiptV1,
  ReportLostRequestV1,
  type BillCategory,
  type Locale,
} from '@linli/content';

/**
 * Why a payment method of KioskApi failed. The server's payment kinds pass through by name; the host adds its own:
 * `no-card` (nothing tapped in this session), `server-unreachable` (no answer: no money was taken, or — for a pay
 * request sent but never answered — the same payment retried is charged at most once), `not-enrolled`,
 * `server-error` (an answer the kiosk cannot use), `invalid` (a request the server refused as malformed) and
 * `no-topup` (no online top-up started in this session).
 */
export const KIOSK_PAYMENT_FAILURE_KINDS = [
  ...PAYMENT_ERROR_KINDS,
  'no-card',
  'server-unreachable',
  'not-enrolled',
  'server-error',
  'invalid',
  'no-topup',
] as const;
export type KioskPaymentFailureKind = (typeof KIOSK_PAYMENT_FAILURE_KINDS)[number];

/** What the resident confirmed: the bills to pay, and the PIN when the server asks for one. */
export const KioskPayRequest = z.object({
  billIds: z.array(z.string().min(1).max(120)).min(1).max(50),
  pin: CardPin.optional(),
});
export type KioskPayRequest = z.infer<typeof KioskPayRequest>;

/** Whether the paper receipt was printed: no printer configured, printed, or the printer failed. */
export const ReceiptPrintOutcome = z.enum(['printed', 'no-printer', 'failed']);
export type ReceiptPrintOutcome = z.infer<typeof ReceiptPrintOutcome>;

/** A completed payment: the server's receipt, the absolute e-receipt address for the QR code, the paper receipt. */
export const KioskPaymentDone = z.object({
  receipt: PaymentReceiptV1,
  receiptUrl: z.url(),
  printed: ReceiptPrintOutcome,
});
export type KioskPaymentDone = z.infer<typeof KioskPaymentDone>;

/** The amounts a resident can top up at the kiosk, in fen (¥50 to ¥1,000): one tap each, nothing to type. */
export const TOPUP_AMOUNTS = [5_000, 10_000, 20_000, 30_000, 50_000, 100_000] as const;

/** An online top-up the resident chose: one of TOPUP_AMOUNTS. */
export const KioskTopUpRequest = z.object({
  amount: z
    .number()
    .int()
    .refine((amount) => (TOPUP_AMOUNTS as readonly number[]).includes(amount), 'not an offered amount'),
});
export type KioskTopUpRequest = z.infer<typeof KioskTopUpRequest>;

/** A started online top-up: what the QR code encodes (the provider's checkout) and the amount. */
export const KioskTopUpOrder = z.object({
  amount: Fen,
  qrPayload: z.string().min(1).max(2_000),
});
export type KioskTopUpOrder = z.infer<typeof KioskTopUpOrder>;

/** Where the started top-up is; once `paid`, the card's new balance (null when it could not be asked). */
export const KioskTopUpStatus = z.object({
  status: z.enum(['pending', 'paid', 'failed']),
  amount: Fen,
  balance: Fen.nullable(),
});
export type KioskTopUpStatus = z.infer<typeof KioskTopUpStatus>;

/** A lost-card report as typed on the kiosk (the server's schema: ID number and phone). */
export const KioskReportLostRequest = ReportLostRequestV1;

/**
 * Bill categories as residents read them, for the screens and the paper receipt (the host prints, so the names live
 * here rather than in the renderer's message table).
 */
export const BILL_CATEGORY_NAMES = {
  water: { 'zh-CN': '水费', en: 'Water' },
  electricity: { 'zh-CN': '电费', en: 'Electricity' },
  gas: { 'zh-CN': '燃气费', en: 'Gas' },
  heating: { 'zh-CN': '供暖费', en: 'Heating' },
  property: { 'zh-CN': '物业费', en: 'Property fee' },
  'cable-tv': { 'zh-CN': '有线电视费', en: 'Cable TV' },
  parking: { 'zh-CN': '停车费', en: 'Parking' },
} as const satisfies Record<BillCategory, Record<Locale, string>>;

/** Integer fen as yuan with two decimals and thousands separators: 17480 → `¥174.80`. */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}
