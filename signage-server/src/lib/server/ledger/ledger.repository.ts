import type { Db } from '../db/database';
import type { Account, AccountKind, Leg, PostedTransaction, TransactionKind } from './ledger.schema';

interface TransactionRow {
  id: number;
  kind: TransactionKind;
  at: string;
  actor: string;
  card_id: string | null;
  reference: string | null;
  reverses: number | null;
  memo: string;
}

/** SQL of the ledger: accounts, transactions, entries, idempotency keys. Callers hold the transaction. */
export class LedgerRepository {
  private readonly statements;

  constructor(readonly db: Db) {
    // The daily-limit check needs what a wallet paid today. Summing its entries costs one row per payment, so a
    // busy card would make every payment slower than the last; instead the sum is kept per (wallet, day) in a
    // connection-private TEMP table, seeded by the full query on first use and moved by a TEMP trigger on every
    // entry insert. Being tables, they are rolled back with the savepoint or transaction that wrote the entry, so
    // the cache never counts an entry that did not commit. `data_version` tags each row: a commit by another
    // connection (a CLI on the same file) changes it, and older rows are ignored and recomputed.
    //
    // temp_store=MEMORY for this connection: each payment of a group commit runs in a savepoint, whose undo pages
    // SQLite keeps in a sub-journal that spills to a temp file past 64 KiB (dozens of writes per payment), and the
    // TEMP table would live in a temp file too. Nothing in them needs to survive a crash. Changing temp_store
    // drops existing TEMP objects, so it is set first, and only when it differs.
    if (db.pragma('temp_store', { simple: true }) !== 2) db.pragma('temp_store = MEMORY');
    db.exec(/* sql */ `
      CREATE TEMP TABLE IF NOT EXISTS ledger_spent_since (
        account_id TEXT NOT NULL,
        since TEXT NOT NULL,
        data_version INTEGER NOT NULL,
        spent INTEGER NOT NULL,
        PRIMARY KEY (account_id, since)
      );
      CREATE TEMP TRIGGER IF NOT EXISTS ledger_spent_since_follow AFTER INSERT ON main.ledger_entries
      BEGIN
        UPDATE ledger_spent_since SET spent = spent - NEW.amount
        WHERE account_id = NEW.account_id
          AND since <= (SELECT at FROM main.ledger_transactions WHERE id = NEW.transaction_id AND kind = 'bill-payment');
      END;
    `);
    this.statements = {
      getAccount: db.prepare(
        'SELECT id, kind, name, balance, created_at AS createdAt FROM ledger_accounts WHERE id = ?',
      ),
      insertAccount: db.prepare(
        'INSERT OR IGNORE INTO ledger_accounts (id, kind, name, balance, created_at) VALUES (?, ?, ?, 0, ?)',
      ),
      insertTransaction: db.prepare(
        `INSERT INTO ledger_transactions (kind, at, actor, card_id, reference, reverses, memo)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      insertEntry: db.prepare(
        'INSERT INTO ledger_entries (transaction_id, account_id, amount) VALUES (?, ?, ?)',
      ),
      addBalance: db.prepare('UPDATE ledger_accounts SET balance = balance + ? WHERE id = ?'),
      getTransaction: db.prepare('SELECT * FROM ledger_transactions WHERE id = ?'),
      legsOf: db.prepare(
        'SELECT account_id AS accountId, amount FROM ledger_entries WHERE transaction_id = ? ORDER BY id',
      ),
      getKey: db.prepare(
        'SELECT request_hash AS requestHash, status, response FROM idempotency_keys WHERE scope = ? AND key = ?',
      ),
      putKey: db.prepare(
        `INSERT INTO idempotency_keys (scope, key, request_hash, status, response, created_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      spentSince: db.prepare(
        `SELECT COALESCE(-SUM(e.amount), 0) AS spent FROM ledger_entries e
         JOIN ledger_transactions t ON t.id = e.transaction_id
         WHERE e.account_id = ? AND t.kind = 'bill-payment' AND t.at >= ?`,
      ),
      spentCached: db
        .prepare(
          'SELECT spent FROM ledger_spent_since WHERE account_id = ? AND since = ? AND data_version = ?',
        )
        .pluck(),
      spentRemember: db.prepare(
        'INSERT OR REPLACE INTO ledger_spent_since (account_id, since, data_version, spent) VALUES (?, ?, ?, ?)',
      ),
      spentForgetOtherDays: db.prepare('DELETE FROM ledger_spent_since WHERE account_id = ? AND since <> ?'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
    };
  }

  getAccount(id: string): Account | null {
    return (this.statements.getAccount.get(id) as Account | undefined) ?? null;
  }

  /** Creates the account unless it exists. */
  ensureAccount(id: string, kind: AccountKind, name: string, at: string): void {
    this.statements.insertAccount.run(id, kind, name, at);
  }

  insertTransaction(t: Omit<PostedTransaction, 'id' | 'legs'>): number {
    return Number(
      this.statements.insertTransaction.run(t.kind, t.at, t.actor, t.cardId, t.reference, t.reverses, t.memo)
        .lastInsertRowid,
    );
  }

  /** Writes one entry and moves the account's cached balance by the same amount. */
  insertEntry(transactionId: number, leg: Leg): void {
    this.statements.insertEntry.run(transactionId, leg.accountId, leg.amount);
    this.statements.addBalance.run(leg.amount, leg.accountId);
  }

  getTransaction(id: number): PostedTransaction | null {
    const row = this.statements.getTransaction.get(id) as TransactionRow | undefined;
    if (!row) return null;
    return {
      id: row.id,
      kind: row.kind,
      at: row.at,
      actor: row.actor,
      cardId: row.card_id,
      reference: row.reference,
      reverses: row.reverses,
      memo: row.memo,
      legs: this.statements.legsOf.all(id) as Leg[],
    };
  }

  getIdempotencyKey(
    scope: string,
    key: string,
  ): { requestHash: string; status: number; response: string } | null {
    return (
      (this.statements.getKey.get(scope, key) as
        { requestHash: string; status: number; response: string } | undefined) ?? null
    );
  }

  putIdempotencyKey(
    scope: string,
    key: string,
    requestHash: string,
    status: number,
    response: string,
    at: string,
  ) {
    this.statements.putKey.run(scope, key, requestHash, status, response, at);
  }

  /** Fen paid for bills out of a wallet since an instant. */
  spentSince(walletAccountId: string, since: string): number {
    const version = this.statements.dataVersion.get() as number;
    const cached = this.statements.spentCached.get(walletAccountId, since, version) as number | undefined;
    if (cached !== undefined) return cached;
    const spent = (this.statements.spentSince.get(walletAccountId, since) as { spent: number }).spent;
    this.statements.spentForgetOtherDays.run(walletAccountId, since);
    this.statements.spentRemember.run(walletAccountId, since, version, spent);
    return spent;
  }

  /** Whole-table checks: the sum of all entries, transactions whose legs do not sum to zero, drifted balances. */
  invariants(): {
    totalOfEntries: number;
    unbalancedTransactions: number;
    negativeWallets: number;
    driftedBalances: number;
    totalOfBalances: number;
  } {
    const get = (sql: string) => (this.db.prepare(sql).get() as { n: number | null }).n ?? 0;
    return {
      totalOfEntries: get('SELECT SUM(amount) AS n FROM ledger_entries'),
      unbalancedTransactions: get(
        'SELECT count(*) AS n FROM (SELECT transaction_id FROM ledger_entries GROUP BY transaction_id HAVING SUM(amount) <> 0 OR count(*) < 2)',
      ),
      negativeWallets: get("SELECT count(*) AS n FROM ledger_accounts WHERE kind = 'wallet' AND balance < 0"),
      driftedBalances: get(
        `SELECT count(*) AS n FROM ledger_accounts a
         WHERE a.balance <> COALESCE((SELECT SUM(amount) FROM ledger_entries e WHERE e.account_id = a.id), 0)`,
      ),
      totalOfBalances: get('SELECT SUM(balance) AS n FROM ledger_accounts'),
    };
  }
}
