import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPassToken, verifyPassToken } from './pass-token';
import { base64UrlDecode, base64UrlEncode, parsePassToken, passRefusal } from '../protocol/pass-token';
import type { PassPayloadV1 } from '../protocol/visitors.schema';

const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const payload: PassPayloadV1 = {
  v: 1,
  p: 'pass-1',
  c: 'xingfuli',
  d: ['gate-xingfuli', 'bldg-xingfuli-b2'],
  nbf: 1_000,
  exp: 2_000,
};
const at = (seconds: number) => new Date(seconds * 1000);

describe('pass tokens', () => {
  it('round-trips base64url, including bytes that need - and _', () => {
    const bytes = new Uint8Array([251, 255, 191, 0, 1, 62, 63]);
    expect(base64UrlEncode(bytes)).not.toMatch(/[+/=]/);
    expect(base64UrlDecode(base64UrlEncode(bytes))).toEqual(bytes);
    expect(base64UrlDecode('a+b')).toBeNull();
  });

  it('verifies offline with the published SPKI key, for the named doors inside the window only', () => {
    const token = signPassToken(payload, privateKey);
    expect(token.startsWith('LP1.')).toBe(true);
    expect(verifyPassToken(token, spki, { doorId: 'bldg-xingfuli-b2', now: at(1_500) })).toMatchObject({
      allow: true,
      reason: 'ok-visitor-pass',
    });
    expect(verifyPassToken(token, spki, { doorId: 'bldg-xingfuli-b3', now: at(1_500) }).reason).toBe(
      'wrong-door',
    );
    expect(verifyPassToken(token, spki, { doorId: 'gate-xingfuli', now: at(2_000) }).reason).toBe('expired');
    expect(verifyPassToken(token, spki, { doorId: 'gate-xingfuli', now: at(999) }).reason).toBe(
      'not-yet-valid',
    );
  });

  it('refuses a tampered payload, a foreign key and garbage', () => {
    const token = signPassToken(payload, privateKey);
    const [prefix, , signature] = token.split('.');
    const widened = { ...payload, d: [...payload.d, 'bldg-xingfuli-b3'] };
    const forged = `${prefix}.${base64UrlEncode(new TextEncoder().encode(JSON.stringify(widened)))}.${signature}`;
    expect(verifyPassToken(forged, spki, { doorId: 'bldg-xingfuli-b3', now: at(1_500) }).reason).toBe(
      'bad-signature',
    );
    const other = crypto.generateKeyPairSync('ed25519').publicKey;
    expect(verifyPassToken(token, other, { doorId: 'gate-xingfuli', now: at(1_500) }).reason).toBe(
      'bad-signature',
    );
    for (const garbage of ['', 'LP1', 'LP1.a.b', 'LP2.' + token.slice(4), `${token}.x`]) {
      expect(parsePassToken(garbage)).toBeNull();
    }
    expect(passRefusal(payload, 'gate-xingfuli', 1_999)).toBeNull();
  });
});
