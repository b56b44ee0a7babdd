/** Money for people: integer fen shown as yuan (`¥1,234.50`). Client-safe (pages import it). */
export function formatFen(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  const yuan = Math.floor(abs / 100).toLocaleString('en-US');
  return `${sign}¥${yuan}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Parses an amount typed in yuan (`500`, `500.5`, `500.50`) into integer fen without floating point, so ¥0.1 +
 * ¥0.2 never becomes 30.000000000000004 fen. Null for anything else (negative, three decimals, text).
 */
export function parseYuan(text: string): number | null {
  const match = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text.trim().replace(/^¥/, '').replace(/,/g, ''));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
