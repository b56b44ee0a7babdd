import type { DocumentEvent } from '@linli/content';
import type { DriverContext, PeripheralDriver } from '../driver';
import type { ImageInput } from '../ocr/image-input';
import { buildMrz, type MrzInput } from './mrz.builder';
import {
  documentFromCnIdFields,
  documentFromMrzText,
  type CnIdFields,
  type DocumentReader,
  type DocumentReading,
} from '../ocr/document-reader';
import { fail, ok, type Result } from '../result';

// A document scanner in software, with the events of document-scanner.ocr.ts: tests and the kiosk dev panel
// feed it MRZ text, MRZ fields, ID card fields or an image, and get the `document` event a real scan gives
// (fields are checked the same way: a wrong check digit or ID number still makes the document invalid).

/** What can be fed to the simulated scanner. */
export type SimDocumentInput =
  | { kind: 'mrz-lines'; lines: string[] }
  | { kind: 'mrz-fields'; fields: MrzInput }
  | { kind: 'cn-id-fields'; fields: CnIdFields }
  | { kind: 'image'; image: ImageInput; documentKind?: 'auto' | 'mrz' | 'cn-id' };

export interface SimDocumentScannerDriver extends PeripheralDriver {
  feedDocument(input: SimDocumentInput): Promise<Result<DocumentEvent, string>>;
}

export interface SimDocumentScannerOptions {
  id?: string;
  name?: string;
  /** Needed only to feed images (runs the real OCR). */
  reader?: DocumentReader;
  now?: () => Date;
}

/** Creates the simulated document scanner. */
export function createSimDocumentScannerDriver(
  options: SimDocumentScannerOptions = {},
): SimDocumentScannerDriver {
  const name = options.name ?? 'Linli Sim Document Scanner';
  const now = options.now ?? (() => new Date());
  let context: DriverContext | null = null;
  const emit = (reading: DocumentReading): DocumentEvent => {
    context?.emit({ type: 'document', reader: name, ...reading });
    return { type: 'document', at: now().toISOString(), reader: name, ...reading };
  };
  return {
    id: options.id ?? 'sim-document-scanner',
    kind: 'simulator',
    async start(driverContext) {
      context = driverContext;
      context.emit({ type: 'reader-added', reader: name, driver: 'simulator' });
      return ok(undefined);
    },
    async stop() {
      context?.emit({ type: 'reader-removed', reader: name, driver: 'simulator' });
      context = null;
    },
    async feedDocument(input) {
      if (!context) return fail('not-running', 'the simulated document scanner is not started');
      switch (input.kind) {
        case 'mrz-lines':
        case 'mrz-fields': {
          const lines = input.kind === 'mrz-lines' ? input.lines : buildMrz(input.fields);
          const reading = documentFromMrzText(
            lines,
            { via: 'simulator', input: input.kind === 'mrz-lines' ? 'text' : 'fields' },
            now(),
          );
          return reading.ok ? ok(emit(reading.value)) : reading;
        }
        case 'cn-id-fields':
          return ok(emit(documentFromCnIdFields(input.fields, { via: 'simulator', input: 'fields' }, now())));
        case 'image': {
          if (!options.reader)
            return fail('ocr-unavailable', 'the simulator was created without an OCR reader');
          const reading = await options.reader.read(input.image, { kind: input.documentKind ?? 'auto' });
          if (!reading.ok) return reading;
          return ok(
            emit({ ...reading.value, source: { via: 'simulator', input: reading.value.source.input } }),
          );
        }
      }
    },
  };
}
