import { describe, expect, it } from 'vitest';
import { formatFen } from './payment-api';

describe('formatFen', () => {
  it.each([
    [0, '¥0.00'],
    [5, '¥0.05'],
    [17_480, '¥174.80'],
    [100_000_000, '¥1,000,000.00'],
    [-21_000, '-¥210.00'],
  ])('%i fen is %s', (fen, text) => expect(formatFen(fen)).toBe(text));
});
