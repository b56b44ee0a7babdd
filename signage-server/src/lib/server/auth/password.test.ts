import { describe, expect, it } from 'vitest';
import { generatePassword, hashPassword, needsRehash, verifyPassword } from './password';

const cheap = { logN: 10, r: 8, p: 1 };

describe('password hashing (scrypt)', () => {
  it('verifies the right password and rejects a wrong one', async () => {
    const hash = await hashPassword('correct horse battery', cheap);
    expect(await verifyPassword('correct horse battery', hash)).toBe(true);
    expect(await verifyPassword('correct horse batterY', hash)).toBe(false);
    expect(await verifyPassword('', hash)).toBe(false);
  });

  it('stores the parameters in the hash and uses a fresh salt each time', async () => {
    const a = await hashPassword('same password', cheap);
    const b = await hashPassword('same password', cheap);
    expect(a).toMatch(/^scrypt\$10\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same password');
  });

  it('treats Unicode passwords by their normalised form (é typed two ways)', async () => {
    const hash = await hashPassword('caf\u00e9 密码 123', cheap);
    expect(await verifyPassword('cafe\u0301 密码 123', hash)).toBe(true);
  });

  it('never matches a malformed or foreign hash', async () => {
    for (const stored of [
      '',
      'plain',
      'scrypt$99$8$1$AAAA$BBBB',
      '$2b$10$abcdefghijklmnopqrstuv',
      'scrypt$10$8$1$c2FsdHNhbHQ=$short',
    ]) {
      expect(await verifyPassword('x', stored)).toBe(false);
    }
  });

  it('asks for a rehash when the cost was lower than current', async () => {
    const weak = await hashPassword('x', cheap);
    expect(needsRehash(weak, { logN: 16, r: 8, p: 1 })).toBe(true);
    expect(needsRehash(weak, cheap)).toBe(false);
  });

  it('generates readable random passwords', () => {
    const passwords = new Set(Array.from({ length: 50 }, () => generatePassword()));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).toMatch(/^[a-km-zA-HJ-NP-Z2-9]{16}$/);
  });
});
