import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The server's key store: files in `<dataDir>/keys`, never in the database, so a copied database alone reveals
 * no personal data and cannot forge manifests. Created at first start with mode 0600.
 */
export interface ServerKeys {
  /** Signs manifests (Ed25519). Kiosks pin the public key at enrolment. */
  signingKey: crypto.KeyObject;
  /** SPKI DER, base64: what kiosks pin. */
  publicKeyBase64: string;
  /** 32 bytes for AES-256-GCM encryption of personal data at rest. */
  dataKey: Buffer;
  /** 32 bytes for keyed hashes (HMAC-SHA256) of personal data used for lookups. */
  hashKey: Buffer;
}

function readOrCreate(file: string, create: () => Buffer): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const bytes = create();
    // 'wx' so two processes starting at once never overwrite each other's key
    try {
      fs.writeFileSync(file, bytes, { mode: 0o600, flag: 'wx' });
      return bytes;
    } catch (writeError) {
      if ((writeError as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file);
      throw writeError;
    }
  }
}

/** Loads the key store from `<dataDir>/keys`, creating missing keys. */
export function loadKeys(dataDir: string): ServerKeys {
  const dir = path.join(dataDir, 'keys');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pem = readOrCreate(path.join(dir, 'manifest-ed25519.pem'), () =>
    Buffer.from(crypto.generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' })),
  );
  const signingKey = crypto.createPrivateKey(pem);
  const publicKeyBase64 = crypto
    .createPublicKey(signingKey)
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  const dataKey = readOrCreate(path.join(dir, 'data.key'), () => crypto.randomBytes(32));
  const hashKey = readOrCreate(path.join(dir, 'hash.key'), () => crypto.randomBytes(32));
  if (dataKey.length !== 32 || hashKey.length !== 32) throw new Error(`corrupt key files in ${dir}`);
  return { signingKey, publicKeyBase64, dataKey, hashKey };
}

/** Signs bytes with the manifest key; returns base64. */
export function signBytes(keys: ServerKeys, bytes: Uint8Array): string {
  return crypto.sign(null, bytes, keys.signingKey).toString('base64');
}
