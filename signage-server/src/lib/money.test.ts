import { describe, expect, it } from 'vitest';
import { formatFen, parseYuan } from './money';

describe('money', () => {
  it.each([
    ['500', 50_000],
    ['500.5', 50_050],
    ['¥1,234.05', 123_405],
    ['0.01', 1],
    ['-1', null],
    ['1.234', null],
    ['abc', null],
    ['', null],
  ])('parseYuan(%s) = %s', (text, fen) => expect(parseYuan(text)).toBe(fen));

  it('formats fen as yuan', () => {
    expect(formatFen(123_405)).toBe('¥1,234.05');
    expect(formatFen(-100)).toBe('-¥1.00');
  });
});
