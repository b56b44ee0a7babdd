import { z } from 'zod';
import type { IdentitySource, VisitorDocumentKind, VisitReason, VisitStatus } from '@linli/content';
import { VisitStatus as VisitStatusSchema } from '@linli/content';

/** A visit as stored. `*Enc` fields are AES-256-GCM ciphertexts; nothing here is ever sent out unmasked. */
export interface VisitRecord {
  id: string;
  clientRef: string;
  deviceId: string;
  communityId: string;
  buildingId: string;
  unitId: string;
  unitNumber: string;
  status: VisitStatus;
  guardReason: 'watch-list' | 'deferred' | null;
  visitorSurname: string;
  visitorNameMasked: string;
  visitorNameEnc: string | null;
  documentKind: VisitorDocumentKind;
  documentNumberEnc: string | null;
  documentNumberHash: string | null;
  documentNumberMasked: string;
  nationality: string | null;
  identitySource: IdentitySource;
  identityConfidence: number;
  phoneEnc: string | null;
  phoneMasked: string;
  reason: VisitReason;
  reasonNote: string | null;
  companions: number;
  plate: string | null;
  consentVersion: string;
  consentAt: string;
  submittedAt: string;
  registeredAt: string;
  deferred: boolean;
  hostResidentId: string | null;
  hostMasked: string | null;
  residentDeadline: string | null;
  watchlistId: string | null;
  alertAcknowledgedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  passId: string | null;
  passDoors: string[] | null;
  passValidFrom: string | null;
  passValidTo: string | null;
  passRevokedAt: string | null;
  purgedAt: string | null;
}

/** A visit as the station console shows it: masked only, labels resolved. */
export interface StationVisit {
  id: string;
  status: VisitStatus;
  guardReason: VisitRecord['guardReason'];
  registeredAt: string;
  buildingId: string;
  unitLabel: string;
  visitorNameMasked: string;
  documentKind: VisitorDocumentKind;
  documentNumberMasked: string;
  phoneMasked: string;
  reason: VisitReason;
  reasonNote: string | null;
  companions: number;
  plate: string | null;
  hostMasked: string | null;
  residentDeadline: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  passValidTo: string | null;
  passRevoked: boolean;
  deferred: boolean;
  purged: boolean;
  /** Resident confirmation links (path `/v/<token>`), shown to the clerk while the resident may still answer. */
  links: { residentMasked: string; path: string }[];
}

/** A watch-list entry; the ID number exists only as its keyed hash and its masked form. */
export interface WatchlistEntry {
  id: string;
  communityId: string;
  documentNumberHash: string;
  documentNumberMasked: string;
  reason: string;
  expiresAt: string | null;
  createdBy: string;
  createdAt: string;
}

/** Filters of the history search (the station's form). */
export const VisitSearchForm = z.object({
  /** YYYY-MM-DD in the community's time zone; default: the last 30 days. */
  from: z.union([z.literal(''), z.iso.date()]).default(''),
  to: z.union([z.literal(''), z.iso.date()]).default(''),
  buildingId: z.string().trim().max(100).default(''),
  unitNumber: z.string().trim().max(20).default(''),
  /** A surname or a masked name as shown ("王**"): its first character is matched. */
  name: z.string().trim().max(60).default(''),
  status: z.union([z.literal(''), VisitStatusSchema]).default(''),
  page: z.coerce.number().int().min(1).max(1000).default(1),
});
export type VisitSearchForm = z.infer<typeof VisitSearchForm>;

/** What the repository searches by. */
export interface VisitSearch {
  buildingId?: string;
  unitNumber?: string;
  surname?: string;
  status?: VisitStatus;
  limit: number;
  offset: number;
}

/** A watch-list entry as a clerk adds it. */
export const WatchlistInput = z.object({
  documentNumber: z.string().trim().min(5).max(20),
  reason: z.string().trim().min(2).max(200),
  /** YYYY-MM-DD (end of that day, community time); empty: until removed. */
  expiresOn: z.union([z.literal(''), z.iso.date()]).default(''),
});
export type WatchlistInput = z.infer<typeof WatchlistInput>;

/** Why a person looks at unmasked data or exports it: required, stored in the audit entry. */
export const DisclosureReason = z.string().trim().min(4).max(200);

/** Pass durations a resident or clerk may choose, in minutes (default 4 hours). */
export const PASS_DURATIONS = [60, 120, 240, 480, 1440] as const;
export const DEFAULT_PASS_MINUTES = 240;
export const PassMinutes = z.coerce
  .number()
  .int()
  .refine((m) => (PASS_DURATIONS as readonly number[]).includes(m), 'not an offered duration')
  .default(DEFAULT_PASS_MINUTES);
