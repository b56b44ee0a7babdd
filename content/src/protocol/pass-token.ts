import { PASS_TOKEN_PREFIX, PassPayloadV1, type AccessReason } from './visitors.schema';

// The visitor pass token codec (no cryptography here, so it runs in every layer): the Ed25519 signing and
// verifying live in `@linli/content/node` (`signPassToken`, `verifyPassToken`) and in any door controller that
// holds the server's public key. The signature covers exactly the UTF-8 bytes of the payload JSON carried in the
// token, so a verifier never re-serialises JSON (key order would break signatures).

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** base64url without padding (RFC 4648 §5). */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Decodes base64url (no padding); null for anything that is not strict base64url. */
export function base64UrlDecode(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The part of a token to sign: the payload JSON bytes and their base64url text. */
export function encodePassPayload(payload: PassPayloadV1): { payloadPart: string; signingBytes: Uint8Array } {
  const signingBytes = encoder.encode(JSON.stringify(PassPayloadV1.parse(payload)));
  return { payloadPart: base64UrlEncode(signingBytes), signingBytes };
}

/** `LP1.<payload>.<signature>` from a payload part and its Ed25519 signature (64 bytes). */
export function assemblePassToken(payloadPart: string, signature: Uint8Array): string {
  return `${PASS_TOKEN_PREFIX}.${payloadPart}.${base64UrlEncode(signature)}`;
}

/** A token taken apart; the signature is not checked yet. */
export interface ParsedPassToken {
  payload: PassPayloadV1;
  signingBytes: Uint8Array;
  signature: Uint8Array;
}

/** Splits and decodes a token; `null` when it is not a well-formed LP1 token (reason `malformed`). */
export function parsePassToken(token: string): ParsedPassToken | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PASS_TOKEN_PREFIX) return null;
  const signingBytes = base64UrlDecode(parts[1]!);
  const signature = base64UrlDecode(parts[2]!);
  if (!signingBytes || !signature || signature.length !== 64) return null;
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(signingBytes));
  } catch {
    return null;
  }
  const payload = PassPayloadV1.safeParse(json);
  return payload.success ? { payload: payload.data, signingBytes, signature } : null;
}

/**
 * The rules after a good signature: the door must be one the pass names, and `now` (Unix seconds) inside
 * [nbf, exp). Returns the refusal reason, or null when the pass opens this door now.
 */
export function passRefusal(payload: PassPayloadV1, doorId: string, nowSeconds: number): AccessReason | null {
  if (nowSeconds < payload.nbf) return 'not-yet-valid';
  if (nowSeconds >= payload.exp) return 'expired';
  if (!payload.d.includes(doorId)) return 'wrong-door';
  return null;
}
