import crypto from 'node:crypto';

/**
 * Personal data at rest (DESIGN.md §Data): phone and ID numbers are stored encrypted with AES-256-GCM under the
 * data key from `<dataDir>/keys` (never in the database), looked up through a keyed hash, and only ever shown
 * masked. The stored form is `v1.<iv>.<tag>.<ciphertext>` (base64url) so the scheme can change later without
 * guessing what an old value was.
 */

const VERSION = 'v1';
const IV_BYTES = 12; // the GCM standard nonce size; random per value, so equal phones encrypt differently
const TAG_BYTES = 16;

/**
 * Encrypts a value. `context` (e.g. 'resident.phone') is bound as additional authenticated data, so a ciphertext
 * copied into another column or table fails to decrypt instead of silently meaning something else.
 */
export function encryptPersonal(key: Buffer, plaintext: string, context: string): string {
  const iv = crypto.randomBytes(IV_BYTES);
  const cipher = crypto.createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    VERSION,
    iv.toString('base64url'),
    tag.toString('base64url'),
    ciphertext.toString('base64url'),
  ].join('.');
}

/** Outcome of decrypting: a tampered value, wrong key or wrong context is an expected failure, not a crash. */
export type DecryptResult =
  { ok: true; value: string } | { ok: false; error: { kind: 'undecryptable'; message: string } };

/** Decrypts what `encryptPersonal` produced with the same key and context. */
export function decryptPersonal(key: Buffer, stored: string, context: string): DecryptResult {
  const parts = stored.split('.');
  const fail = (message: string): DecryptResult => ({ ok: false, error: { kind: 'undecryptable', message } });
  if (parts.length !== 4 || parts[0] !== VERSION) return fail('unknown personal-data format');
  const [, ivText, tagText, ciphertextText] = parts as [string, string, string, string];
  const iv = Buffer.from(ivText, 'base64url');
  const tag = Buffer.from(tagText, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return fail('malformed personal-data value');
  try {
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([
      decipher.update(Buffer.from(ciphertextText, 'base64url')),
      decipher.final(),
    ]);
    return { ok: true, value: plaintext.toString('utf8') };
  } catch {
    // GCM refuses on any tampering, wrong key or wrong context; the reason is deliberately not distinguishable
    return fail('personal-data value failed authentication');
  }
}

/**
 * A keyed hash (HMAC-SHA256, hex) for equality lookups ("is this phone already registered?") without decrypting
 * every row. Keyed, because a plain hash of an 11-digit phone number is reversed by brute force in seconds.
 * `context` keeps hashes of different kinds of data apart.
 */
export function keyedHash(key: Buffer, value: string, context: string): string {
  return crypto.createHmac('sha256', key).update(context).update('\0').update(value).digest('hex');
}

/** Masks the middle of a value, keeping `keepStart` and `keepEnd` characters: `mask('13800001234', 3, 4)`. */
export function mask(value: string, keepStart: number, keepEnd: number, fill = '*'): string {
  const chars = [...value];
  if (chars.length <= keepStart + keepEnd) return fill.repeat(chars.length);
  return (
    chars.slice(0, keepStart).join('') +
    fill.repeat(chars.length - keepStart - keepEnd) +
    chars.slice(-keepEnd).join('')
  );
}

/** A phone as people may see it: `138****1234` (mobile), `010****5678` style for landlines. */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  if (digits.length === 11) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  return mask(digits, 3, 4);
}

/** A PRC resident ID number as people may see it: `110105********002X`. */
export function maskIdNumber(idNumber: string): string {
  return mask(idNumber.toUpperCase(), 6, 4);
}
