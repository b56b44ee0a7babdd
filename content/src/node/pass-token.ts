import crypto from 'node:crypto';
import type { AccessReason, PassPayloadV1 } from '../protocol/visitors.schema';
import { assemblePassToken, encodePassPayload, parsePassToken, passRefusal } from '../protocol/pass-token';

/** A key as the server publishes it (SPKI DER, base64), as PEM, or already loaded. */
export type PassKey = crypto.KeyObject | string;

function publicKeyOf(key: PassKey): crypto.KeyObject {
  if (typeof key !== 'string') return key.type === 'private' ? crypto.createPublicKey(key) : key;
  if (key.includes('-----BEGIN')) return crypto.createPublicKey(key);
  return crypto.createPublicKey({ key: Buffer.from(key, 'base64'), format: 'der', type: 'spki' });
}

/** Signs a pass payload with the server's Ed25519 private key: the QR text a visitor carries. */
export function signPassToken(payload: PassPayloadV1, privateKey: crypto.KeyObject): string {
  const { payloadPart, signingBytes } = encodePassPayload(payload);
  return assemblePassToken(payloadPart, crypto.sign(null, signingBytes, privateKey));
}

/** What a door decides about a token on its own, without asking the server. */
export type PassVerdict =
  | { allow: true; reason: 'ok-visitor-pass'; payload: PassPayloadV1 }
  | { allow: false; reason: AccessReason; payload: PassPayloadV1 | null };

/**
 * Verifies a token offline: well-formed, signed by `publicKey`, valid at `now` and naming `doorId`. Revocation
 * needs the server (`POST /api/v1/access/verify`); an offline controller accepts that gap for the pass window.
 */
export function verifyPassToken(
  token: string,
  publicKey: PassKey,
  { doorId, now = new Date() }: { doorId: string; now?: Date },
): PassVerdict {
  const parsed = parsePassToken(token);
  if (!parsed) return { allow: false, reason: 'malformed', payload: null };
  const key = publicKeyOf(publicKey);
  if (!crypto.verify(null, parsed.signingBytes, key, parsed.signature)) {
    return { allow: false, reason: 'bad-signature', payload: null };
  }
  const refusal = passRefusal(parsed.payload, doorId, Math.floor(now.getTime() / 1000));
  if (refusal) return { allow: false, reason: refusal, payload: parsed.payload };
  return { allow: true, reason: 'ok-visitor-pass', payload: parsed.payload };
}
