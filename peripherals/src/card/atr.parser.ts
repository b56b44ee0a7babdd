import type { CardTechnology } from '@linli/content';
import { fail, ok, type Result } from '../result';

// ATR = Answer To Reset, ISO/IEC 7816-3 §8.2: TS T0 {TAi TBi TCi TDi}… historical bytes [TCK].
// PC/SC readers hand contactless cards an ATR too, built by the rules of PC/SC Part 3 §3.1.3.2.3, which is
// how a reader tells us "this is a MIFARE Classic 1K" without talking to the card.

export type AtrErrorKind =
  | 'atr-empty'
  | 'atr-too-long'
  | 'atr-invalid-ts'
  | 'atr-truncated'
  | 'atr-trailing-bytes'
  | 'atr-tck-mismatch';

/** One group of interface bytes (TAi, TBi, TCi, TDi) with its index i (1-based); absent bytes are null. */
export interface AtrInterfaceGroup {
  index: number;
  ta: number | null;
  tb: number | null;
  tc: number | null;
  td: number | null;
}

/** A parsed ATR. */
export interface Atr {
  /** 0x3B direct or 0x3F inverse convention. */
  ts: number;
  convention: 'direct' | 'inverse';
  t0: number;
  interfaceGroups: AtrInterfaceGroup[];
  /** Transmission protocols offered, in order (T=0 when no TD1 says otherwise). */
  protocols: number[];
  historicalBytes: Uint8Array;
  /** The check byte, or null when only T=0 is offered (then ISO 7816-3 forbids TCK). */
  tck: number | null;
}

/** The longest ATR ISO 7816-3 allows: TS + 32 bytes. */
const MAX_ATR_LENGTH = 33;

/** Parses an ATR. Never throws: every malformed input is a named error. */
export function parseAtr(bytes: Uint8Array): Result<Atr, AtrErrorKind> {
  if (bytes.length === 0) return fail('atr-empty', 'the ATR is empty');
  if (bytes.length > MAX_ATR_LENGTH) {
    return fail('atr-too-long', `an ATR has at most ${MAX_ATR_LENGTH} bytes, this one has ${bytes.length}`);
  }
  const ts = bytes[0]!;
  if (ts !== 0x3b && ts !== 0x3f) return fail('atr-invalid-ts', `TS must be 3B or 3F, got ${hexByte(ts)}`);
  if (bytes.length < 2) return fail('atr-truncated', 'the ATR ends before T0');
  const t0 = bytes[1]!;
  const historicalLength = t0 & 0x0f;

  const interfaceGroups: AtrInterfaceGroup[] = [];
  const protocols: number[] = [];
  let position = 2;
  let presence = t0 >> 4;
  let index = 1;
  // Each TDi announces which of TA(i+1)..TD(i+1) follow (high nibble) and a protocol (low nibble).
  for (;;) {
    const group: AtrInterfaceGroup = { index, ta: null, tb: null, tc: null, td: null };
    for (const [bit, key] of [
      [0x1, 'ta'],
      [0x2, 'tb'],
      [0x4, 'tc'],
      [0x8, 'td'],
    ] as const) {
      if ((presence & bit) === 0) continue;
      if (position >= bytes.length)
        return fail(
          'atr-truncated',
          `the ATR ends inside interface bytes T${key.slice(1).toUpperCase()}${index}`,
        );
      group[key] = bytes[position]!;
      position += 1;
    }
    interfaceGroups.push(group);
    if (group.td === null) break;
    protocols.push(group.td & 0x0f);
    presence = group.td >> 4;
    index += 1;
  }
  if (protocols.length === 0) protocols.push(0);

  if (position + historicalLength > bytes.length) {
    return fail(
      'atr-truncated',
      `T0 announces ${historicalLength} historical bytes, only ${bytes.length - position} follow`,
    );
  }
  const historicalBytes = bytes.slice(position, position + historicalLength);
  position += historicalLength;

  // ISO 7816-3 §8.2.5: TCK is present unless T=0 is the only protocol indicated.
  const tckRequired = protocols.some((protocol) => protocol !== 0);
  let tck: number | null = null;
  if (tckRequired) {
    if (position >= bytes.length)
      return fail('atr-truncated', 'the ATR offers a protocol other than T=0 but has no TCK');
    tck = bytes[position]!;
    position += 1;
    let xor = 0;
    for (let i = 1; i < position; i += 1) xor ^= bytes[i]!;
    if (xor !== 0)
      return fail('atr-tck-mismatch', `TCK ${hexByte(tck)} does not make the XOR of T0..TCK zero`);
  }
  if (position !== bytes.length) {
    return fail('atr-trailing-bytes', `${bytes.length - position} byte(s) follow the end of the ATR`);
  }
  return ok({
    ts,
    convention: ts === 0x3b ? 'direct' : 'inverse',
    t0,
    interfaceGroups,
    protocols,
    historicalBytes,
    tck,
  });
}

/** PC/SC Part 3 §3.1.3.2.3.2, table 3: registered application provider id of the PC/SC workgroup. */
const PCSC_RID = [0xa0, 0x00, 0x00, 0x03, 0x06];

/** PC/SC Part 3 supplement, "card name" NN NN of storage cards that Linli cares about. */
const STORAGE_CARD_NAMES: Record<number, CardTechnology> = {
  0x0001: 'mifare-classic-1k',
  0x0002: 'mifare-classic-4k',
  0x0003: 'mifare-ultralight',
  0x0026: 'mifare-mini',
  0x0036: 'mifare-plus',
  0x0037: 'mifare-plus',
  0x0038: 'mifare-plus',
  0x0039: 'mifare-plus',
  0x003a: 'mifare-ultralight-c',
  0x003b: 'felica',
};

/** Historical bytes of the ATS of DESFire cards (EV1/EV2/EV3 answer 75 77 81 02 80, some readers keep only 80). */
const DESFIRE_HISTORICAL = ['80', '7577810280'];

/**
 * Maps an ATR to a card technology. Contactless cards behind a PC/SC reader get an ATR of the form
 * 3B 8n 80 01 <historical bytes> TCK; storage cards carry a PC/SC AID with a standard byte and a card name,
 * ISO 14443-4 cards carry the historical bytes of their ATS. Everything else is a contact card.
 */
export function atrTechnology(atr: Atr): CardTechnology {
  const [group1, group2] = atr.interfaceGroups;
  const contactless = group1?.td === 0x80 && group2?.td === 0x01 && atr.interfaceGroups.length === 3;
  if (!contactless) return 'contact';
  const historical = atr.historicalBytes;
  const isStorageCard =
    historical.length >= 11 &&
    historical[0] === 0x80 &&
    historical[1] === 0x4f &&
    PCSC_RID.every((byte, i) => historical[3 + i] === byte);
  if (isStorageCard) {
    const standard = historical[8]!;
    const name = (historical[9]! << 8) | historical[10]!;
    const known = STORAGE_CARD_NAMES[name];
    if (known) return known;
    // Standard byte SS: 0x09..0x0C ISO 15693, 0x11 FeliCa, 0x05..0x07 ISO 14443 B.
    if (standard >= 0x09 && standard <= 0x0c) return 'iso15693';
    if (standard === 0x11) return 'felica';
    if (standard >= 0x05 && standard <= 0x07) return 'iso14443b';
    return 'other';
  }
  if (DESFIRE_HISTORICAL.includes(toHex(historical))) return 'mifare-desfire';
  return 'iso14443-4';
}

/** Uppercase hex without separators. */
export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += hexByte(byte);
  return out;
}

function hexByte(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}
