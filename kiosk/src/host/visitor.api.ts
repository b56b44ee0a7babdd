import type { KioskApi } from '../shared/kiosk-api';
import type { VisitorSettings } from '../shared/visitor-api';
import type { VisitorOutboxOptions } from './visitor-outbox';
import type { VisitorService } from './visitor.service';

/** The installer's visitor settings. */
export interface VisitorHostConfig {
  /** A gate kiosk: the home screen leads with visitor registration. */
  gateMode?: boolean;
  /** Days the community keeps a visit's identity data; stated in the consent text (default 90, the server's). */
  retentionDays?: number;
  /** Version of the consent text shown (the server keeps each version's wording). */
  consentTextVersion?: string;
  outbox?: Partial<VisitorOutboxOptions>;
}

/** The consent text this kiosk shows (its wording lives in the renderer's i18n, under this version). */
export const VISITOR_CONSENT_TEXT_VERSION = 'visitor-consent-2026-11';
/** The server's default retention period (issue 6: 90 days). */
export const DEFAULT_VISITOR_RETENTION_DAYS = 90;

export function visitorSettingsFrom(config: VisitorHostConfig | undefined): VisitorSettings {
  return {
    consentTextVersion: config?.consentTextVersion ?? VISITOR_CONSENT_TEXT_VERSION,
    retentionDays: config?.retentionDays ?? DEFAULT_VISITOR_RETENTION_DAYS,
    gateMode: config?.gateMode ?? false,
  };
}

type VisitorMethods = Pick<
  KioskApi,
  | 'visitorSettings'
  | 'visitorConsent'
  | 'visitorDocument'
  | 'visitorIdentify'
  | 'visitorBuildings'
  | 'visitorUnitLookup'
  | 'visitorSubmit'
  | 'visitorProgress'
>;

/** The visitor methods of KioskApi. */
export function createVisitorApi(visitors: VisitorService): VisitorMethods {
  return {
    visitorSettings: async () => ({ ok: true, value: await visitors.settings() }),
    visitorConsent: async (input) => visitors.consent(input),
    visitorDocument: async () => visitors.documentDraft(),
    visitorIdentify: async (input) => visitors.setIdentity(input),
    visitorBuildings: () => visitors.buildings(),
    visitorUnitLookup: (request) => visitors.unitLookup(request),
    visitorSubmit: (visit) => visitors.submit(visit),
    visitorProgress: () => visitors.progress(),
  };
}
