import { mask, maskIdNumber } from '../crypto/personal-data';

/** A name as a visitor or clerk may see it: the first character, the rest starred (`王**`, `S****`). */
export function maskName(name: string): string {
  const chars = [...name.replace(/\s+/g, '')];
  if (chars.length === 0) return '*';
  return chars[0] + '*'.repeat(Math.max(1, chars.length - 1));
}

/** The character the history search matches: the first of the (masked or full) name. */
export function surnameOf(name: string): string {
  return [...name.trim()][0]?.toUpperCase() ?? '';
}

/** A document number as people may see it: resident ID numbers `110105********002X`, others `E1*****78`. */
export function maskDocumentNumber(kind: string, number: string): string {
  return kind === 'cn-id' ? maskIdNumber(number) : mask(number.toUpperCase(), 2, 2);
}
