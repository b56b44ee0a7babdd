import { describe, expect, it } from 'vitest';
import { checkResponse, statusWordKind } from './apdu';

describe('response APDUs', () => {
  it.each([
    [0x90, 0x00, 'ok'],
    [0x61, 0x10, 'more-data'],
    [0x63, 0x00, 'operation-failed'],
    [0x63, 0xc2, 'verification-failed'],
    [0x67, 0x00, 'wrong-length'],
    [0x69, 0x82, 'security-not-satisfied'],
    [0x6a, 0x81, 'function-not-supported'],
    [0x6a, 0x82, 'file-not-found'],
    [0x6c, 0x04, 'wrong-le'],
    [0x6d, 0x00, 'instruction-not-supported'],
    [0x6e, 0x00, 'class-not-supported'],
    [0x12, 0x34, 'unknown-status'],
  ])('%i %i is %s', (sw1, sw2, kind) => expect(statusWordKind(sw1, sw2)).toBe(kind));

  it('splits data and status word, and names every failure', () => {
    expect(checkResponse(Uint8Array.from([1, 2, 0x90, 0]))).toEqual({
      ok: true,
      value: { data: Uint8Array.from([1, 2]), sw1: 0x90, sw2: 0 },
    });
    expect(checkResponse(Uint8Array.from([0x6a, 0x82]))).toMatchObject({
      ok: false,
      error: { kind: 'file-not-found', message: expect.stringContaining('6A82') },
    });
    expect(checkResponse(Uint8Array.from([0x90]))).toMatchObject({
      ok: false,
      error: { kind: 'malformed-response' },
    });
  });
});
