import { z } from 'zod';
import {
  CardSummaryV1,
  CardTechnology,
  CategoryId,
  ContentKind,
  DeviceAlertV1,
  DocumentKind,
  IsoInstant,
  Locale,
  RatingRequestV1,
  RatingSummary,
  RawPayload,
  ReportLostResponseV1,
  Sha256,
  StatementV1,
} from '@linli/content';
import {
  KioskPayRequest,
  KioskPaymentDone,
  KioskReportLostRequest,
  KioskTopUpOrder,
  KioskTopUpRequest,
  KioskTopUpStatus,
} from './payment-api';
import { FailureSchema } from './result';
import {
  VisitorBuildings,
  VisitorConsentInput,
  VisitorDocumentDraft,
  VisitorIdentityInput,
  VisitorIdentityView,
  VisitorProgress,
  VisitorSettings,
  VisitorTarget,
  VisitorUnitLookup,
  VisitorUnitLookupRequest,
} from './visitor-api';
import { defineService, type ServiceApi } from './service-definition';
import { KioskPlayRecord, KioskTouchRecord, SignageSnapshot } from './signage-api';

/** An image of an item as the renderer shows it; its URL comes from `ContentSnapshot.assetUrlTemplate`. */
export const KioskImage = z.object({ sha256: Sha256, alt: z.string() });
export type KioskImage = z.infer<typeof KioskImage>;

/** One language version of an item, with its Markdown already rendered to HTML (images as `asset:<sha256>`). */
export const KioskItemText = z.object({
  title: z.string(),
  summary: z.string(),
  bodyHtml: z.string(),
  images: z.array(KioskImage),
  /** What the item is and that kind's fields (content-kind.schema.ts), rendered by content/'s components. */
  kind: ContentKind.default('notice'),
  payload: RawPayload.default({}),
});
export type KioskItemText = z.infer<typeof KioskItemText>;

/** A content item with all its translations; zh-CN is the fallback when the chosen language is missing. */
export const KioskItem = z.object({
  id: z.string(),
  category: CategoryId,
  /** The date shown to residents: the start of the validity window, else the last update. */
  date: IsoInstant,
  updatedAt: IsoInstant,
  translations: z.partialRecord(Locale, KioskItemText),
});
export type KioskItem = z.infer<typeof KioskItem>;

/** Placeholder in `assetUrlTemplate` replaced by an asset's sha256. */
export const ASSET_URL_PLACEHOLDER = '{sha256}';

/** What the renderer shows: the items valid now, from the last good manifest. */
export const ContentSnapshot = z.object({
  manifestVersion: z.string().nullable(),
  /** Newest first. */
  items: z.array(KioskItem),
  /** Absolute URL of a cached asset with `{sha256}` to fill in; carries the host's per-launch token. */
  assetUrlTemplate: z.string(),
});
export type ContentSnapshot = z.infer<typeof ContentSnapshot>;

/** How the kiosk stands with its server; the renderer shows it as a calm indicator. */
export const KioskStatus = z.object({
  enrolled: z.boolean(),
  deviceId: z.string().nullable(),
  /** True while the last exchange with the server succeeded. */
  online: z.boolean(),
  lastSyncAt: IsoInstant.nullable(),
  lastError: FailureSchema.nullable(),
  manifestVersion: z.string().nullable(),
  /**
   * How far this kiosk's clock is from the server's (local minus server, ms), from the `Date` header of the last
   * answer; null before any answer. The host already corrects for it; the renderer only says so calmly.
   */
  clockSkewMs: z.number().nullable(),
});
export type KioskStatus = z.infer<typeof KioskStatus>;

/** Settings the renderer needs from the host (timings are configurable for tests and for each lobby). */
export const KioskSettings = z.object({
  /** Without a touch this long, the session is reset and the attract loop starts. */
  idleTimeoutMs: z.number().int().positive(),
  /** How long each attract-loop picture stays. */
  attractSlideMs: z.number().int().positive(),
  /** How often the renderer tells the host it is alive; the watchdog restarts a renderer that stops. */
  heartbeatIntervalMs: z.number().int().positive(),
  /**
   * The server's public page of an item for "continue on your phone", with `{id}` and `{locale}` to fill in:
   * `<serverUrl>/p/{id}?lang={locale}`. Null while the kiosk knows no server.
   */
  publicItemUrlTemplate: z.string().nullable(),
});
export type KioskSettings = z.infer<typeof KioskSettings>;

/**
 * The resident's session as the renderer may see it: what a card reader or document scanner delivered, masked
 * (DESIGN.md §Data: personal data is masked before display). The host keeps the unmasked values in memory only,
 * and forgets all of it on `resetSession`.
 */
export const KioskSession = z.object({
  /** Increases with every reset, so the renderer can tell one resident's session from the next. */
  sequence: z.number().int().min(0),
  card: z.object({ reader: z.string(), maskedUid: z.string(), technology: CardTechnology }).nullable(),
  document: z
    .object({
      kind: DocumentKind,
      maskedName: z.string().nullable(),
      maskedNumber: z.string().nullable(),
      valid: z.boolean(),
    })
    .nullable(),
  barcode: z.object({ maskedText: z.string() }).nullable(),
  /** True while the host reads the screen aloud. */
  speaking: z.boolean(),
});
export type KioskSession = z.infer<typeof KioskSession>;

