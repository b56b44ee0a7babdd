/** The bill categories a memo can name (the `bills.category` CHECK). */
const CATEGORY = /\b(water|electricity|gas|heating|property|cable-tv|parking) (\d{4}-\d{2})\b/g;

/**
 * What a statement line says, in the reader's language. The ledger's memos are written once, in the server's
 * words (`water 2026-10; gas 2026-10`, `online top-up <trade no>`): the line shows its kind's name, and the bills
 * a payment or refund covered with their categories translated, or the provider's trade number of a top-up.
 */
export function statementLineText(
  line: { kind: string; memo: string },
  t: (key: string, params?: Record<string, string | number>) => string,
): string {
  const kind = t(`station.kind.${line.kind}`);
  if (line.kind === 'bill-payment' || line.kind === 'refund') {
    const bills = [...line.memo.matchAll(CATEGORY)].map(
      ([, category, period]) => `${t(`bills.category.${category}`)} ${period}`,
    );
    return bills.length > 0 ? `${kind} · ${bills.join('、')}` : kind;
  }
  if (line.kind === 'topup-online') {
    const tradeNo = /^online top-up (\S+)$/.exec(line.memo)?.[1];
    return tradeNo ? `${kind} · ${tradeNo}` : kind;
  }
  return kind;
}
