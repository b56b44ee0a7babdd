import { describe, expect, it } from 'vitest';
import { translator } from '$lib/i18n';
import { TRANSACTION_KINDS } from '$lib/server/ledger/ledger.schema';
import { statementLineText } from './statement-line';

describe('a card statement line in the reader’s language', () => {
  const zh = translator('zh-CN');
  const en = translator('en');
  const line = (kind: string, extra: Partial<Parameters<typeof statementLineText>[0]> = {}) => ({
    kind,
    bills: [],
    tradeNo: null,
    ...extra,
  });

  it('names every transaction kind in both languages', () => {
    for (const kind of TRANSACTION_KINDS) {
      for (const t of [zh, en]) {
        const text = statementLineText(line(kind), t);
        expect(text, kind).not.toContain('station.kind');
        expect(text, kind).not.toBe(kind);
      }
    }
  });

  it('translates the bills a payment or refund covered, and shows a top-up’s trade number', () => {
    const bills = [
      { category: 'water', period: '2026-10' },
      { category: 'cable-tv', period: '2026-09' },
    ];
    expect(statementLineText(line('bill-payment', { bills }), zh)).toBe(
      '缴费 · 水费 2026-10、有线电视费 2026-09',
    );
    expect(statementLineText(line('refund', { bills: [{ category: 'gas', period: '2026-10' }] }), en)).toBe(
      'Refund · Gas 2026-10',
    );
    expect(statementLineText(line('topup-online', { tradeNo: 'SIM-123' }), zh)).toBe('在线充值 · SIM-123');
    expect(statementLineText(line('topup-cash'), zh)).toBe('现金充值');
    expect(statementLineText(line('card-close'), zh)).toBe('退卡退款');
  });
});
