import crypto from 'node:crypto';
import type { AuditService } from '../audit/audit.service';
import { hashPassword, verifyPassword, type ScryptParams } from '../auth/password';
import type { Clock } from '../clock';
import { keyedHash } from '../crypto/personal-data';
import { accountIds } from '../ledger/ledger.schema';
import { onceResult, type IdempotencyContext, type LedgerService } from '../ledger/ledger.service';
import { err, ok, type Result } from '../result';
import type { CardRepository } from './card.repository';
import {
  DailyLimit,
  DEFAULT_DAILY_LIMIT,
  IssueCardInput,
  MAX_PIN_FAILURES,
  ReplaceCardInput,
  type CardRecord,
  type CardView,
} from './card.schema';

/**
 * PIN hash cost: scrypt N = 2^14 (~16 MiB, tens of ms). A 6-digit PIN falls to offline brute force at any cost,
 * so the cost only slows a stolen database a little; what protects a PIN is the 3-try lock, and a payment
 * request must not wait a quarter of a second for a login-strength hash.
 */
export const PIN_SCRYPT: ScryptParams = { logN: 14, r: 8, p: 1 };

/** Who acts at the station. */
export interface CardActor {
  id: string;
  username: string;
}

export type CardErrorKind =
  | 'invalid'
  | 'not-found'
  | 'duplicate'
  | 'card-unknown'
  | 'card-blocked'
  | 'card-locked'
  | 'wrong-pin'
  | 'insufficient-balance'
  | 'idempotency-mismatch';

/** The outcome of checking a PIN (hashing is slow and async, so it runs before the write transaction). */
export type PinCheck = 'not-given' | 'correct' | 'wrong';

/**
 * The card lifecycle at the station (issue, report lost, replace, close, unlock) and PIN rules. Money moves
 * through the ledger in the same transaction as the card's state change: a replacement moves the whole balance
 * to the new card's wallet, a close pays it out of the station's cash drawer.
 */
