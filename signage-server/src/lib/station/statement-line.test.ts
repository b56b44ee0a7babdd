import { describe, expect, it } from 'vitest';
import { translator } from '$lib/i18n';
import { TRANSACTION_KINDS } from '$lib/server/ledger/ledger.schema';
import { statementLineText } from './statement-line';

describe('a card statement line in the reader’s language', () => {
  const zh = translator('zh-CN');
  const en = translator('en');

  it('names every transaction kind in both languages', () => {
    for (const kind of TRANSACTION_KINDS) {
      for (const t of [zh, en]) {
        const text = statementLineText({ kind, memo: '' }, t);
        expect(text, kind).not.toContain('station.kind');
        expect(text, kind).not.toBe(kind);
      }
    }
  });

  it('translates the bills a payment or refund covered, and shows a top-up’s trade number', () => {
    expect(statementLineText({ kind: 'bill-payment', memo: 'water 2026-10; cable-tv 2026-09' }, zh)).toBe(
      '缴费 · 水费 2026-10、有线电视费 2026-09',
    );
    expect(statementLineText({ kind: 'refund', memo: 'refund gas 2026-10' }, en)).toBe(
      'Refund · Gas 2026-10',
    );
    expect(statementLineText({ kind: 'topup-online', memo: 'online top-up SIM-123' }, zh)).toBe(
      '在线充值 · SIM-123',
    );
    // memos in no known shape show just the kind, never English text in a Chinese console
    expect(statementLineText({ kind: 'topup-cash', memo: 'cash top-up' }, zh)).toBe('现金充值');
    expect(statementLineText({ kind: 'card-close', memo: 'refund on close 04A1B2' }, zh)).toBe('退卡退款');
  });
});
