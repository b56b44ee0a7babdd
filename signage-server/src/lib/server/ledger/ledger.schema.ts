import { z } from 'zod';

/** Kinds of ledger account. Entry amounts are signed: positive = credit, negative = debit. */
export const ACCOUNT_KINDS = [
  'wallet',
  'cash-drawer',
  'biller-payable',
  'topup-clearing',
  'settlement',
  'cash-difference',
] as const;
export type AccountKind = (typeof ACCOUNT_KINDS)[number];

/** Kinds of ledger transaction. */
export const TRANSACTION_KINDS = [
  'topup-cash',
  'topup-online',
  'bill-payment',
  'refund',
  'card-replacement',
  'card-close',
  'settlement',
  'cash-difference',
] as const;
export type TransactionKind = (typeof TRANSACTION_KINDS)[number];

/** One leg of a transaction: a signed amount of integer fen on one account. */
export const Leg = z.object({
  accountId: z.string().min(1),
  amount: z
    .number()
    .int()
    .refine((n) => n !== 0, 'a leg moves money'),
});
export type Leg = z.infer<typeof Leg>;

/** A transaction to post: at least two legs that sum to zero. */
export interface PostTransaction {
  kind: TransactionKind;
  actor: string;
  cardId?: string | null;
  reference?: string | null;
  reverses?: number | null;
  memo?: string;
  legs: Leg[];
}

/** A stored account. */
export interface Account {
  id: string;
  kind: AccountKind;
  name: string;
  balance: number;
  createdAt: string;
}

/** A posted transaction with its entries. */
export interface PostedTransaction {
  id: number;
  kind: TransactionKind;
  at: string;
  actor: string;
  cardId: string | null;
  reference: string | null;
  reverses: number | null;
  memo: string;
  legs: Leg[];
}

/** Account ids, written once. */
export const accountIds = {
  wallet: (cardId: string) => `wallet:${cardId}`,
  cashDrawer: (communityId: string) => `cash-drawer:${communityId}`,
  payable: (category: string) => `payable:${category}`,
  topUpClearing: (provider: string) => `topup-clearing:${provider}`,
  settlement: 'settlement:bank',
  cashDifference: 'cash-difference',
} as const;

/** Asia/Shanghai has had no daylight saving since 1991: business days start at 16:00 UTC the day before. */
export const BUSINESS_DAY_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The business day (YYYY-MM-DD, community time) an instant falls in. */
export function businessDayOf(instant: Date): string {
  return new Date(instant.getTime() + BUSINESS_DAY_OFFSET_MS).toISOString().slice(0, 10);
}

/** The UTC instants a business day starts and ends (exclusive). */
export function businessDayRange(day: string): { from: string; to: string } {
  const start = Date.parse(`${day}T00:00:00.000Z`) - BUSINESS_DAY_OFFSET_MS;
  return { from: new Date(start).toISOString(), to: new Date(start + 86_400_000).toISOString() };
}