/** What the renderer reports with every heartbeat. */
export const RendererHeartbeat = z.object({
  /** The screen shown (`home`, `category`, `detail`, `search`, `attract`). */
  screen: z.string().max(40),
  /** Items the renderer has from the host: 0 means it shows no content. */
  items: z.number().int().min(0),
  lastInteractionAt: IsoInstant.nullable(),
});
export type RendererHeartbeat = z.infer<typeof RendererHeartbeat>;

/** A search over all content, in every language at once. */
export const SearchRequest = z.object({
  query: z.string().max(100),
  /** The language to show titles in (the match may be in another). */
  locale: Locale,
  /** At most this many hits (default 30). */
  limit: z.number().int().min(1).max(100).optional(),
});
export type SearchRequest = z.infer<typeof SearchRequest>;

/** One item found. `snippet` is plain text around the first match; the renderer highlights the query in it. */
export const SearchHit = z.object({
  id: z.string(),
  category: CategoryId,
  title: z.string(),
  snippet: z.string(),
});
export type SearchHit = z.infer<typeof SearchHit>;

/**
 * Search results. `method` says how they were found: `fts` (FTS5 trigram index, every term ≥ 3 characters),
 * `like` (a term of 1–2 characters, which a trigram index cannot look up), or `none` (empty query).
 */
export const SearchResults = z.object({
  query: z.string(),
  method: z.enum(['fts', 'like', 'none']),
  hits: z.array(SearchHit),
});
export type SearchResults = z.infer<typeof SearchResults>;

/** Text to read aloud in a language. */
export const SpeakRequest = z.object({ text: z.string().trim().min(1).max(4000), locale: Locale });
export type SpeakRequest = z.infer<typeof SpeakRequest>;

/** How read-aloud went: played on the speaker, or only synthesised to a file because the kiosk has no audio. */
export const SpeechOutcome = z.object({
  output: z.enum(['played', 'no-audio-device']),
  durationMs: z.number().int().min(0),
});
export type SpeechOutcome = z.infer<typeof SpeechOutcome>;

/** Whether the hidden dev panel is on (`--dev-panel`), and the simulated devices it can drive. */
export const DevConfig = z.object({
  enabled: z.boolean(),
  devices: z.array(
    z.object({ reader: z.string(), kind: z.enum(['pcsc', 'hid-card', 'hid-barcode', 'document']) }),
  ),
});
export type DevConfig = z.infer<typeof DevConfig>;

/** A card tap on a simulated reader: a canonical hex UID, through the PC/SC simulator or the HID wedge. */
export const SimCardTap = z.object({
  uid: z.string().regex(/^[0-9A-Fa-f]{8,20}$/, 'expected 4 to 10 bytes of hex'),
  via: z.enum(['pcsc', 'hid']).optional(),
});
export type SimCardTap = z.infer<typeof SimCardTap>;

/** What the dev panel can feed the simulated document scanner (no images: those need a file on the host). */
export const SimDocumentInput = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('mrz-lines'), lines: z.array(z.string().max(44)).min(2).max(3) }),
  z.object({
    kind: z.literal('cn-id-fields'),
    fields: z.object({
      idNumber: z.string().max(18),
      name: z.string().min(1).max(40),
      sex: z.enum(['male', 'female']).optional(),
      ethnicity: z.string().max(20).optional(),
      birthDate: z.string().max(10).optional(),
      address: z.string().max(120).optional(),
    }),
  }),
]);
export type SimDocumentInput = z.infer<typeof SimDocumentInput>;

/** What the identify overlay shows, and for how long. */
export const IdentifyRequest = z.object({
  name: z.string().max(80),
  durationMs: z.number().int().positive(),
});
export type IdentifyRequest = z.infer<typeof IdentifyRequest>;

/** The emergency alerts to show now, oldest raised first (empty: none). They cover the whole screen until gone. */
export const KioskAlerts = z.object({ alerts: z.array(DeviceAlertV1) });
export type KioskAlerts = z.infer<typeof KioskAlerts>;

