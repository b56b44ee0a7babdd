import { z } from 'zod';

/** A kiosk as the server knows it. The credential itself is never stored, only its sha256. */
export interface DeviceRecord {
  id: string;
  name: string;
  communityId: string | null;
  /** The community's display name (for the admin list), when the device is bound to one. */
  communityName: string | null;
  platform: string;
  appVersion: string;
  createdAt: string;
  lastSeenAt: string | null;
  revokedAt: string | null;
  /** The group it belongs to (content targeting), if any. */
  group: string | null;
  /** Free tags (content targeting), lower-case. */
  tags: string[];
  /** The building whose lobby it stands in (content targeting), if any; a building of its community. */
  buildingId: string | null;
}

/** The device a request authenticated as (what the device API works with). */
export interface AuthenticatedDevice {
  id: string;
  name: string;
  communityId: string | null;
}

/** A pairing code as the admin sees it once: the code itself is not stored (only its sha256). */
export interface IssuedPairingCode {
  code: string;
  expiresAt: string;
  communityId: string | null;
  deviceName: string | null;
}

/** How long a pairing code is valid by default. */
export const PAIRING_CODE_TTL_MS = 15 * 60 * 1000;

/** The admin's "new pairing code" form. Empty strings mean "not bound". */
export const PairingCodeRequest = z.object({
  communityId: z
    .string()
    .trim()
    .max(100)
    .transform((v) => v || null)
    .nullable()
    .default(null),
  deviceName: z
    .string()
    .trim()
    .max(80)
    .transform((v) => v || null)
    .nullable()
    .default(null),
});
export type PairingCodeRequest = z.input<typeof PairingCodeRequest>;

export type DeviceError =
  | { kind: 'pairing-code-invalid'; message: string }
  | { kind: 'not-found'; message: string }
  | { kind: 'invalid'; message: string; field: string };

export type DeviceResult<T> = { ok: true; value: T } | { ok: false; error: DeviceError };

/** A group or tag name: short, no commas (tags are entered comma-separated). */
const Label = z
  .string()
  .trim()
  .toLowerCase()
  .max(40)
  .regex(/^[^,]*$/, 'no commas');

/** The admin's "edit device" form: rename, move between communities, group and tags. */
export const DeviceDetailsRequest = z.object({
  name: z.string().trim().min(1).max(80),
  communityId: z
    .string()
    .trim()
    .max(100)
    .transform((v) => v || null)
    .nullable()
    .default(null),
  group: Label.transform((v) => v || null)
    .nullable()
    .default(null),
  tags: z
    .string()
    .max(400)
    .default('')
    .transform((text) =>
      [...new Set(text.split(/[,，]/).map((tag) => tag.trim().toLowerCase()))].filter(Boolean),
    )
    .pipe(z.array(Label.min(1)).max(20)),
  buildingId: z
    .string()
    .trim()
    .max(100)
    .transform((v) => v || null)
    .nullable()
    .default(null),
});
export type DeviceDetailsRequest = z.input<typeof DeviceDetailsRequest>;
