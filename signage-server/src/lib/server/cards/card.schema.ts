import { CardPin, CardUid } from '@linli/content';
import { z } from 'zod';

/** Lifecycle of a card: active → lost | replaced | closed. Only an active card pays. */
export const CARD_STATUSES = ['active', 'lost', 'replaced', 'closed'] as const;
export type CardStatus = (typeof CARD_STATUSES)[number];

/** 3 wrong PINs in a row lock the card until a clerk unlocks it. */
export const MAX_PIN_FAILURES = 3;
/** Default daily spending limit: ¥2,000. */
export const DEFAULT_DAILY_LIMIT = 200_000;
/** A card's daily spending limit: at least ¥1, at most ¥50,000 (a limit is there to cap what a lost card loses). */
export const DailyLimit = z
  .number({ error: 'cards.error.dailyLimit' })
  .int('cards.error.dailyLimit')
  .min(100, 'cards.error.dailyLimit')
  .max(5_000_000, 'cards.error.dailyLimit');

/** Form/JSON input of "issue a card" at the station. */
export const IssueCardInput = z.object({
  uid: z
    .string()
    .trim()
    .transform((s) => s.replace(/[\s:-]/g, '').toUpperCase())
    .pipe(CardUid),
  residentId: z.string().min(1, 'validation.required'),
  pin: CardPin,
  idNumber: z
    .string()
    .trim()
    .transform((s) => s.toUpperCase())
    .pipe(z.string().regex(/^\d{17}[\dX]$/, 'cards.error.idNumber'))
    .optional(),
  dailyLimit: DailyLimit.optional(),
});
export type IssueCardInput = z.input<typeof IssueCardInput>;

/** Form/JSON input of "replace a card": the new blank card's UID and optionally a new PIN. */
export const ReplaceCardInput = z.object({
  newUid: IssueCardInput.shape.uid,
  pin: CardPin.optional(),
});

/** A stored card. */
export interface CardRecord {
  id: string;
  uid: string;
  residentId: string;
  unitId: string;
  walletAccountId: string;
  status: CardStatus;
  pinHash: string;
  pinFailures: number;
  pinLockedAt: string | null;
  dailyLimit: number;
  idNumberHash: string | null;
  replacedBy: string | null;
  issuedAt: string;
  updatedAt: string;
}

/** A card with its holder and household, as the station and the device API use it. */
export interface CardView extends Omit<CardRecord, 'pinHash' | 'idNumberHash'> {
  holderName: string;
  unitNumber: string;
  buildingName: string;
  communityId: string;
  balance: number;
}

/** Masks a holder's name for a public screen: 张* / 李*明 / J*** S**. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return '*';
  if (/^[\x20-\x7e]+$/.test(name)) {
    return name
      .trim()
      .split(/\s+/)
      .map((word) => word[0] + '*'.repeat(Math.max(word.length - 1, 1)))
      .join(' ');
  }
  if (chars.length === 2) return `${chars[0]}*`;
  return `${chars[0]}${'*'.repeat(chars.length - 2)}${chars.at(-1)}`;
}
