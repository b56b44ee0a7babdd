import { fail, ok, type Result } from '../result';

// Response APDUs end in two status bytes SW1 SW2 (ISO/IEC 7816-4 §5.6). Readers that speak PC/SC Part 3
// answer their pseudo-APDUs (FF CA … GET DATA) with the same status words, so one table serves both.

/** Named outcomes of a status word; `ok` is 90 00. */
export type StatusWordKind =
  | 'ok'
  | 'more-data'
  | 'end-of-data'
  | 'operation-failed'
  | 'verification-failed'
  | 'execution-error'
  | 'memory-failure'
  | 'wrong-length'
  | 'security-not-satisfied'
  | 'authentication-blocked'
  | 'conditions-not-satisfied'
  | 'command-not-allowed'
  | 'wrong-data'
  | 'function-not-supported'
  | 'file-not-found'
  | 'record-not-found'
  | 'wrong-parameters'
  | 'wrong-le'
  | 'instruction-not-supported'
  | 'class-not-supported'
  | 'no-precise-diagnosis'
  | 'unknown-status';

/** Errors of one APDU exchange: a status word other than 90 00, a reply too short to hold one, a timeout. */
export type ApduErrorKind =
  Exclude<StatusWordKind, 'ok'> | 'malformed-response' | 'timeout' | 'transmit-failed';

/** Names a status word. */
export function statusWordKind(sw1: number, sw2: number): StatusWordKind {
  const sw = (sw1 << 8) | sw2;
  if (sw === 0x9000) return 'ok';
  if (sw1 === 0x61) return 'more-data';
  if (sw === 0x6282) return 'end-of-data';
  if (sw === 0x6300) return 'operation-failed';
  if (sw1 === 0x63 && (sw2 & 0xf0) === 0xc0) return 'verification-failed';
  if (sw1 === 0x64) return 'execution-error';
  if (sw1 === 0x65) return 'memory-failure';
  if (sw === 0x6700) return 'wrong-length';
  if (sw === 0x6982) return 'security-not-satisfied';
  if (sw === 0x6983) return 'authentication-blocked';
  if (sw === 0x6985) return 'conditions-not-satisfied';
  if (sw === 0x6986) return 'command-not-allowed';
  if (sw === 0x6a80) return 'wrong-data';
  if (sw === 0x6a81) return 'function-not-supported';
  if (sw === 0x6a82) return 'file-not-found';
  if (sw === 0x6a83) return 'record-not-found';
  if (sw === 0x6a86 || sw === 0x6b00) return 'wrong-parameters';
  if (sw1 === 0x6c) return 'wrong-le';
  if (sw === 0x6d00) return 'instruction-not-supported';
  if (sw === 0x6e00) return 'class-not-supported';
  if (sw === 0x6f00) return 'no-precise-diagnosis';
  return 'unknown-status';
}

/** A response APDU split into data and status word. */
export interface ResponseApdu {
  data: Uint8Array;
  sw1: number;
  sw2: number;
}

/** Splits a response APDU and turns any status word other than 90 00 into a named error. */
export function checkResponse(response: Uint8Array): Result<ResponseApdu, ApduErrorKind> {
  if (response.length < 2) {
    return fail(
      'malformed-response',
      `a response APDU has at least 2 status bytes, got ${response.length} byte(s)`,
    );
  }
  const sw1 = response[response.length - 2]!;
  const sw2 = response[response.length - 1]!;
  const kind = statusWordKind(sw1, sw2);
  if (kind !== 'ok') {
    const sw = ((sw1 << 8) | sw2).toString(16).toUpperCase().padStart(4, '0');
    return fail(kind, `the card answered status word ${sw} (${kind})`);
  }
  return ok({ data: response.slice(0, -2), sw1, sw2 });
}

/** PC/SC Part 3 §3.2.2.1.3 GET DATA: the UID of the contactless card in the field. */
export const GET_UID_APDU = Uint8Array.from([0xff, 0xca, 0x00, 0x00, 0x00]);