export class CardService {
  constructor(
    readonly repository: CardRepository,
    private readonly ledger: LedgerService,
    private readonly audit: Pick<AuditService, 'record'>,
    private readonly clock: Clock,
    private readonly hashKey: Buffer,
    private readonly pinParams: ScryptParams = PIN_SCRYPT,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  idNumberHash(idNumber: string): string {
    return keyedHash(this.hashKey, idNumber.toUpperCase(), 'id-number');
  }

  view(id: string): CardView | null {
    return this.repository.view(id);
  }

  search(query: string): CardView[] {
    return this.repository.search(query.trim());
  }

  getByUid(uid: string): CardRecord | null {
    return this.repository.getByUid(uid);
  }

  /** Issues a blank card to a resident: binds the UID, stores the PIN hashed, opens the wallet. */
  async issue(
    input: unknown,
    actor: CardActor,
  ): Promise<Result<CardView, CardErrorKind> & { field?: string }> {
    const parsed = IssueCardInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ...err('invalid', issue?.message ?? 'invalid'), field: String(issue?.path[0] ?? '') };
    }
    const { uid, residentId, pin, idNumber, dailyLimit } = parsed.data;
    const pinHash = await hashPassword(pin, this.pinParams);
    return this.ledger.transaction(() => {
      const resident = this.repository.resident(residentId);
      if (!resident) return { ...err('not-found', 'no such resident'), field: 'residentId' };
      if (this.repository.getByUid(uid))
        return { ...err('duplicate', 'this card is already bound'), field: 'uid' };
      const id = crypto.randomUUID();
      const at = this.now();
      const walletAccountId = accountIds.wallet(id);
      this.ledger.ensureAccount(walletAccountId, 'wallet', `${resident.name} ${uid}`);
      this.repository.insert({
        id,
        uid,
        residentId,
        unitId: resident.unitId,
        walletAccountId,
        pinHash,
        dailyLimit: dailyLimit ?? DEFAULT_DAILY_LIMIT,
        idNumberHash: idNumber ? this.idNumberHash(idNumber) : null,
        issuedAt: at,
        updatedAt: at,
      });
      this.audit.record({ actor, action: 'card.issue', target: `card:${id}`, detail: { uid, residentId } });
      return ok(this.repository.view(id)!);
    });
  }

  /** Blocks a card at once everywhere: the next tap is refused. */
  reportLost(cardId: string, actor: CardActor | string): Result<CardView, 'not-found' | 'card-blocked'> {
    return this.ledger.transaction(() => {
      const card = this.repository.get(cardId);
      if (!card) return err('not-found', 'no such card');
      if (card.status !== 'active') return err('card-blocked', `card is ${card.status}`);
      this.repository.setStatus(card.id, 'lost', null, this.now());
      this.audit.record({ actor, action: 'card.report-lost', target: `card:${card.id}` });
      return ok(this.repository.view(card.id)!);
    });
  }

  /**
   * The kiosk's lost-card report: the resident proves who they are with ID number + phone (both only compared as
   * keyed hashes). Every active card of that person is blocked. An unknown identity and a known one without cards
   * give the same failure, so the kiosk cannot be used to probe who lives here.
   */
  reportLostByIdentity(
    idNumber: string,
    phoneHash: string,
    device: string,
  ): Result<{ blockedCards: number }, 'verification-failed'> {
    return this.ledger.transaction(() => {
      const ids = this.repository.activeCardsByIdentity(phoneHash, this.idNumberHash(idNumber));
      if (ids.length === 0)
        return err('verification-failed', 'no active card matches this ID number and phone');
      const at = this.now();
      for (const id of ids) {
        this.repository.setStatus(id, 'lost', null, at);
        this.audit.record({
          actor: device,
          action: 'card.report-lost',
          target: `card:${id}`,
          detail: { via: 'kiosk' },
        });
      }
      return ok({ blockedCards: ids.length });
    });
  }

  /** Ends a PIN lock (the clerk has checked the holder's identity). */
  unlock(cardId: string, actor: CardActor): Result<CardView, 'not-found'> {
    return this.ledger.transaction(() => {
      const card = this.repository.get(cardId);
      if (!card) return err('not-found', 'no such card');
      this.repository.pinReset(card.id, this.now());
      this.audit.record({ actor, action: 'card.unlock', target: `card:${card.id}` });
      return ok(this.repository.view(card.id)!);
    });
  }

  /** Sets a card's daily spending limit (fen); payments from then on are held to it. */
  setDailyLimit(
    cardId: string,
    dailyLimit: number,
    actor: CardActor,
  ): Result<CardView, 'not-found' | 'invalid'> {
    const parsed = DailyLimit.safeParse(dailyLimit);
    if (!parsed.success) return err('invalid', parsed.error.issues[0]?.message ?? 'cards.error.dailyLimit');
    return this.ledger.transaction(() => {
      const card = this.repository.get(cardId);
      if (!card) return err('not-found', 'no such card');
      if (card.status === 'closed' || card.status === 'replaced')
        return err('invalid', `card is ${card.status}`);
      this.repository.setDailyLimit(card.id, parsed.data, this.now());
      this.audit.record({
        actor,
        action: 'card.daily-limit',
        target: `card:${card.id}`,
        detail: { from: card.dailyLimit, to: parsed.data },
      });
      return ok(this.repository.view(card.id)!);
    });
  }

  /**
   * Replaces a lost, damaged or active card with a new blank one: the new card gets a new wallet and the whole
   * balance moves there in one transaction; the old card is marked replaced and refused from then on.
   */
  async replace(
    cardId: string,
    input: unknown,
    actor: CardActor,
    idempotency: IdempotencyContext,
  ): Promise<Result<CardView, CardErrorKind> & { field?: string }> {
    const parsed = ReplaceCardInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return { ...err('invalid', issue?.message ?? 'invalid'), field: String(issue?.path[0] ?? '') };
    }
    const { newUid, pin } = parsed.data;
    const pinHash = pin ? await hashPassword(pin, this.pinParams) : null;
    return onceResult(
      this.ledger,
      idempotency,
      { op: 'card.replace', cardId, newUid, pin: pin ?? null },
      () => {
        const old = this.repository.get(cardId);
        if (!old) return err('not-found', 'no such card');
        if (old.status === 'replaced' || old.status === 'closed')
          return err('card-blocked', `card is ${old.status}`);
        if (this.repository.getByUid(newUid))
          return { ...err('duplicate', 'this card is already bound'), field: 'newUid' };
        const id = crypto.randomUUID();
        const at = this.now();
        const walletAccountId = accountIds.wallet(id);
        const holder = this.repository.resident(old.residentId);
        this.ledger.ensureAccount(walletAccountId, 'wallet', `${holder?.name ?? ''} ${newUid}`);
        this.repository.insert({
          id,
          uid: newUid,
          residentId: old.residentId,
          unitId: old.unitId,
          walletAccountId,
          pinHash: pinHash ?? old.pinHash,
          dailyLimit: old.dailyLimit,
          idNumberHash: old.idNumberHash,
          issuedAt: at,
          updatedAt: at,
        });
        this.repository.setStatus(old.id, 'replaced', id, at);
        const balance = this.ledger.balance(old.walletAccountId);
        if (balance > 0) {
          const posted = this.ledger.post({
            kind: 'card-replacement',
            actor: actor.username,
            cardId: id,
            reference: `card:${old.id}`,
            memo: `${old.uid} → ${newUid}`,
            legs: [
              { accountId: old.walletAccountId, amount: -balance },
              { accountId: walletAccountId, amount: balance },
            ],
          });
          if (!posted.ok) throw new Error(`replacement transfer failed: ${posted.error.message}`);
        }
        this.audit.record({
          actor,
          action: 'card.replace',
          target: `card:${old.id}`,
          detail: { newCard: id, newUid, moved: balance },
        });
        return ok(this.repository.view(id)!);
      },
    );
  }

  /** Closes a card: the remaining balance is paid out in cash from the station's drawer. */
  close(
    cardId: string,
    actor: CardActor,
    idempotency: IdempotencyContext,
  ): Result<CardView & { refunded: number }, CardErrorKind> {
    return onceResult(this.ledger, idempotency, { op: 'card.close', cardId }, () => {
      const card = this.repository.view(cardId);
      if (!card) return err('not-found', 'no such card');
      // A closed card can still receive money afterwards (a refund approved later, an online top-up whose callback
      // came late): closing it again pays that out. Otherwise a closed or replaced card has nothing to close.
      const payoutAgain = card.status === 'closed' && card.balance > 0;
      if (card.status === 'replaced' || (card.status === 'closed' && !payoutAgain))
        return err('card-blocked', `card is ${card.status}`);
      const balance = card.balance;
      const drawer = accountIds.cashDrawer(card.communityId);
      this.ledger.ensureAccount(drawer, 'cash-drawer', `cash drawer ${card.communityId}`);
      if (balance > 0) {
        const posted = this.ledger.post({
          kind: 'card-close',
          actor: actor.username,
          cardId: card.id,
          memo: `refund on close ${card.uid}`,
          legs: [
            { accountId: card.walletAccountId, amount: -balance },
            { accountId: drawer, amount: balance },
          ],
        });
        if (!posted.ok) throw new Error(`close payout failed: ${posted.error.message}`);
      }
      if (!payoutAgain) this.repository.setStatus(card.id, 'closed', null, this.now());
      this.audit.record({
        actor,
        action: 'card.close',
        target: `card:${card.id}`,
        detail: { refunded: balance, ...(payoutAgain ? { afterClose: true } : {}) },
      });
      return ok({ ...this.repository.view(card.id)!, refunded: balance });
    });
  }

  /** Checks a PIN against a card's hash (async: scrypt). Nothing is written here. */
  async checkPin(card: CardRecord, pin: string | undefined): Promise<PinCheck> {
    if (pin === undefined) return 'not-given';
    return (await verifyPassword(pin, card.pinHash)) ? 'correct' : 'wrong';
  }

  /**
   * Inside the payment's transaction: refuses a card that is not active or is PIN-locked, and applies the PIN
   * outcome (a wrong PIN counts toward the lock; a right one clears the count). Returns the current record.
   */
  admit(
    cardId: string,
    pinHashChecked: string | null,
    pinCheck: PinCheck,
    pinRequired: boolean,
  ): Result<CardRecord, 'card-unknown' | 'card-blocked' | 'card-locked' | 'pin-required' | 'wrong-pin'> & {
    params?: Record<string, number>;
  } {
    const card = this.repository.get(cardId);
    if (!card) return err('card-unknown', 'unknown card');
    return this.admitRecord(card, pinHashChecked, pinCheck, pinRequired);
  }

  /**
   * `admit` for a record the caller has just read inside the same transaction (the payment reads the card by UID
   * first): one SELECT less per payment.
   */
  admitRecord(
    card: CardRecord,
    pinHashChecked: string | null,
    pinCheck: PinCheck,
    pinRequired: boolean,
  ): Result<CardRecord, 'card-blocked' | 'card-locked' | 'pin-required' | 'wrong-pin'> & {
    params?: Record<string, number>;
  } {
    if (card.status !== 'active') return err('card-blocked', `card is ${card.status}`);
    if (card.pinLockedAt) return err('card-locked', 'too many wrong PINs: a clerk must unlock the card');
    // the PIN was checked against the hash read before the transaction; a PIN changed meanwhile means check again
    const stale = pinHashChecked !== null && pinHashChecked !== card.pinHash;
    if (pinCheck === 'wrong' && !stale) {
      const failures = this.repository.pinFailed(card.id, MAX_PIN_FAILURES, this.now());
      return failures >= MAX_PIN_FAILURES
        ? err('card-locked', 'too many wrong PINs: a clerk must unlock the card')
        : err('wrong-pin', 'wrong PIN', { remaining: MAX_PIN_FAILURES - failures });
    }
    if (pinRequired && (pinCheck !== 'correct' || stale))
      return err('pin-required', 'this payment needs the PIN');
    if (pinCheck === 'correct' && card.pinFailures > 0) this.repository.pinReset(card.id, this.now());
    return ok(card);
  }
}
