import { z } from 'zod';

/** A pairing code as an admin reads it out: 8 characters from an alphabet without look-alikes. */
export const PAIRING_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';
export const PairingCode = z
  .string()
  .trim()
  .toUpperCase()
  .transform((s) => s.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^[A-HJ-NP-Z2-9]{8}$/, 'a pairing code is 8 letters and digits'));

/** What a kiosk sends once to exchange a pairing code for a device credential. */
export const EnrollRequestV1 = z.object({
  pairingCode: PairingCode,
  name: z.string().trim().min(1).max(80),
  platform: z.string().trim().max(200).default(''),
  appVersion: z.string().trim().max(40).default(''),
});
export type EnrollRequestV1 = z.infer<typeof EnrollRequestV1>;

/** The server's answer: the credential is shown once and stored hashed; the public key is pinned by the kiosk. */
export const EnrollResponseV1 = z.object({
  deviceId: z.string().min(1),
  /** Opaque bearer token for every later call: `Authorization: Bearer <credential>`. */
  credential: z.string().min(32),
  /** The server's Ed25519 public key, SPKI DER in base64, that signs manifests. */
  serverPublicKey: z.string().min(1),
  communityId: z.string().nullable(),
});
export type EnrollResponseV1 = z.infer<typeof EnrollResponseV1>;

/** Names of the server-sent events on `/api/v1/device/events`. Push only hints; the manifest is the truth. */
export const DEVICE_EVENT_NAMES = ['hello', 'manifest-changed', 'alert'] as const;
export type DeviceEventName = (typeof DEVICE_EVENT_NAMES)[number];

/** Data of a `manifest-changed` (and the initial `hello`) event. */
export const ManifestChangedEventV1 = z.object({ version: z.string() });
export type ManifestChangedEventV1 = z.infer<typeof ManifestChangedEventV1>;
