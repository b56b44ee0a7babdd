import type { Migration } from './index';

/**
 * The community card (一卡通) and its ledger (issue 7): double-entry accounts and immutable entries, cards with a
 * wallet each, bills per unit and category, idempotency keys, online top-up orders, refund approvals and daily
 * closes. Amounts are integer fen. Entry amounts are signed: positive = credit, negative = debit, so every
 * transaction's entries sum to zero and so does the whole table; a wallet's balance is the sum of its entries.
 */
export const m0003: Migration = {
  version: 3,
  name: '0003-ledger',
  up: /* sql */ `
    CREATE TABLE ledger_accounts (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN
        ('wallet', 'cash-drawer', 'biller-payable', 'topup-clearing', 'settlement', 'cash-difference')),
      name TEXT NOT NULL,
      -- cached sum of the account's entries, written in the same transaction as the entries; checked by tests
      balance INTEGER NOT NULL DEFAULT 0,
      created_at TEXT NOT NULL,
      -- the last line of defence: the service checks the balance first and answers insufficient-balance
      CHECK (kind <> 'wallet' OR balance >= 0)
    );

    CREATE TABLE ledger_transactions (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      kind TEXT NOT NULL CHECK (kind IN ('topup-cash', 'topup-online', 'bill-payment', 'refund',
        'card-replacement', 'card-close', 'settlement', 'cash-difference')),
      at TEXT NOT NULL,
      actor TEXT NOT NULL,
      card_id TEXT,
      reference TEXT,
      -- a correction or refund points at the transaction it reverses (entries are never edited)
      reverses INTEGER REFERENCES ledger_transactions(id),
      memo TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX ledger_transactions_card ON ledger_transactions(card_id, at);
    CREATE INDEX ledger_transactions_at ON ledger_transactions(at);

    CREATE TABLE ledger_entries (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      transaction_id INTEGER NOT NULL REFERENCES ledger_transactions(id),
      account_id TEXT NOT NULL REFERENCES ledger_accounts(id),
      amount INTEGER NOT NULL CHECK (amount <> 0)
    );
    CREATE INDEX ledger_entries_transaction ON ledger_entries(transaction_id);
    CREATE INDEX ledger_entries_account ON ledger_entries(account_id);

    CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
      BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
    CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
      BEGIN SELECT RAISE(ABORT, 'ledger entries are immutable'); END;
    CREATE TRIGGER ledger_transactions_no_update BEFORE UPDATE ON ledger_transactions
      BEGIN SELECT RAISE(ABORT, 'ledger transactions are immutable'); END;
    CREATE TRIGGER ledger_transactions_no_delete BEFORE DELETE ON ledger_transactions
      BEGIN SELECT RAISE(ABORT, 'ledger transactions are immutable'); END;

    -- uid: canonical upper-case hex in reader order. A closed or replaced card keeps its row (and its uid) so a
    -- lost card is still recognised and refused at the next tap.
    CREATE TABLE cards (
      id TEXT PRIMARY KEY,
      uid TEXT NOT NULL UNIQUE,
      resident_id TEXT NOT NULL REFERENCES residents(id),
      unit_id TEXT NOT NULL REFERENCES units(id),
      wallet_account_id TEXT NOT NULL UNIQUE REFERENCES ledger_accounts(id),
      status TEXT NOT NULL CHECK (status IN ('active', 'lost', 'replaced', 'closed')),
      pin_hash TEXT NOT NULL,
      pin_failures INTEGER NOT NULL DEFAULT 0 CHECK (pin_failures >= 0),
      pin_locked_at TEXT,
      daily_limit INTEGER NOT NULL CHECK (daily_limit > 0),
      -- keyed hash of the holder's ID number: the kiosk's lost-card report checks it without storing the number
      id_number_hash TEXT,
      replaced_by TEXT REFERENCES cards(id),
      issued_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );
    CREATE INDEX cards_resident ON cards(resident_id);
    CREATE INDEX cards_unit ON cards(unit_id);

    CREATE TABLE bills (
      id TEXT PRIMARY KEY,
      unit_id TEXT NOT NULL REFERENCES units(id),
      category TEXT NOT NULL CHECK (category IN
        ('water', 'electricity', 'gas', 'heating', 'property', 'cable-tv', 'parking')),
      period TEXT NOT NULL,
      amount INTEGER NOT NULL CHECK (amount > 0),
      due_date TEXT,
      status TEXT NOT NULL CHECK (status IN ('unpaid', 'paid')),
      source TEXT NOT NULL,
      paid_transaction_id INTEGER REFERENCES ledger_transactions(id),
      paid_at TEXT,
      created_at TEXT NOT NULL
    );
    CREATE INDEX bills_unit ON bills(unit_id, status);

    -- scope: who sent the key (device:<id> or user:<id>); the first answer is replayed for the same request
    CREATE TABLE idempotency_keys (
      scope TEXT NOT NULL,
      key TEXT NOT NULL,
      request_hash TEXT NOT NULL,
      status INTEGER NOT NULL,
      response TEXT NOT NULL,
      created_at TEXT NOT NULL,
      PRIMARY KEY (scope, key)
    );

    CREATE TABLE topup_orders (
      id TEXT PRIMARY KEY,
      provider TEXT NOT NULL,
      card_id TEXT NOT NULL REFERENCES cards(id),
      amount INTEGER NOT NULL CHECK (amount > 0),
      status TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed')),
      provider_trade_no TEXT,
      transaction_id INTEGER REFERENCES ledger_transactions(id),
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL
    );

    CREATE TABLE refund_requests (
      id TEXT PRIMARY KEY,
      card_id TEXT NOT NULL REFERENCES cards(id),
      bill_id TEXT NOT NULL REFERENCES bills(id),
      amount INTEGER NOT NULL CHECK (amount > 0),
      reason TEXT NOT NULL,
      requested_by TEXT NOT NULL,
      requested_at TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
      decided_by TEXT,
      decided_at TEXT,
      transaction_id INTEGER REFERENCES ledger_transactions(id)
    );

    -- One per (drawer, business day): counted cash against the ledger; a difference is booked, never hidden.
    CREATE TABLE daily_closes (
      drawer_account_id TEXT NOT NULL REFERENCES ledger_accounts(id),
      business_day TEXT NOT NULL,
      expected INTEGER NOT NULL,
      counted INTEGER NOT NULL CHECK (counted >= 0),
      difference INTEGER NOT NULL,
      closed_by TEXT NOT NULL,
      closed_at TEXT NOT NULL,
      transaction_id INTEGER REFERENCES ledger_transactions(id),
      PRIMARY KEY (drawer_account_id, business_day)
    );
  `,
};
