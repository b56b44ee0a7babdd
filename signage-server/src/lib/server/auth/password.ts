import crypto from 'node:crypto';
import { promisify } from 'node:util';

const scrypt = promisify(crypto.scrypt) as (
  password: crypto.BinaryLike,
  salt: crypto.BinaryLike,
  keylen: number,
  options: crypto.ScryptOptions,
) => Promise<Buffer>;

/** scrypt cost parameters; stored inside every hash so they can be raised later without breaking old hashes. */
export interface ScryptParams {
  /** log2 of N, the CPU/memory cost. */
  logN: number;
  r: number;
  p: number;
}

/**
 * N = 2^16, r = 8, p = 1: ~64 MiB and ~0.25 s per hash on our 2-core target. OWASP's floor is 2^17, but that
 * doubles memory per concurrent login (libuv runs 4 at once) on a small community server; the lockout and per-IP
 * throttle bound online guessing, so the cost mainly protects a stolen database.
 */
export const DEFAULT_SCRYPT: ScryptParams = { logN: 16, r: 8, p: 1 };

const KEY_BYTES = 32;
const SALT_BYTES = 16;

function maxmem({ logN, r, p }: ScryptParams): number {
  // scrypt needs 128 * N * r bytes (+ p blocks); leave headroom so Node does not refuse valid parameters
  return 128 * 2 ** logN * r * (p + 2);
}

/** Hashes a password: `scrypt$<logN>$<r>$<p>$<salt b64>$<key b64>` with a fresh random salt per hash. */
export async function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = crypto.randomBytes(SALT_BYTES);
  const key = await scrypt(password.normalize('NFC'), salt, KEY_BYTES, {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    maxmem: maxmem(params),
  });
  return ['scrypt', params.logN, params.r, params.p, salt.toString('base64'), key.toString('base64')].join(
    '$',
  );
}

/** Parses a stored hash; null when it is not one of ours (treated as "never matches"). */
function parseHash(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [logN, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![logN, r, p].every(Number.isInteger) || logN < 10 || logN > 22 || r < 1 || r > 32 || p < 1 || p > 16) {
    return null;
  }
  const salt = Buffer.from(parts[4]!, 'base64');
  const key = Buffer.from(parts[5]!, 'base64');
  if (salt.length < 8 || key.length !== KEY_BYTES) return null;
  return { params: { logN, r, p }, salt, key };
}

/** True when `password` matches `stored`. Compares in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { params, salt, key } = parsed;
  const candidate = await scrypt(password.normalize('NFC'), salt, KEY_BYTES, {
    N: 2 ** params.logN,
    r: params.r,
    p: params.p,
    maxmem: maxmem(params),
  });
  return crypto.timingSafeEqual(candidate, key);
}

/** True when a hash was made with weaker parameters than `params` and should be recomputed at the next login. */
export function needsRehash(stored: string, params: ScryptParams = DEFAULT_SCRYPT): boolean {
  const parsed = parseHash(stored);
  return (
    !parsed || parsed.params.logN < params.logN || parsed.params.r < params.r || parsed.params.p < params.p
  );
}

// Readable one-time passwords: no 0/O, 1/l/I, so they can be read aloud or copied from a terminal.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** A random password for first start and admin resets (16 characters ≈ 92 bits). */
export function generatePassword(length = 16): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[crypto.randomInt(ALPHABET.length)];
  return out;
}
