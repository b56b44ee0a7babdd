import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestPayments, type TestPayments } from '../testing/payments.fixture';
import { stableJson } from './ledger.service';

let t: TestPayments;
beforeEach(() => {
  t = createTestPayments();
  t.ledger.transaction(() => {
    t.ledger.ensureAccount('wallet:a', 'wallet', 'A');
    t.ledger.ensureAccount('cash-drawer:x', 'cash-drawer', 'X');
  });
});
afterEach(() => t.cleanup());

const post = (legs: { accountId: string; amount: number }[]) =>
  t.ledger.transaction(() => t.ledger.post({ kind: 'topup-cash', actor: 'test', legs }));

describe('ledger', () => {
  it.each([
    [
      'legs that do not sum to zero',
      [
        { accountId: 'wallet:a', amount: 100 },
        { accountId: 'cash-drawer:x', amount: -99 },
      ],
      'unbalanced',
    ],
    ['a single leg', [{ accountId: 'wallet:a', amount: 0 }], 'unbalanced'],
    [
      'a fractional amount',
      [
        { accountId: 'wallet:a', amount: 0.5 },
        { accountId: 'cash-drawer:x', amount: -0.5 },
      ],
      'unbalanced',
    ],
    [
      'an unknown account',
      [
        { accountId: 'wallet:zz', amount: 1 },
        { accountId: 'cash-drawer:x', amount: -1 },
      ],
      'unknown-account',
    ],
    [
      'a wallet going below zero',
      [
        { accountId: 'wallet:a', amount: -1 },
        { accountId: 'cash-drawer:x', amount: 1 },
      ],
      'insufficient-balance',
    ],
  ])('refuses %s and writes nothing', (_name, legs, kind) => {
    expect(post(legs)).toMatchObject({ ok: false, error: { kind } });
    expect(t.db.prepare('SELECT count(*) FROM ledger_transactions').pluck().get()).toBe(0);
  });

  it('posts balanced transactions and keeps cached balances equal to the entries', () => {
    expect(
      post([
        { accountId: 'cash-drawer:x', amount: -500 },
        { accountId: 'wallet:a', amount: 500 },
      ]).ok,
    ).toBe(true);
    expect(t.ledger.balance('wallet:a')).toBe(500);
    expect(t.ledger.repository.invariants()).toMatchObject({
      totalOfEntries: 0,
      unbalancedTransactions: 0,
      driftedBalances: 0,
    });
  });

  it('entries and transactions are immutable (SQLite triggers)', () => {
    post([
      { accountId: 'cash-drawer:x', amount: -500 },
      { accountId: 'wallet:a', amount: 500 },
    ]);
    expect(() => t.db.prepare('UPDATE ledger_entries SET amount = 1').run()).toThrow(/immutable/);
    expect(() => t.db.prepare('DELETE FROM ledger_entries').run()).toThrow(/immutable/);
    expect(() => t.db.prepare("UPDATE ledger_transactions SET memo = 'x'").run()).toThrow(/immutable/);
    expect(() => t.db.prepare('DELETE FROM ledger_transactions').run()).toThrow(/immutable/);
  });

  it('the database refuses a negative wallet even past the service (CHECK)', () => {
    expect(() => t.db.prepare("UPDATE ledger_accounts SET balance = -1 WHERE id = 'wallet:a'").run()).toThrow(
      /CHECK/,
    );
  });

  it('post outside a transaction is a programming error', () => {
    expect(() => t.ledger.post({ kind: 'topup-cash', actor: 't', legs: [] })).toThrow(/inside a transaction/);
  });

  it('once: applies work once per key, replays the answer, refuses another body; a throw stores nothing', () => {
    let runs = 0;
    const work = () => ({ status: 200, body: { n: ++runs } });
    const hash = t.ledger.requestHash({ a: 1 });
    expect(t.ledger.once('s', 'k1', hash, work)).toEqual({
      ok: true,
      replayed: false,
      answer: { status: 200, body: { n: 1 } },
    });
    expect(t.ledger.once('s', 'k1', hash, work)).toEqual({
      ok: true,
      replayed: true,
      answer: { status: 200, body: { n: 1 } },
    });
    expect(t.ledger.once('s', 'k1', t.ledger.requestHash({ a: 2 }), work)).toMatchObject({ ok: false });
    expect(t.ledger.once('other-scope', 'k1', hash, work)).toMatchObject({
      replayed: false,
      answer: { body: { n: 2 } },
    });
    expect(() =>
      t.ledger.once('s', 'k2', hash, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(t.ledger.lookup('s', 'k2', hash)).toBeNull();
  });

  it('group commit: pieces share one transaction; a piece that throws is rolled back alone', async () => {
    const topUp = (amount: number) => () => {
      const posted = t.ledger.post({
        kind: 'topup-cash',
        actor: 'test',
        legs: [
          { accountId: 'cash-drawer:x', amount: -amount },
          { accountId: 'wallet:a', amount },
        ],
      });
      if (!posted.ok) throw new Error(posted.error.kind);
      return posted.value.id;
    };
    const results = await Promise.allSettled([
      t.ledger.batched(topUp(100)),
      t.ledger.batched(() => {
        topUp(1000)();
        throw new Error('after writing');
      }),
      t.ledger.batched(topUp(10)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(t.ledger.balance('wallet:a')).toBe(110);
    expect(t.db.prepare('SELECT count(*) FROM ledger_transactions').pluck().get()).toBe(2);
  });

  it('group commit: waiting pieces share one commit, and each settles only once another connection sees it', async () => {
    const topUp = (amount: number) => () => {
      const posted = t.ledger.post({
        kind: 'topup-cash',
        actor: 'test',
        legs: [
          { accountId: 'cash-drawer:x', amount: -amount },
          { accountId: 'wallet:a', amount },
        ],
      });
      if (!posted.ok) throw new Error(posted.error.kind);
      return posted.value.id;
    };
    const reader = new Database(path.join(t.dataDir, 'linli.db'), { readonly: true });
    const visible = reader.prepare('SELECT count(*) FROM ledger_transactions WHERE id = ?').pluck();
    try {
      const before = { ...t.ledger.groupCommit };
      const seen = await Promise.all(
        [100, 10, 1].map((amount) =>
          t.ledger.batched(topUp(amount)).then((id) => ({ id, visible: visible.get(id) })),
        ),
      );
      expect(seen.map((s) => s.visible)).toEqual([1, 1, 1]);
      expect(t.ledger.groupCommit).toEqual({ batches: before.batches + 1, pieces: before.pieces + 3 });
      // a piece asked for after that batch goes into the next one
      await t.ledger.batched(topUp(5));
      expect(t.ledger.groupCommit.batches).toBe(before.batches + 2);
      expect(reader.prepare("SELECT balance FROM ledger_accounts WHERE id = 'wallet:a'").pluck().get()).toBe(
        116,
      );
    } finally {
      reader.close();
    }
  });

  it('group commit: when the commit itself fails, every piece of the batch fails and nothing is written', async () => {
    const results = await Promise.allSettled([
      t.ledger.batched(() =>
        t.ledger.post({
          kind: 'topup-cash',
          actor: 'test',
          legs: [
            { accountId: 'cash-drawer:x', amount: -100 },
            { accountId: 'wallet:a', amount: 100 },
          ],
        }),
      ),
      // a deferred foreign-key violation is only detected by COMMIT
      t.ledger.batched(() => {
        t.db.pragma('defer_foreign_keys = ON');
        t.db
          .prepare(
            "INSERT INTO ledger_entries (transaction_id, account_id, amount) VALUES (999999, 'wallet:a', 1)",
          )
          .run();
      }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(t.db.inTransaction).toBe(false);
    expect(t.db.prepare('SELECT count(*) FROM ledger_entries').pluck().get()).toBe(0);
    expect(t.ledger.balance('wallet:a')).toBe(0);
  });

  it('spentSince: counts bill payments from the instant on, not undone ones, and sees other connections', () => {
    const since = t.clock.now().toISOString();
    t.ledger.transaction(() => t.ledger.ensureAccount('payable:water', 'biller-payable', 'water'));
    post([
      { accountId: 'cash-drawer:x', amount: -1_000 },
      { accountId: 'wallet:a', amount: 1_000 },
    ]);
    const pay = (amount: number) =>
      t.ledger.post({
        kind: 'bill-payment',
        actor: 'test',
        legs: [
          { accountId: 'wallet:a', amount: -amount },
          { accountId: 'payable:water', amount },
        ],
      });
    const spent = () => t.ledger.repository.spentSince('wallet:a', since);
    expect(spent()).toBe(0);
    t.ledger.transaction(() => pay(100));
    expect(spent()).toBe(100);
    // read (and remembered) inside a transaction that is then rolled back: the undone payment is not counted
    expect(() =>
      t.ledger.transaction(() => {
        pay(50);
        expect(spent()).toBe(150);
        throw new Error('undo');
      }),
    ).toThrow('undo');
    expect(spent()).toBe(100);
    t.ledger.transaction(() => pay(20));
    expect(spent()).toBe(120);
    // another connection on the same file (a CLI) writes a payment: this connection's sum must include it
    const other = new Database(path.join(t.dataDir, 'linli.db'));
    try {
      other.transaction(() => {
        const id = other
          .prepare(
            "INSERT INTO ledger_transactions (kind, at, actor, memo) VALUES ('bill-payment', ?, 'cli', '')",
          )
          .run(t.clock.now().toISOString()).lastInsertRowid;
        const entry = other.prepare(
          'INSERT INTO ledger_entries (transaction_id, account_id, amount) VALUES (?, ?, ?)',
        );
        entry.run(id, 'wallet:a', -7);
        entry.run(id, 'payable:water', 7);
        other.prepare("UPDATE ledger_accounts SET balance = balance - 7 WHERE id = 'wallet:a'").run();
        other.prepare("UPDATE ledger_accounts SET balance = balance + 7 WHERE id = 'payable:water'").run();
      })();
    } finally {
      other.close();
    }
    expect(spent()).toBe(127);
    t.ledger.transaction(() => pay(3));
    expect(spent()).toBe(130);
    // a later instant (the next business day) starts from zero
    t.clock.advance(60_000);
    expect(t.ledger.repository.spentSince('wallet:a', t.clock.now().toISOString())).toBe(0);
    expect(t.ledger.repository.invariants().driftedBalances).toBe(0);
  });

  it('stableJson sorts keys so the same request hashes the same', () => {
    expect(stableJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe(stableJson({ a: [{ c: 2, d: 1 }], b: 1 }));
    expect(t.ledger.requestHash({ b: 1, a: 2 })).toBe(t.ledger.requestHash({ a: 2, b: 1 }));
  });
});
