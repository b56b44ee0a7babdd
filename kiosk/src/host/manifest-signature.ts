import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { fail, ok, type Result } from '../shared/result';

/** The server key pinned at enrolment, ready to verify manifests. */
export type PinnedKey = KeyObject;

/** Loads the pinned key (SPKI DER, base64, as EnrollResponseV1 carries it). Fails on anything but Ed25519. */
export function loadPinnedKey(spkiBase64: string): Result<PinnedKey, 'invalid-key'> {
  try {
    const key = createPublicKey({ key: Buffer.from(spkiBase64, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ed25519')
      return fail('invalid-key', `expected an Ed25519 key, got ${key.asymmetricKeyType}`);
    return ok(key);
  } catch (error) {
    return fail(
      'invalid-key',
      `the server key is not SPKI DER: ${error instanceof Error ? error.message : error}`,
    );
  }
}

/**
 * Verifies the Ed25519 signature over the exact bytes received, before anything parses them: a manifest that
 * is unsigned or does not match the pinned key is refused whole.
 */
export function verifyManifestSignature(
  body: Uint8Array,
  signatureBase64: string | null,
  key: PinnedKey,
): Result<void, 'signature-missing' | 'signature-invalid'> {
  if (!signatureBase64) return fail('signature-missing', 'the manifest came without a signature');
  const signature = Buffer.from(signatureBase64, 'base64');
  // Ed25519 signatures are 64 bytes; anything else cannot verify (and base64 decoding is lenient).
  if (signature.length !== 64 || !verify(null, body, key, signature)) {
    return fail('signature-invalid', 'the manifest signature does not match the pinned server key');
  }
  return ok(undefined);
}
