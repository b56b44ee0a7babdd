/**
 * What a statement line says, in the reader's language: its kind's name, and the bills a payment or refund covered
 * with their categories translated, or the provider's trade number of an online top-up.
 */
export function statementLineText(
  line: { kind: string; bills: { category: string; period: string }[]; tradeNo: string | null },
  t: (key: string, params?: Record<string, string | number>) => string,
): string {
  const kind = t(`station.kind.${line.kind}`);
  if (line.bills.length > 0)
    return `${kind} · ${line.bills.map((bill) => `${t(`bills.category.${bill.category}`)} ${bill.period}`).join('、')}`;
  if (line.tradeNo) return `${kind} · ${line.tradeNo}`;
  return kind;
}
