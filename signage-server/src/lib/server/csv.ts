/**
 * One CSV field: quoted when it holds a quote, comma or line break, and text starting with = + - @ or a tab or
 * carriage return prefixed with ' so a spreadsheet never runs it as a formula. Numbers are written as they are:
 * a negative amount is a number, not a formula.
 */
export function csvField(value: string | number): string {
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/**
 * A CSV file as a download: UTF-8 with a byte-order mark (so Excel shows Chinese text), never cached (exports hold
 * money and personal data).
 */
export function csvDownload(filename: string, csv: string): Response {
  return new Response(csv.startsWith('\uFEFF') ? csv : `\uFEFF${csv}`, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  });
}

/**
 * A CSV statement of money lines grouped by their first column: the header, one line per item, then one line per
 * group (in order of first appearance) with `TOTAL` in the second column and the group's sum (integer fen) in
 * `amountColumn`.
 */
export function csvWithTotals<T>(
  columns: readonly string[],
  lines: readonly T[],
  fields: (line: T) => (string | number)[],
  amountColumn: string,
): string {
  const amountAt = columns.indexOf(amountColumn);
  if (amountAt < 2) throw new Error(`no amount column ${amountColumn} after the group and TOTAL columns`);
  const csv = [columns.join(',')];
  const totals = new Map<string | number, number>();
  for (const line of lines) {
    const values = fields(line);
    csv.push(values.map(csvField).join(','));
    totals.set(values[0]!, (totals.get(values[0]!) ?? 0) + Number(values[amountAt]));
  }
  for (const [group, total] of totals) {
    const values: (string | number)[] = columns.map(() => '');
    values[0] = group;
    values[1] = 'TOTAL';
    values[amountAt] = total;
    csv.push(values.map((value) => (value === '' ? '' : csvField(value))).join(','));
  }
  return `${csv.join('\n')}\n`;
}
