import { z } from 'zod';
import { CardUid } from './payments.schema';

// Visitor real-name registration (seed §6.2.2) and access control: the contract between a gate kiosk's host, door
// controllers and the server. Personal data crosses it only where the flow needs it: the kiosk sends the visitor's
// ID and phone number once, over TLS, and the server never sends a raw ID or phone number back.

/** The version of the consent text a visitor accepted; the server refuses a registration without it. */
export const ConsentV1 = z.object({
  accepted: z.literal(true),
  /** Which consent text was shown (the server keeps each version's text and retention period). */
  textVersion: z.string().min(1).max(40),
  /** When the visitor tapped "I agree", kiosk clock, ISO 8601. */
  at: z.iso.datetime({ offset: true }),
});
export type ConsentV1 = z.infer<typeof ConsentV1>;

/** How the identity reached the kiosk: an ID reader / OCR `document` event, or typed on the ID pad. */
export const IdentitySource = z.enum(['reader', 'ocr', 'manual']);
export type IdentitySource = z.infer<typeof IdentitySource>;

/** The identity document kinds a visitor may register with (the peripherals' kinds). */
export const VisitorDocumentKind = z.enum(['cn-id', 'mrz-td1', 'mrz-td2', 'mrz-td3']);
export type VisitorDocumentKind = z.infer<typeof VisitorDocumentKind>;

/** The visitor's identity. A `cn-id` number must pass GB 11643 (the server checks again). */
export const VisitorIdentityV1 = z.object({
  documentKind: VisitorDocumentKind,
  /** The 18-character resident ID number, or the passport / travel document number for MRZ documents. */
  documentNumber: z.string().trim().min(5).max(20),
  /** Name as on the document (Chinese characters, or the MRZ name for foreign documents). */
  name: z.string().trim().min(1).max(60),
  /** ISO 3166 alpha-3 for MRZ documents; CHN for resident ID cards. */
  nationality: z
    .string()
    .regex(/^[A-Z<]{3}$/)
    .optional(),
  source: IdentitySource,
  /** Lowest field confidence of an OCR read (0..1); 1 for a chip reader or manual entry confirmed by the visitor. */
  confidence: z.number().min(0).max(1),
});
export type VisitorIdentityV1 = z.infer<typeof VisitorIdentityV1>;

/** Why someone visits (the kiosk shows these as big buttons; `other` needs a note). */
export const VISIT_REASONS = [
  'family',
  'friend',
  'delivery',
  'repair',
  'housekeeping',
  'business',
  'other',
] as const;
export const VisitReason = z.enum(VISIT_REASONS);
export type VisitReason = z.infer<typeof VisitReason>;

/** A mainland mobile number (11 digits starting with 1). */
export const MobilePhone = z.string().regex(/^1\d{10}$/, 'a mobile number has 11 digits and starts with 1');

/** A Chinese vehicle plate, e.g. 京A12345 or 粤B·D12345 (new-energy); the dot is optional. */
export const VehiclePlate = z
  .string()
  .trim()
  .regex(/^[\u4e00-\u9fa5][A-Z]·?[A-Z0-9]{5,6}$/, 'not a vehicle plate such as 京A12345');

/** Whom the visitor visits: a unit, never a resident's name. */
export const VisitTargetV1 = z.object({
  buildingId: z.string().min(1).max(100),
  /** Room number as residents say it, e.g. "1201". */
  unitNumber: z.string().trim().min(1).max(20),
  reason: VisitReason,
  /** Free text for `other` (required then), at most 100 characters. */
  reasonNote: z.string().trim().max(100).optional(),
  /** Companions, not counting the visitor. */
  companions: z.number().int().min(0).max(20),
  phone: MobilePhone,
  plate: VehiclePlate.optional(),
});
export type VisitTargetV1 = z.infer<typeof VisitTargetV1>;

/**
 * `POST /visitors/registrations`: a gate kiosk registers a visitor. `clientRef` is made once by the kiosk when the
 * visitor taps "submit" and reused for every retry and for outbox delivery after an outage, so the server creates
 * exactly one visit per `clientRef` and answers a repeat with the visit it already has.
 */
export const VisitorRegistrationV1 = z
  .object({
    clientRef: z.uuid(),
    consent: ConsentV1,
    identity: VisitorIdentityV1,
    visit: VisitTargetV1,
    /** When the visitor submitted, kiosk clock (differs from arrival at the server when delivered from the outbox). */
    submittedAt: z.iso.datetime({ offset: true }),
    /** True when the kiosk delivers this from its outbox after an outage: the visitor was sent to the guard. */
    deferred: z.boolean().default(false),
  })
  .refine((r) => r.visit.reason !== 'other' || (r.visit.reasonNote ?? '').length > 0, {
    message: 'a reason note is required when the reason is "other"',
    path: ['visit', 'reasonNote'],
  });
export type VisitorRegistrationV1 = z.infer<typeof VisitorRegistrationV1>;

/**
 * Where a visit stands. `see-guard` is what a watch-list hit, a declined consent or a deferred registration look
 * like to the visitor: the kiosk never says which.
 */
