import crypto from 'node:crypto';
import type { Clock } from '../clock';
import { err, ok, type Result } from '../result';
import type { LedgerRepository } from './ledger.repository';
import type { AccountKind, PostTransaction, PostedTransaction } from './ledger.schema';

/** Ledger failures a caller may meet. */
export type LedgerErrorKind = 'unbalanced' | 'unknown-account' | 'insufficient-balance';

/** An HTTP-shaped answer stored under an idempotency key and replayed for a retry. */
export interface StoredAnswer {
  status: number;
  body: unknown;
}

/** What `once` returns: the answer and whether it is a replay of an earlier request with the same key. */
export type OnceResult =
  | { ok: true; replayed: boolean; answer: StoredAnswer }
  | { ok: false; error: { kind: 'idempotency-mismatch'; message: string } };

/**
 * The double-entry ledger (issue 7). Every transaction's legs sum to zero (checked here, before anything is
 * written, and over the whole table by tests); entries are immutable (SQLite triggers refuse UPDATE and DELETE);
 * a wallet never goes below zero (checked here inside the caller's transaction, and by a CHECK on the cached
 * balance as the last line of defence).
 */
export class LedgerService {
  readonly repository: LedgerRepository;
  private readonly pending: {
    work: () => unknown;
    resolve: (value: unknown) => void;
    reject: (error: unknown) => void;
  }[] = [];
  private flushScheduled = false;
  /** Group-commit counters since start: committed batches and the pieces they held (pieces / batches = sharing). */
  readonly groupCommit = { batches: 0, pieces: 0 };
  /** One transaction wrapper for every call: better-sqlite3 builds a new one per `db.transaction(fn)`. */
  private readonly run: (work: () => unknown) => unknown;
  private readonly runImmediate: (work: () => unknown) => unknown;
  /** The hash key imported once: `createHmac` with a Buffer imports it again on every request. */
  private readonly hmacKey: crypto.KeyObject;

  constructor(
    repository: LedgerRepository,
    private readonly clock: Clock,
    hashKey: Buffer,
  ) {
    this.repository = repository;
    this.hmacKey = crypto.createSecretKey(hashKey);
    // called inside an open transaction, the same wrapper makes a savepoint
    const run = repository.db.transaction((work: () => unknown) => work());
    this.run = run;
    this.runImmediate = run.immediate;
  }

  /** Runs `work` in one IMMEDIATE transaction (the write lock is taken first, so reads inside are current). */
  transaction<T>(work: () => T): T {
    return this.runImmediate(work) as T;
  }

