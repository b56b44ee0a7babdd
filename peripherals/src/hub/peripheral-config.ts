import { z } from 'zod';
import { createPcscCardReaderDriver } from '../card/card-reader.pcsc';
import { UID_FORMATS } from '../card/card-uid';
import { createDocumentScannerDriver, type DocumentScannerDriver } from '../document/document-scanner.ocr';
import type { PeripheralDriver } from '../driver';
import { KeyboardWedgeDeviceConfig, createKeyboardWedgeDriver } from '../hid/keyboard-wedge.hid';
import { createDocumentReader, DEFAULT_LOW_CONFIDENCE } from '../ocr/document-reader';
import { createPeripheralSimulator, type PeripheralSimulator } from '../sim/peripheral-simulator';
import { createPeripheralHub, type PeripheralHub } from './peripheral-hub';

// The peripherals part of a kiosk's configuration, and the one call that turns it into a running hub. The
// configuration comes from a file an installer edits, so it is parsed, with defaults for everything.

/** `peripherals` in the kiosk configuration. */
export const PeripheralsConfig = z.object({
  pcsc: z
    .object({
      enabled: z.boolean().default(true),
      /** Only readers whose name matches this regular expression (e.g. "ACR122|OMNIKEY"). */
      readerPattern: z.string().optional(),
    })
    .prefault({}),
  hid: z
    .object({
      devices: z.array(KeyboardWedgeDeviceConfig).default([]),
      pollMs: z.number().int().min(200).default(2000),
    })
    .prefault({}),
  documentScanner: z
    .object({
      enabled: z.boolean().default(true),
      name: z.string().min(1).default('Document camera'),
      /** Load the OCR models at start (a second or two of CPU) instead of at the first scan. */
      warmUp: z.boolean().default(false),
      lowConfidence: z.number().min(0).max(1).default(DEFAULT_LOW_CONFIDENCE),
    })
    .prefault({}),
  /** Simulated devices for the dev panel: off unless an installer or developer turns them on. */
  simulator: z
    .object({
      enabled: z.boolean().default(false),
      cardReaders: z.array(z.string().min(1)).min(1).default(['Linli Sim Reader']),
      hidUidFormat: z.enum(UID_FORMATS).exclude(['auto']).default('decimal-reversed'),
    })
    .prefault({}),
});
export type PeripheralsConfig = z.infer<typeof PeripheralsConfig>;
export type PeripheralsConfigInput = z.input<typeof PeripheralsConfig>;

/** A hub built from configuration, with handles on the parts the host drives directly. */
export interface ConfiguredPeripherals {
  hub: PeripheralHub;
  /** Scan images with it (null when disabled). */
  documentScanner: DocumentScannerDriver | null;
  /** The dev panel's simulator (null unless enabled). */
  simulator: PeripheralSimulator | null;
}

/** Builds (but does not start) the hub for a configuration; throws a ZodError on an invalid one. */
export function createPeripheralsFromConfig(
  input: PeripheralsConfigInput,
  options: { log?: (message: string) => void } = {},
): ConfiguredPeripherals {
  const config = PeripheralsConfig.parse(input);
  const drivers: PeripheralDriver[] = [];
  if (config.pcsc.enabled) {
    const pattern = config.pcsc.readerPattern ? new RegExp(config.pcsc.readerPattern) : null;
    drivers.push(
      createPcscCardReaderDriver({ readerFilter: pattern ? (name) => pattern.test(name) : undefined }),
    );
  }
  if (config.hid.devices.length > 0)
    drivers.push(createKeyboardWedgeDriver({ devices: config.hid.devices, pollMs: config.hid.pollMs }));
  const reader =
    config.documentScanner.enabled || config.simulator.enabled
      ? createDocumentReader({ lowConfidence: config.documentScanner.lowConfidence })
      : null;
  let documentScanner: DocumentScannerDriver | null = null;
  if (config.documentScanner.enabled && reader) {
    documentScanner = createDocumentScannerDriver({
      name: config.documentScanner.name,
      warmUp: config.documentScanner.warmUp,
      reader,
    });
    drivers.push(documentScanner);
  }
  let simulator: PeripheralSimulator | null = null;
  if (config.simulator.enabled) {
    simulator = createPeripheralSimulator({
      cardReaders: config.simulator.cardReaders,
      hidUidFormat: config.simulator.hidUidFormat,
      documentReader: reader ?? undefined,
    });
    drivers.push(...simulator.drivers);
  }
  return { hub: createPeripheralHub({ drivers, log: options.log }), documentScanner, simulator };
}
