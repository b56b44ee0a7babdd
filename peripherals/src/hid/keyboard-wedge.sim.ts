import { printCardUid, type UidErrorKind, type UidFormat } from '../card/card-uid';
import type { PeripheralDriver } from '../driver';
import { fail, ok, type Result } from '../result';
import { createSimHidTransport, type SimHidTransport } from './hid-transport.sim';
import { createKeyboardWedgeDriver } from './keyboard-wedge.hid';

// Keyboard-wedge devices in software: the real HID driver, decoder and line assembler over a simulated HID bus.
// Tapping a card types its UID the way the configured reader prints it, key report by key report, so the
// simulator exercises exactly the path a real reader takes.

/** USB ids the simulated devices claim (from the range USB-IF leaves for testing). */
const SIM_VENDOR = 0xfff1;
const SIM_CARD_READER = 0x0001;
const SIM_SCANNER = 0x0002;

export interface SimKeyboardWedgeOptions {
  id?: string;
  cardReaderName?: string;
  /** How the simulated card reader prints UIDs (default decimal-reversed, the common 10-digit "反码"). */
  uidFormat?: Exclude<UidFormat, 'auto'>;
  barcodeScannerName?: string;
}

/** The simulated devices and the driver that reads them. */
export interface SimKeyboardWedge {
  driver: PeripheralDriver;
  transport: SimHidTransport;
  cardReaderName: string;
  barcodeScannerName: string;
  /** Types a card UID (canonical hex) as the reader would. */
  tapCard(uid: string): Result<string, UidErrorKind>;
  /** Types a barcode as the scanner would. */
  scanBarcode(text: string): Result<void, 'unsupported-character'>;
}

/** Creates a simulated keyboard-wedge card reader and barcode scanner. */
export function createSimKeyboardWedge(options: SimKeyboardWedgeOptions = {}): SimKeyboardWedge {
  const transport = createSimHidTransport();
  const cardReaderName = options.cardReaderName ?? 'Linli Sim HID Reader';
  const barcodeScannerName = options.barcodeScannerName ?? 'Linli Sim Scanner';
  const uidFormat = options.uidFormat ?? 'decimal-reversed';
  const readerPath = transport.plug({
    vendorId: SIM_VENDOR,
    productId: SIM_CARD_READER,
    product: cardReaderName,
  });
  const scannerPath = transport.plug({
    vendorId: SIM_VENDOR,
    productId: SIM_SCANNER,
    product: barcodeScannerName,
  });
  const driver = createKeyboardWedgeDriver({
    id: options.id ?? 'sim-hid',
    transport,
    pollMs: 500,
    devices: [
      {
        vendorId: SIM_VENDOR,
        productId: SIM_CARD_READER,
        role: 'card-reader',
        name: cardReaderName,
        uidFormat,
      },
      { vendorId: SIM_VENDOR, productId: SIM_SCANNER, role: 'barcode-scanner', name: barcodeScannerName },
    ],
  });
  return {
    driver,
    transport,
    cardReaderName,
    barcodeScannerName,
    tapCard(uid) {
      const printed = printCardUid(uid, uidFormat);
      if (!printed.ok) return printed;
      transport.type(readerPath, printed.value);
      return printed;
    },
    scanBarcode(text) {
      // The boot keyboard layout types printable ASCII only; a real scanner in keyboard mode has the same limit.
      if (!/^[\x20-\x7e]*$/.test(text))
        return fail('unsupported-character', 'a keyboard-wedge scanner types printable ASCII only');
      transport.type(scannerPath, text);
      return ok(undefined);
    },
  };
}