  /**
   * Group commit: runs `work` in the next batch of one shared IMMEDIATE transaction, each piece inside its own
   * savepoint (a piece that throws is rolled back alone and its caller gets the error). The batch commits with one
   * fsync, and no caller's promise settles before that commit — so nothing is acknowledged that is not durable.
   * With synchronous=FULL every commit costs an fsync; concurrent payments share it instead of queueing behind it.
   * better-sqlite3 commits synchronously, so requests arriving during a commit wait in their sockets; the next
   * turn of the event loop reads them all, and the batch is flushed after that (setImmediate runs after I/O).
   */
  batched<T>(work: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending.splice(0);
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      this.runImmediate(() => {
        for (const item of batch) {
          try {
            // inside the batch's transaction this is a savepoint: a piece that throws is undone alone
            outcomes.push({ ok: true, value: this.run(item.work) });
          } catch (error) {
            // some errors (disk full, I/O) make SQLite roll back the whole transaction: the pieces before this
            // one are gone too, and the rest must not run outside a transaction, so the whole batch fails
            if (!this.repository.db.inTransaction) throw error;
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const item of batch) item.reject(error);
      return;
    }
    this.groupCommit.batches++;
    this.groupCommit.pieces += batch.length;
    batch.forEach((item, index) => {
      const outcome = outcomes[index]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.error);
    });
  }

  ensureAccount(id: string, kind: AccountKind, name: string): void {
    this.repository.ensureAccount(id, kind, name, this.clock.now().toISOString());
  }

  balance(accountId: string): number {
    return this.repository.getAccount(accountId)?.balance ?? 0;
  }

  /**
   * Posts a balanced transaction. Must run inside a caller's transaction (`transaction` or `once`), so the
   * balance check and the entries are one atomic step with whatever else the caller changes (bills, cards).
   */
  post(
    transaction: PostTransaction,
  ): Result<PostedTransaction & { balancesAfter: ReadonlyMap<string, number> }, LedgerErrorKind> {
    const legs = transaction.legs;
    if (!this.repository.db.inTransaction) throw new Error('ledger.post must run inside a transaction');
    if (legs.length < 2) return err('unbalanced', 'a transaction needs at least two legs');
    // the rules of the `Leg` schema, checked inline: this runs for every leg of every payment
    for (const leg of legs) {
      if (
        typeof leg.accountId !== 'string' ||
        leg.accountId.length === 0 ||
        !Number.isSafeInteger(leg.amount) ||
        leg.amount === 0
      ) {
        return err('unbalanced', `leg on ${leg.accountId} is not a non-zero integer of fen`);
      }
    }
    const sum = legs.reduce((total, leg) => total + leg.amount, 0);
    if (sum !== 0) return err('unbalanced', `legs sum to ${sum}, not 0`);
    // the net change per account, so two legs on one wallet are checked together
    const net = new Map<string, number>();
    for (const leg of legs) net.set(leg.accountId, (net.get(leg.accountId) ?? 0) + leg.amount);
    // read here anyway for the checks, so callers need not read the balances again (the payment's receipt)
    const balancesAfter = new Map<string, number>();
    for (const [accountId, change] of net) {
      const account = this.repository.getAccount(accountId);
      if (!account) return err('unknown-account', `no account ${accountId}`);
      if (account.kind === 'wallet' && account.balance + change < 0) {
        return err('insufficient-balance', `wallet ${accountId} holds ${account.balance} fen`);
      }
      balancesAfter.set(accountId, account.balance + change);
    }
    const at = this.clock.now().toISOString();
    const record = {
      kind: transaction.kind,
      at,
      actor: transaction.actor,
      cardId: transaction.cardId ?? null,
      reference: transaction.reference ?? null,
      reverses: transaction.reverses ?? null,
      memo: transaction.memo ?? '',
    };
    const id = this.repository.insertTransaction(record);
    for (const leg of legs) this.repository.insertEntry(id, leg);
    return ok({ id, ...record, legs, balancesAfter });
  }

  /** A keyed hash of a request body: identifies "the same request" without storing PINs or other secrets. */
  requestHash(body: unknown): string {
    return crypto
      .createHmac('sha256', this.hmacKey)
      .update(`idempotency\0${stableJson(body)}`)
      .digest('hex');
  }

  /** The stored answer for a key, without taking the write lock (a cheap pre-check before slow work). */
  lookup(scope: string, key: string, requestHash: string): OnceResult | null {
    const stored = this.repository.getIdempotencyKey(scope, key);
    if (!stored) return null;
    if (stored.requestHash !== requestHash) {
      return {
        ok: false,
        error: {
          kind: 'idempotency-mismatch',
          message: 'this Idempotency-Key was used for a different request',
        },
      };
    }
    return { ok: true, replayed: true, answer: { status: stored.status, body: JSON.parse(stored.response) } };
  }

  /**
   * Applies a money-moving request at most once per (scope, key). `work` runs inside one IMMEDIATE transaction
   * together with storing its answer, so the ledger entries, the state changes and the key commit or vanish
   * together: a crash before commit leaves nothing (the retry applies it), a crash after leaves the key (the
   * retry gets the first answer). Answers that record a failure are stored too: a retry must not change its mind.
   * `work` must validate before it writes, or throw to roll back.
   */
  once(scope: string, key: string, requestHash: string, work: () => StoredAnswer): OnceResult {
    return this.transaction(() => this.onceInside(scope, key, requestHash, work));
  }

  /**
   * `once` for a caller that already holds the transaction (or the savepoint of a batched piece), which makes the
   * key and `work`'s writes one atomic step; a throw must roll that back.
   */
  onceInside(scope: string, key: string, requestHash: string, work: () => StoredAnswer): OnceResult {
    if (!this.repository.db.inTransaction) throw new Error('ledger.onceInside must run inside a transaction');
    const earlier = this.lookup(scope, key, requestHash);
    if (earlier) return earlier;
    const answer = work();
    this.repository.putIdempotencyKey(
      scope,
      key,
      requestHash,
      answer.status,
      JSON.stringify(answer.body),
      this.clock.now().toISOString(),
    );
    return { ok: true as const, replayed: false, answer };
  }
}

/** JSON with object keys sorted, so the same request always hashes the same. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** An idempotency key and who sent it. */
export interface IdempotencyContext {
  /** `device:<id>` or `user:<id>`: keys of different callers never collide. */
  scope: string;
  key: string;
}

/**
 * `once` for service methods that answer a Result: the Result itself is the stored answer, so a retry gets
 * exactly the first outcome (success or named failure). A key reused for another request fails with
 * `idempotency-mismatch`.
 */
export function onceResult<T, K extends string>(
  ledger: LedgerService,
  context: IdempotencyContext,
  request: unknown,
  work: () => Result<T, K>,
): Result<T, K | 'idempotency-mismatch'> & { replayed?: boolean } {
  const requestHash = ledger.requestHash(request);
  return ledger.transaction(() => onceResultInside(ledger, context, requestHash, work));
}

/**
 * `onceResult` through the group commit (the hot path: kiosk payments): the piece's savepoint holds the key and
 * the work together, and the promise settles only once the batch holding it has committed.
 */
export function onceResultBatched<T, K extends string>(
  ledger: LedgerService,
  context: IdempotencyContext,
  requestHash: string,
  work: () => Result<T, K>,
): Promise<Result<T, K | 'idempotency-mismatch'> & { replayed?: boolean }> {
  // the caller hashes the request (`requestHash`) before: the batch holds the write lock, so work that needs none
  // is done outside it — for payments, on the main thread, not in the writer thread whose time bounds throughput
  return ledger.batched(() => onceResultInside(ledger, context, requestHash, work));
}

function onceResultInside<T, K extends string>(
  ledger: LedgerService,
  context: IdempotencyContext,
  requestHash: string,
  work: () => Result<T, K>,
): Result<T, K | 'idempotency-mismatch'> & { replayed?: boolean } {
  const outcome = ledger.onceInside(context.scope, context.key, requestHash, () => {
    const result = work();
    return { status: result.ok ? 200 : 409, body: result };
  });
  if (!outcome.ok) return err('idempotency-mismatch', outcome.error.message);
  return { ...(outcome.answer.body as Result<T, K>), replayed: outcome.replayed };
}