/** The one API between the kiosk renderer and its host (DESIGN.md §Runtime), in both shells. */
export const kioskApiDefinition = defineService({
  name: 'linli.kiosk',
  methods: {
    getContent: { args: z.tuple([]), result: ContentSnapshot },
    getStatus: { args: z.tuple([]), result: KioskStatus },
    getSettings: { args: z.tuple([]), result: KioskSettings },
    getSession: { args: z.tuple([]), result: KioskSession },
    /** Forgets everything personal the host holds for this resident (card, scan, speech) and starts anew. */
    resetSession: { args: z.tuple([]), result: KioskSession },
    search: { args: z.tuple([SearchRequest]), result: SearchResults },
    speak: { args: z.tuple([SpeakRequest]), result: SpeechOutcome },
    stopSpeaking: { args: z.tuple([]), result: z.null() },
    heartbeat: { args: z.tuple([RendererHeartbeat]), result: z.null() },
    /** The dev panel's switch; never fails, so the renderer can always ask whether to show the panel. */
    getDevConfig: { args: z.tuple([]), result: DevConfig },
    // The simulator methods fail with kind `dev-panel-disabled` unless the kiosk was started with `--dev-panel`.
    simTapCard: {
      args: z.tuple([SimCardTap]),
      result: z.object({ reader: z.string(), technology: CardTechnology }),
    },
    simRemoveCard: { args: z.tuple([]), result: z.null() },
    simScanBarcode: { args: z.tuple([z.string().min(1).max(512)]), result: z.null() },
    simFeedDocument: {
      args: z.tuple([SimDocumentInput]),
      result: z.object({ kind: DocumentKind, valid: z.boolean() }),
    },
    // Card payments (issue 7): the host uses the card tapped in this session; failures are KioskPaymentFailureKind.
    /** The tapped card: masked holder, balance, limits and the household's unpaid bills. */
    paymentCard: { args: z.tuple([]), result: CardSummaryV1 },
    /** Pays bills with the tapped card; a retry of the same confirmed payment is charged at most once. */
    paymentPay: { args: z.tuple([KioskPayRequest]), result: KioskPaymentDone },
    /** The tapped card's recent movements. */
    paymentStatement: { args: z.tuple([]), result: StatementV1 },
    /** Reports the resident's cards lost after ID number + phone verification (no card needed). */
    paymentReportLost: { args: z.tuple([KioskReportLostRequest]), result: ReportLostResponseV1 },
    /** Starts an online top-up of the tapped card; the answer is what the QR code shows. */
    paymentTopUpStart: { args: z.tuple([KioskTopUpRequest]), result: KioskTopUpOrder },
    /** The state of this session's online top-up (polled while the QR code is shown). */
    paymentTopUpStatus: { args: z.tuple([]), result: KioskTopUpStatus },
    // Visitor registration (issue 6); failures are VisitorFailureKind. Personal data goes back masked only.
    /** The consent text version, retention period and whether this is a gate kiosk. */
    visitorSettings: { args: z.tuple([]), result: VisitorSettings },
    /** The visitor tapped "I agree" on the consent screen. */
    visitorConsent: { args: z.tuple([VisitorConsentInput]), result: z.null() },
    /** The document scanned in this session: low-confidence fields raw (to confirm), the rest masked. */
    visitorDocument: { args: z.tuple([]), result: VisitorDocumentDraft },
    /** Settles the identity (scanned, confirmed or typed); an ID card number must pass GB 11643. */
    visitorIdentify: { args: z.tuple([VisitorIdentityInput]), result: VisitorIdentityView },
    visitorBuildings: { args: z.tuple([]), result: VisitorBuildings },
    /** Does the unit exist, and the masked surnames of whom the server would ask. */
    visitorUnitLookup: {
      args: z.tuple([VisitorUnitLookupRequest]),
      result: VisitorUnitLookup,
    },
    /** Submits through the outbox (one clientRef per visitor); `queued` when the server cannot be reached. */
    visitorSubmit: { args: z.tuple([VisitorTarget]), result: VisitorProgress },
    /** Where the submitted registration stands (the waiting screen polls it). */
    visitorProgress: { args: z.tuple([]), result: VisitorProgress },
    /** Emergency alerts (issue 4) active now: stored by the host, so also right after a restart or offline. */
    getAlerts: { args: z.tuple([]), result: KioskAlerts },
    /**
     * A resident's rating of a service-provider card, through the host's outbox: the card's new summary when the
     * server counted it at once, null when it waits for the server (it is counted once the server is back).
     */
    rateProvider: { args: z.tuple([RatingRequestV1]), result: RatingSummary.nullable() },
    // Signage (issue 4): the layout and playlists, and proof-of-play records into the host's outbox.
    getSignage: { args: z.tuple([]), result: SignageSnapshot },
    /** An entry finished playing in a zone (or in the attract loop). */
    recordPlay: { args: z.tuple([KioskPlayRecord]), result: z.null() },
    /** A resident closed an item they had opened; `dwellMs` is how long it was open. */
    recordTouch: { args: z.tuple([KioskTouchRecord]), result: z.null() },
  },
  events: {
    onContentChanged: ContentSnapshot,
    onStatusChanged: KioskStatus,
    onSessionChanged: KioskSession,
    /** The fleet's identify command: flash the device name over the screen for a few seconds. */
    onIdentify: IdentifyRequest,
    /** The alerts to show changed: raised, cleared or expired. */
    onAlertsChanged: KioskAlerts,
    /** A new manifest changed the layout or its playlists. */
    onSignageChanged: SignageSnapshot,
  },
});

/** The renderer's view of the host: `window.linli` in Electron, a WebSocket proxy in the browser shell. */
export type KioskApi = ServiceApi<typeof kioskApiDefinition>;

/** Locale type re-exported for the renderer's convenience. */
export type { Locale };

/** Loopback paths of the host (in their own module, so the supervisor can use them without the schemas). */
export { hostPaths } from './host-paths';
