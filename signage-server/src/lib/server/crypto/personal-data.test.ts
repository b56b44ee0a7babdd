import crypto from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decryptPersonal, encryptPersonal, keyedHash, mask, maskIdNumber, maskPhone } from './personal-data';

const key = crypto.randomBytes(32);
const otherKey = crypto.randomBytes(32);

describe('encryptPersonal / decryptPersonal', () => {
  it('round-trips any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 64 }), (text) => {
        const sealed = encryptPersonal(key, text, 'resident.phone');
        expect(decryptPersonal(key, sealed, 'resident.phone')).toEqual({ ok: true, value: text });
      }),
    );
  });

  it('encrypts the same phone differently each time (random IV) and never stores it in clear', () => {
    const a = encryptPersonal(key, '13800001234', 'resident.phone');
    const b = encryptPersonal(key, '13800001234', 'resident.phone');
    expect(a).not.toBe(b);
    expect(a).not.toContain('13800001234');
    expect(a.startsWith('v1.')).toBe(true);
  });

  it('refuses a wrong key, a wrong context and any tampering', () => {
    const sealed = encryptPersonal(key, '13800001234', 'resident.phone');
    expect(decryptPersonal(otherKey, sealed, 'resident.phone').ok).toBe(false);
    expect(decryptPersonal(key, sealed, 'visitor.phone').ok).toBe(false);
    const parts = sealed.split('.');
    const ciphertext = Buffer.from(parts[3]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 1;
    const tampered = [parts[0], parts[1], parts[2], ciphertext.toString('base64url')].join('.');
    const result = decryptPersonal(key, tampered, 'resident.phone');
    expect(result).toEqual({ ok: false, error: { kind: 'undecryptable', message: expect.any(String) } });
    expect(decryptPersonal(key, 'not-ours', 'resident.phone').ok).toBe(false);
  });
});

describe('keyedHash', () => {
  it('is stable for one key and differs across keys and contexts', () => {
    expect(keyedHash(key, '13800001234', 'phone')).toBe(keyedHash(key, '13800001234', 'phone'));
    expect(keyedHash(key, '13800001234', 'phone')).not.toBe(keyedHash(otherKey, '13800001234', 'phone'));
    expect(keyedHash(key, '13800001234', 'phone')).not.toBe(keyedHash(key, '13800001234', 'id'));
    expect(keyedHash(key, '13800001234', 'phone')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('masking', () => {
  it.each([
    ['13800001234', '138****1234'],
    ['138 0000 1234', '138****1234'],
    ['01088886666', '010****6666'],
    ['0755-2888-6666', '075*****6666'],
  ])('maskPhone(%s) = %s', (input, expected) => {
    expect(maskPhone(input)).toBe(expected);
  });

  it('masks ID numbers like 110105********002X', () => {
    expect(maskIdNumber('11010519491231002x')).toBe('110105********002X');
  });

  it('masks short values entirely instead of revealing them', () => {
    expect(mask('1234', 3, 4)).toBe('****');
  });
});
