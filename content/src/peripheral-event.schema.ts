import { z } from 'zod';

// The peripheral event model (DESIGN.md §Peripherals). `@linli/peripherals` produces these events in the kiosk
// host; they live here, in the shared language, because the renderer (which may import only `@linli/content`)
// receives them through KioskApi and the fleet dashboard reads the device status in heartbeats.

/** What a card is, from its ATR (PC/SC Part 3 storage-card convention) or `unknown` from a keyboard-wedge reader. */
export const CARD_TECHNOLOGIES = [
  'mifare-classic-1k',
  'mifare-classic-4k',
  'mifare-mini',
  'mifare-plus',
  'mifare-ultralight',
  'mifare-ultralight-c',
  'mifare-desfire',
  'iso14443-4',
  'iso14443b',
  'felica',
  'iso15693',
  'contact',
  'other',
  'unknown',
] as const;
export const CardTechnology = z.enum(CARD_TECHNOLOGIES);
export type CardTechnology = z.infer<typeof CardTechnology>;

/** The identity documents Linli reads: the Chinese resident ID card front and the ICAO 9303 MRZ formats. */
export const DOCUMENT_KINDS = ['cn-id', 'mrz-td1', 'mrz-td2', 'mrz-td3'] as const;
export const DocumentKind = z.enum(DOCUMENT_KINDS);
export type DocumentKind = z.infer<typeof DocumentKind>;

/** One field read from a document, with how sure the reader is (0..1). */
export const DocumentField = z.object({ value: z.string(), confidence: z.number().min(0).max(1) });
export type DocumentField = z.infer<typeof DocumentField>;

/** Why a document read is not to be trusted as it stands; `field` names the field at fault when there is one. */
export const DocumentProblem = z.object({
  kind: z.string().min(1),
  field: z.string().optional(),
  message: z.string(),
});
export type DocumentProblem = z.infer<typeof DocumentProblem>;

/** How a document reached us: OCR of an image (file, buffer or camera frame), typed MRZ text, or a simulator. */
export const DocumentSource = z.object({
  via: z.enum(['ocr', 'text', 'simulator']),
  input: z.enum(['file', 'buffer', 'camera-frame', 'text', 'fields']),
});
export type DocumentSource = z.infer<typeof DocumentSource>;

const at = z.iso.datetime();

/** A card was put on a reader. `uid` is canonical uppercase hex (see normalizeCardUid); `atr` is hex or null. */
export const CardPresentEvent = z.object({
  type: z.literal('card-present'),
  at,
  reader: z.string(),
  uid: z.string(),
  atr: z.string().nullable(),
  technology: CardTechnology,
});
/** The card left the reader. */
export const CardRemovedEvent = z.object({ type: z.literal('card-removed'), at, reader: z.string() });
/**
 * A document was read. `valid` is true only when every check digit and rule holds and no field is below the
 * confidence threshold; otherwise `problems` says why. A caller must never accept a document with `valid: false`.
 */
export const DocumentEvent = z.object({
  type: z.literal('document'),
  at,
  reader: z.string(),
  kind: DocumentKind,
  fields: z.record(z.string(), DocumentField),
  confidence: z.number().min(0).max(1),
  valid: z.boolean(),
  problems: z.array(DocumentProblem),
  source: DocumentSource,
});
/** A barcode or QR code scanner delivered one code. */
export const BarcodeEvent = z.object({
  type: z.literal('barcode'),
  at,
  reader: z.string(),
  text: z.string(),
});
/** A reader appeared (plugged in, driver started) or went away. */
export const ReaderAddedEvent = z.object({
  type: z.literal('reader-added'),
  at,
  reader: z.string(),
  driver: z.string(),
});
export const ReaderRemovedEvent = z.object({
  type: z.literal('reader-removed'),
  at,
  reader: z.string(),
  driver: z.string(),
});
/** Something went wrong with a reader (or a driver, when `reader` is null). `kind` is a stable name. */
export const PeripheralErrorEvent = z.object({
  type: z.literal('error'),
  at,
  reader: z.string().nullable(),
  kind: z.string().min(1),
  message: z.string(),
});

/** Every event a PeripheralHub emits. */
export const PeripheralEvent = z.discriminatedUnion('type', [
  CardPresentEvent,
  CardRemovedEvent,
  DocumentEvent,
  BarcodeEvent,
  ReaderAddedEvent,
  ReaderRemovedEvent,
  PeripheralErrorEvent,
]);
export type PeripheralEvent = z.infer<typeof PeripheralEvent>;
export type CardPresentEvent = z.infer<typeof CardPresentEvent>;
export type CardRemovedEvent = z.infer<typeof CardRemovedEvent>;
export type DocumentEvent = z.infer<typeof DocumentEvent>;
export type BarcodeEvent = z.infer<typeof BarcodeEvent>;
export type ReaderAddedEvent = z.infer<typeof ReaderAddedEvent>;
export type ReaderRemovedEvent = z.infer<typeof ReaderRemovedEvent>;
export type PeripheralErrorEvent = z.infer<typeof PeripheralErrorEvent>;

/** One device as the fleet dashboard sees it. */
export const PeripheralDeviceStatus = z.object({
  reader: z.string(),
  state: z.enum(['ready', 'card-present', 'error']),
  lastEventAt: z.iso.datetime().nullable(),
});
/** One driver (pcsc, hid, sim, ocr…) and its devices. `recovering` means it is retrying after a failure. */
export const PeripheralDriverStatus = z.object({
  driver: z.string(),
  kind: z.string(),
  state: z.enum(['starting', 'running', 'recovering', 'unavailable', 'stopped']),
  restarts: z.number().int().min(0),
  lastError: z.object({ kind: z.string(), message: z.string(), at: z.iso.datetime() }).nullable(),
  devices: z.array(PeripheralDeviceStatus),
});
export type PeripheralDeviceStatus = z.infer<typeof PeripheralDeviceStatus>;
export type PeripheralDriverStatus = z.infer<typeof PeripheralDriverStatus>;