export const VISIT_STATUSES = [
  'pending-resident',
  'pending-clerk',
  'approved',
  'declined',
  'see-guard',
  'expired',
] as const;
export const VisitStatus = z.enum(VISIT_STATUSES);
export type VisitStatus = z.infer<typeof VisitStatus>;

/** A signed pass, as the kiosk shows (and prints) it. */
export const VisitorPassV1 = z.object({
  passId: z.string(),
  /** The QR payload: a pass token (see `PASS_TOKEN_PREFIX`), verifiable offline with the server's public key. */
  token: z.string().min(10).max(2000),
  /** Display labels of the buildings (and gates) it opens. */
  doors: z.array(z.string()),
  validFrom: z.iso.datetime({ offset: true }),
  validTo: z.iso.datetime({ offset: true }),
});
export type VisitorPassV1 = z.infer<typeof VisitorPassV1>;

/** The server's answer about one registration (on submit and on every poll). */
export const VisitStatusV1 = z.object({
  clientRef: z.uuid(),
  visitId: z.string(),
  status: VisitStatus,
  /** Masked surname of the resident being asked, e.g. "王**"; null when nobody was asked (yet). */
  hostMasked: z.string().nullable(),
  /** Present when approved. */
  pass: VisitorPassV1.nullable(),
  /** Poll again after this many milliseconds while the status can still change. */
  pollAfterMs: z.number().int().positive().nullable(),
});
export type VisitStatusV1 = z.infer<typeof VisitStatusV1>;

/** `GET /visitors/buildings`: the device's community's buildings the visitor picks from. */
export const VisitorBuildingV1 = z.object({ id: z.string(), label: z.string() });
export type VisitorBuildingV1 = z.infer<typeof VisitorBuildingV1>;
export const VisitorBuildingsV1 = z.object({
  buildings: z.array(VisitorBuildingV1),
  /** Days the server keeps a visit's identity data: the consent text states it (PIPL art. 29). */
  retentionDays: z.number().int().positive().optional(),
});
export type VisitorBuildingsV1 = z.infer<typeof VisitorBuildingsV1>;

/** `POST /visitors/unit-lookup`: does this unit exist and whom would we ask? Masked surnames only. */
export const UnitLookupRequestV1 = z.object({
  buildingId: z.string().min(1).max(100),
  unitNumber: z.string().trim().min(1).max(20),
});
export type UnitLookupRequestV1 = z.infer<typeof UnitLookupRequestV1>;
export const UnitLookupV1 = z.object({
  found: z.boolean(),
  /** e.g. "3号楼 1201" */
  unitLabel: z.string().nullable(),
  /** One masked surname per resident who can confirm, e.g. ["王**", "李*"]. */
  residentsMasked: z.array(z.string()),
});
export type UnitLookupV1 = z.infer<typeof UnitLookupV1>;

/** Prefix of a visitor pass token: `LP1.<base64url payload JSON>.<base64url Ed25519 signature over the payload>`. */
export const PASS_TOKEN_PREFIX = 'LP1';

/** The signed content of a pass token. Short keys keep the QR code small. */
export const PassPayloadV1 = z.object({
  v: z.literal(1),
  /** pass id */
  p: z.string(),
  /** community id */
  c: z.string(),
  /** door ids it opens: the gate(s) and the visited building */
  d: z.array(z.string()).min(1),
  /** valid from / to, Unix seconds */
  nbf: z.number().int(),
  exp: z.number().int(),
});
export type PassPayloadV1 = z.infer<typeof PassPayloadV1>;

/** `POST /access/verify` from a gate or building door controller. */
export const AccessVerifyRequestV1 = z.object({
  doorId: z.string().min(1).max(100),
  credential: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('qr'), token: z.string().min(10).max(2000) }),
    z.object({ kind: z.literal('card'), uid: CardUid }),
  ]),
});
export type AccessVerifyRequestV1 = z.infer<typeof AccessVerifyRequestV1>;

/** Why a door said no (or yes). Stable codes: controllers show their own text for them. */
export const ACCESS_REASONS = [
  'ok-visitor-pass',
  'ok-resident-card',
  'bad-signature',
  'malformed',
  'not-yet-valid',
  'expired',
  'wrong-door',
  'revoked',
  'unknown-card',
  'card-blocked',
  'unknown-door',
] as const;
export const AccessReason = z.enum(ACCESS_REASONS);
export type AccessReason = z.infer<typeof AccessReason>;

export const AccessVerifyResponseV1 = z.object({
  allow: z.boolean(),
  reason: AccessReason,
  /** e.g. "访客 王** · 至 18:30" — masked, for the door's display. */
  display: z.string().nullable(),
});
export type AccessVerifyResponseV1 = z.infer<typeof AccessVerifyResponseV1>;

/** `GET /access/public-key`: the Ed25519 key door controllers pin to verify pass tokens offline. */
export const AccessPublicKeyV1 = z.object({
  algorithm: z.literal('Ed25519'),
  /** SubjectPublicKeyInfo DER, base64. */
  spki: z.string(),
  /** The same key as PEM. */
  pem: z.string(),
});
export type AccessPublicKeyV1 = z.infer<typeof AccessPublicKeyV1>;
