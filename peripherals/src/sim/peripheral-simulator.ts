import type { CardTechnology, DocumentEvent } from '@linli/content';
import { createSimCardReaderDriver, type SimCardReaderDriver } from '../card/card-reader.sim';
import type { UidFormat } from '../card/card-uid';
import {
  createSimDocumentScannerDriver,
  type SimDocumentInput,
  type SimDocumentScannerDriver,
} from '../document/document-scanner.sim';
import type { PeripheralDriver } from '../driver';
import { createSimKeyboardWedge, type SimKeyboardWedge } from '../hid/keyboard-wedge.sim';
import type { DocumentReader } from '../ocr/document-reader';
import { fail, type Result } from '../result';

// Every simulated device behind one object: what the kiosk's dev panel (hidden unless enabled in the kiosk
// configuration) and integration tests call. Each simulator produces exactly the events of its real counterpart
// through the same hub, so a kiosk flow tested with it behaves the same with hardware.

export interface PeripheralSimulatorOptions {
  /** Simulated PC/SC readers (default one). */
  cardReaders?: string[];
  /** How the simulated HID card reader prints UIDs. */
  hidUidFormat?: Exclude<UidFormat, 'auto'>;
  /** Needed to feed document images (runs the real OCR). */
  documentReader?: DocumentReader;
  now?: () => Date;
}

/** The dev panel's and tests' handle on the simulated devices. */
export interface PeripheralSimulator {
  /** Add these to the hub. */
  readonly drivers: PeripheralDriver[];
  /** Taps a card (canonical hex UID unless `format` says otherwise) on a PC/SC reader or the HID reader. */
  tapCard(
    uid: string,
    options?: { reader?: string; via?: 'pcsc' | 'hid'; atr?: string; format?: UidFormat },
  ): Result<{ reader: string; uid: string; technology: CardTechnology }, string>;
  /** Takes the card off a PC/SC reader (default: all). HID taps end by themselves. */
  removeCard(reader?: string): void;
  /** Scans a barcode or QR code on the simulated scanner. */
  scanBarcode(text: string): Result<void, string>;
  /** Feeds MRZ text or fields, ID card fields, or an image to the simulated document scanner. */
  feedDocument(input: SimDocumentInput): Promise<Result<DocumentEvent, string>>;
  /** The simulated devices, for the dev panel's menus. */
  devices(): { reader: string; kind: 'pcsc' | 'hid-card' | 'hid-barcode' | 'document' }[];
}

/** Creates the simulated devices. */
export function createPeripheralSimulator(options: PeripheralSimulatorOptions = {}): PeripheralSimulator {
  const cards: SimCardReaderDriver = createSimCardReaderDriver({
    readers: options.cardReaders ?? ['Linli Sim Reader'],
  });
  const wedge: SimKeyboardWedge = createSimKeyboardWedge({ uidFormat: options.hidUidFormat });
  const documents: SimDocumentScannerDriver = createSimDocumentScannerDriver({
    reader: options.documentReader,
    now: options.now,
  });
  return {
    drivers: [cards, wedge.driver, documents],
    tapCard(uid, tap = {}) {
      if (tap.via === 'hid' || tap.reader === wedge.cardReaderName) {
        const typed = wedge.tapCard(uid);
        if (!typed.ok) return typed;
        return {
          ok: true,
          value: { reader: wedge.cardReaderName, uid: uid.toUpperCase(), technology: 'unknown' },
        };
      }
      return cards.tapCard(uid, { reader: tap.reader, atr: tap.atr, format: tap.format });
    },
    removeCard(reader) {
      cards.removeCard(reader);
    },
    scanBarcode(text) {
      const scanned = wedge.scanBarcode(text);
      return scanned.ok ? scanned : fail(scanned.error.kind, scanned.error.message);
    },
    feedDocument(input) {
      return documents.feedDocument(input);
    },
    devices() {
      return [
        ...cards.readers().map((reader) => ({ reader, kind: 'pcsc' as const })),
        { reader: wedge.cardReaderName, kind: 'hid-card' as const },
        { reader: wedge.barcodeScannerName, kind: 'hid-barcode' as const },
        { reader: 'Linli Sim Document Scanner', kind: 'document' as const },
      ];
    },
  };
}
