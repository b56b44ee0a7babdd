import { fail, ok, type Result } from '../result';

// One card, one UID, whatever reader it was tapped on. The canonical form is the one a PC/SC reader returns
// for GET DATA (FF CA 00 00 00): the UID bytes in the order the card sends them, as uppercase hex
// ("04A1B2C3D4E5F6"). Keyboard-wedge readers print the same UID in several ways seen in the field:
//   hex             "04A1B2C3"          the bytes in card order
//   hex-reversed    "C3B2A104"          the bytes backwards (little-endian dump)
//   decimal         "0077705923"        the bytes read as one big-endian number ("正码")
//   decimal-reversed"3283263748"        the bytes read as one little-endian number ("反码"), the most common
//   wiegand26       "16145763"          3-digit facility + 5-digit card number: only the low 24 bits of the
//   wiegand26-reversed                  big-/little-endian number, so one byte of the UID is lost.
// A Wiegand read cannot give the whole UID; its canonical form marks the lost byte "??" ("??A1B2C3") and
// cardUidsMatch() compares it with a full UID on the bytes both know.

export const UID_FORMATS = [
  'auto',
  'hex',
  'hex-reversed',
  'decimal',
  'decimal-reversed',
  'wiegand26',
  'wiegand26-reversed',
] as const;
/** How a reader prints UIDs; `auto` guesses from the text (see normalizeCardUid). */
export type UidFormat = (typeof UID_FORMATS)[number];

export type UidErrorKind = 'uid-empty' | 'uid-invalid-characters' | 'uid-invalid-length' | 'uid-out-of-range';

/** UIDs are 4, 7 or 10 bytes (ISO 14443-3 single/double/triple size) or 8 bytes (ISO 15693, FeliCa IDm). */
const MIN_UID_BYTES = 4;
const MAX_UID_BYTES = 10;

/**
 * Normalises a UID as a reader printed it to the canonical uppercase hex in card order. With `auto`:
 * text with A–F, separators or a 0x prefix is hex; 8 digits are Wiegand-26; other digit strings are decimal.
 * Readers that print reversed forms must be configured with their format (the text alone cannot tell).
 */
export function normalizeCardUid(raw: string, format: UidFormat = 'auto'): Result<string, UidErrorKind> {
  const text = raw.trim();
  if (text.length === 0) return fail('uid-empty', 'the UID is empty');
  const chosen = format === 'auto' ? guessFormat(text) : format;
  switch (chosen) {
    case 'hex':
    case 'hex-reversed': {
      const bytes = parseHex(text);
      if (!bytes.ok) return bytes;
      return ok(toHex(chosen === 'hex' ? bytes.value : bytes.value.reverse()));
    }
    case 'decimal':
    case 'decimal-reversed': {
      if (!/^\d+$/.test(text))
        return fail('uid-invalid-characters', `a decimal UID has digits only: "${clip(text)}"`);
      if (text.length > 25)
        return fail('uid-invalid-length', `a decimal UID has at most 25 digits, got ${text.length}`);
      const value = BigInt(text);
      const length = [4, 7, 10].find((bytes) => value < 1n << BigInt(bytes * 8));
      if (length === undefined) return fail('uid-out-of-range', `${clip(text)} is larger than a 10-byte UID`);
      const bytes = bigEndianBytes(value, length);
      return ok(toHex(chosen === 'decimal' ? bytes : bytes.reverse()));
    }
    case 'wiegand26':
    case 'wiegand26-reversed': {
      const match = /^(\d{3})[\s,:-]?(\d{5})$/.exec(text);
      if (!match) {
        return /^[\d\s,:-]+$/.test(text)
          ? fail('uid-invalid-length', `a Wiegand-26 UID is 3 + 5 digits, got "${clip(text)}"`)
          : fail('uid-invalid-characters', `a Wiegand-26 UID has digits only: "${clip(text)}"`);
      }
      const facility = Number(match[1]);
      const card = Number(match[2]);
      if (facility > 0xff || card > 0xffff) {
        return fail(
          'uid-out-of-range',
          `Wiegand-26 facility ≤ 255 and card ≤ 65535, got ${facility}/${card}`,
        );
      }
      const low24 = toHex(Uint8Array.from([facility, card >> 8, card & 0xff]));
      // Big-endian number: the lost byte is the first in card order; little-endian: the last.
      return ok(chosen === 'wiegand26' ? `??${low24}` : `${reverseHex(low24)}??`);
    }
  }
}

/** True when two canonical UIDs can be the same card: equal, or equal on every byte both know. */
export function cardUidsMatch(a: string, b: string): boolean {
  if (a.length !== b.length || a.length % 2 !== 0) return false;
  for (let i = 0; i < a.length; i += 2) {
    const x = a.slice(i, i + 2);
    const y = b.slice(i, i + 2);
    if (x !== '??' && y !== '??' && x !== y) return false;
  }
  return true;
}

/**
 * Prints a canonical UID the way a reader configured with `format` types it (the inverse of normalizeCardUid,
 * used by the keyboard-wedge simulator). `auto` prints hex. Decimal forms of 4-byte UIDs are 10 digits.
 */
export function printCardUid(uid: string, format: UidFormat): Result<string, UidErrorKind> {
  const bytes = parseHex(uid);
  if (!bytes.ok) return bytes;
  const forward = bytes.value;
  const backward = Uint8Array.from(forward).reverse();
  const number = (ordered: Uint8Array) => ordered.reduce((value, byte) => (value << 8n) | BigInt(byte), 0n);
  const decimal = (ordered: Uint8Array) => {
    const digits = number(ordered).toString();
    return ordered.length === 4 ? digits.padStart(10, '0') : digits;
  };
  const wiegand = (ordered: Uint8Array) => {
    const low = Number(number(ordered) & 0xffffffn);
    return String(low >> 16).padStart(3, '0') + String(low & 0xffff).padStart(5, '0');
  };
  switch (format) {
    case 'auto':
    case 'hex':
      return ok(toHex(forward));
    case 'hex-reversed':
      return ok(toHex(backward));
    case 'decimal':
      return ok(decimal(forward));
    case 'decimal-reversed':
      return ok(decimal(backward));
    case 'wiegand26':
      return ok(wiegand(forward));
    case 'wiegand26-reversed':
      return ok(wiegand(backward));
  }
}

function guessFormat(text: string): Exclude<UidFormat, 'auto'> {
  if (/^\d{8}$/.test(text) || /^\d{3}[,:]\d{5}$/.test(text)) return 'wiegand26';
  if (/^\d+$/.test(text)) return 'decimal';
  return 'hex';
}

function parseHex(text: string): Result<Uint8Array, UidErrorKind> {
  const digits = text.replace(/^0x/i, '').replace(/[\s:-]/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits)) return fail('uid-invalid-characters', `not a hex UID: "${clip(text)}"`);
  const length = digits.length / 2;
  if (digits.length % 2 !== 0 || length < MIN_UID_BYTES || length > MAX_UID_BYTES) {
    return fail(
      'uid-invalid-length',
      `a UID has ${MIN_UID_BYTES} to ${MAX_UID_BYTES} whole bytes, got ${digits.length} hex digits`,
    );
  }
  return ok(Uint8Array.from(Buffer.from(digits, 'hex')));
}

function bigEndianBytes(value: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i -= 1) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

function reverseHex(hex: string): string {
  return (hex.match(/../g) ?? []).reverse().join('');
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}
