import { z } from 'zod';
import {
  DocumentKind,
  IdentitySource,
  UnitLookupRequestV1,
  UnitLookupV1,
  VisitStatusV1,
  VisitTargetV1,
  VisitorBuildingV1,
} from '@linli/content';

// The visitor registration part of KioskApi (issue 6): the renderer drives the screens, the host holds the
// visitor's unmasked identity in memory, the consent record and the outbox. The renderer sees an ID number only
// while the visitor types or corrects it; everything the host hands back is masked.

/**
 * Why a visitor method failed: `no-document` (nothing scanned in this session), `needs-confirmation` (a field read
 * with low confidence was not confirmed), `invalid-id-number` (GB 11643), `invalid-document` (the reader says the
 * document is not valid for another reason), `no-identity` / `no-consent` (submit too early), `unknown-unit`,
 * `server-unreachable`, `not-enrolled`, `server-error`, `rejected` (the server refused the registration as
 * malformed: nothing was kept), `no-registration` (no submit in this session).
 */
export const VISITOR_FAILURE_KINDS = [
  'no-document',
  'needs-confirmation',
  'invalid-id-number',
  'invalid-document',
  'no-identity',
  'no-consent',
  'server-unreachable',
  'not-enrolled',
  'server-error',
  'rejected',
  'no-registration',
] as const;
export type VisitorFailureKind = (typeof VISITOR_FAILURE_KINDS)[number];

/** What the consent screen states, and the kiosk mode that decides what the home screen leads with. */
export const VisitorSettings = z.object({
  /** Version of the consent text the visitor is shown; sent with the registration. */
  consentTextVersion: z.string().min(1).max(40),
  /** How long the community keeps a visit's identity data, stated in the consent text. */
  retentionDays: z.number().int().positive(),
  /** A gate kiosk leads with visitor registration. */
  gateMode: z.boolean(),
});
export type VisitorSettings = z.infer<typeof VisitorSettings>;

/** One field of a scanned document as the visitor may see it. */
export const VisitorDocumentField = z.object({
  /** The raw value when the visitor must confirm it (read with low confidence); masked otherwise. */
  value: z.string(),
  needsConfirmation: z.boolean(),
  confidence: z.number().min(0).max(1),
});
export type VisitorDocumentField = z.infer<typeof VisitorDocumentField>;

/** The document scanned in this session, for the identify screen. */
export const VisitorDocumentDraft = z.object({
  kind: DocumentKind,
  source: IdentitySource,
  name: VisitorDocumentField.nullable(),
  documentNumber: VisitorDocumentField.nullable(),
});
export type VisitorDocumentDraft = z.infer<typeof VisitorDocumentDraft>;

const IdNumberInput = z.string().trim().toUpperCase().max(20);
const NameInput = z.string().trim().min(1).max(60);

/**
 * The identity the visitor settles on: the scanned document, with the low-confidence fields as confirmed or
 * corrected on screen; or typed on the ID pad (a resident ID card number and the name).
 */
export const VisitorIdentityInput = z.discriminatedUnion('from', [
  z.object({
    from: z.literal('document'),
    name: NameInput.optional(),
    documentNumber: IdNumberInput.optional(),
  }),
  z.object({ from: z.literal('manual'), name: NameInput, documentNumber: IdNumberInput }),
]);
export type VisitorIdentityInput = z.infer<typeof VisitorIdentityInput>;

/** The accepted identity, masked. */
export const VisitorIdentityView = z.object({
  kind: DocumentKind,
  source: IdentitySource,
  maskedName: z.string(),
  maskedNumber: z.string(),
});
export type VisitorIdentityView = z.infer<typeof VisitorIdentityView>;

/** The visitor tapped "I agree" on this consent text version. */
export const VisitorConsentInput = z.object({ textVersion: z.string().min(1).max(40) });
export type VisitorConsentInput = z.infer<typeof VisitorConsentInput>;

export const VisitorBuildings = z.array(VisitorBuildingV1);
export const VisitorUnitLookup = UnitLookupV1;
export const VisitorUnitLookupRequest = UnitLookupRequestV1;
export const VisitorTarget = VisitTargetV1;

/** Whether the pass went to the receipt printer. */
export const PassPrintOutcome = z.enum(['printed', 'no-printer', 'failed']);
export type PassPrintOutcome = z.infer<typeof PassPrintOutcome>;

/**
 * Where the visitor's registration stands, for the waiting screen. `queued`: the server could not be reached, the
 * registration waits in the outbox and the visitor is sent to the guard (the kiosk says only that).
 */
export const VisitorProgress = z.discriminatedUnion('state', [
  z.object({ state: z.literal('queued'), clientRef: z.uuid() }),
  z.object({
    state: z.literal('registered'),
    clientRef: z.uuid(),
    visit: VisitStatusV1,
    printed: PassPrintOutcome.nullable(),
  }),
]);
export type VisitorProgress = z.infer<typeof VisitorProgress>;
