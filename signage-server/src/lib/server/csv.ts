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
