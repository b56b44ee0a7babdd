// @linli/peripherals: card readers (PC/SC, HID keyboard wedge), barcode scanners, ID documents (MRZ, Chinese
// resident ID), OCR and a simulator for every device, all behind one PeripheralHub. Runs in the kiosk host (Node),
// never in a renderer. See README.md.

// The event model lives in @linli/content so that the renderer can type what it receives through KioskApi.
export {
  CardPresentEvent,
  CardRemovedEvent,
  CardTechnology,
  DocumentEvent,
  DocumentField,
  DocumentKind,
  DocumentProblem,
  DocumentSource,
  BarcodeEvent,
  PeripheralDeviceStatus,
  PeripheralDriverStatus,
  PeripheralErrorEvent,
  PeripheralEvent,
  ReaderAddedEvent,
  ReaderRemovedEvent,
} from '@linli/content';

export type { PeripheralError, Result } from './result';
export type { DriverContext, DriverEvent, PeripheralDriver } from './driver';

// The hub and its configuration.
export {
  createPeripheralHub,
  type HubBackoff,
  type PeripheralHub,
  type PeripheralHubOptions,
  type PeripheralListener,
} from './hub/peripheral-hub';
export {
  createPeripheralsFromConfig,
  PeripheralsConfig,
  type ConfiguredPeripherals,
  type PeripheralsConfigInput,
} from './hub/peripheral-config';
export { recordEvents, type EventRecorder } from './hub/event-recorder';

// Card readers.
export { createPcscCardReaderDriver, type PcscDriverOptions } from './card/card-reader.pcsc';
export {
  createSimCardReaderDriver,
  type SimCardReaderDriver,
  type SimCardReaderOptions,
  type SimCardTap,
} from './card/card-reader.sim';
export { parseAtr, atrTechnology, type Atr, type AtrErrorKind } from './card/atr.parser';
export {
  checkResponse,
  statusWordKind,
  GET_UID_APDU,
  type ApduErrorKind,
  type ResponseApdu,
  type StatusWordKind,
} from './card/apdu';
export {
  normalizeCardUid,
  printCardUid,
  cardUidsMatch,
  UID_FORMATS,
  type UidFormat,
  type UidErrorKind,
} from './card/card-uid';
export {
  insertVirtualCard,
  uidCardResponder,
  MIFARE_CLASSIC_1K_ATR,
  DESFIRE_ATR,
  type VirtualCard,
  type VirtualCardOptions,
} from './card/virtual-card.vpcd';
export { startPcscdHarness, VPCD_SLOTS, type PcscdHarness } from './card/pcscd.harness';

// HID keyboard-wedge readers and scanners.
export {
  createKeyboardWedgeDriver,
  KeyboardWedgeDeviceConfig,
  type KeyboardWedgeDriverOptions,
} from './hid/keyboard-wedge.hid';
export {
  createHidKeyboardDecoder,
  encodeKeyboardReports,
  type HidKeyboardDecoder,
  type KeyToken,
} from './hid/hid-keyboard.decoder';
export {
  createNodeHidTransport,
  type HidConnection,
  type HidDeviceInfo,
  type HidTransport,
} from './hid/hid-transport';
export { createSimHidTransport, type SimHidTransport } from './hid/hid-transport.sim';
export { createSimKeyboardWedge, type SimKeyboardWedge } from './hid/keyboard-wedge.sim';

// ID documents.
export {
  validateCnIdNumber,
  cnIdCheckCharacter,
  type CnIdErrorKind,
  type CnIdNumber,
} from './document/cn-id.validator';
export {
  parseMrz,
  mrzCheckDigit,
  mrzFields,
  type MrzDocument,
  type MrzErrorKind,
  type MrzFormat,
  type MrzProblem,
  type MrzResult,
} from './document/mrz.parser';
export { buildMrz, type MrzInput } from './document/mrz.builder';
export {
  createDocumentScannerDriver,
  type DocumentScannerDriver,
  type DocumentScannerOptions,
} from './document/document-scanner.ocr';
export {
  createSimDocumentScannerDriver,
  type SimDocumentInput,
  type SimDocumentScannerDriver,
} from './document/document-scanner.sim';

// OCR.
export {
  createDocumentReader,
  documentFromCnIdFields,
  documentFromMrzText,
  DEFAULT_LOW_CONFIDENCE,
  type CnIdFields,
  type DocumentReader,
  type DocumentReaderOptions,
  type DocumentReading,
  type DocumentReadErrorKind,
} from './ocr/document-reader';
export { CameraFrame, loadImage, type ImageInput } from './ocr/image-input';

// Simulators for the dev panel and tests.
export {
  createPeripheralSimulator,
  type PeripheralSimulator,
  type PeripheralSimulatorOptions,
} from './sim/peripheral-simulator';
