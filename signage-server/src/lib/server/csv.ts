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
