import type { DocumentEvent } from '@linli/content';
import type { DriverContext, PeripheralDriver } from '../driver';
import type { ImageInput } from '../ocr/image-input';
import {
  createDocumentReader,
  type DocumentReadErrorKind,
  type DocumentReader,
} from '../ocr/document-reader';
import { fail, ok, type Result } from '../result';

// The document camera or scanner as a peripheral: the host hands it an image (a file from a scanner, a JPEG
// from a document camera, a frame the renderer grabbed) and it emits a `document` event like any other device.
// OCR runs in tesseract.js worker threads owned by the reader.

/** The OCR document scanner driver. */
export interface DocumentScannerDriver extends PeripheralDriver {
  /** Reads a document and emits (and returns) its event. */
  scan(
    image: ImageInput,
    options?: { kind?: 'auto' | 'mrz' | 'cn-id' },
  ): Promise<Result<DocumentEvent, DocumentReadErrorKind | 'not-running'>>;
}

export interface DocumentScannerOptions {
  id?: string;
  /** Reader name in events (default "Document camera"). */
  name?: string;
  reader?: DocumentReader;
  /** Load the OCR models at start instead of at the first scan. */
  warmUp?: boolean;
}

/** Creates the OCR document scanner driver. */
export function createDocumentScannerDriver(options: DocumentScannerOptions = {}): DocumentScannerDriver {
  const name = options.name ?? 'Document camera';
  const reader = options.reader ?? createDocumentReader();
  let context: DriverContext | null = null;
  return {
    id: options.id ?? 'document-scanner',
    kind: 'ocr',
    async start(driverContext) {
      context = driverContext;
      context.emit({ type: 'reader-added', reader: name, driver: 'ocr' });
      if (options.warmUp) void reader.warmUp().catch(() => {});
      return ok(undefined);
    },
    async stop() {
      context?.emit({ type: 'reader-removed', reader: name, driver: 'ocr' });
      context = null;
      await reader.close();
    },
    async scan(image, scanOptions) {
      if (!context) return fail('not-running', 'the document scanner is not started');
      const reading = await reader.read(image, scanOptions);
      if (!reading.ok) {
        context?.emit({
          type: 'error',
          reader: name,
          kind: reading.error.kind,
          message: reading.error.message,
        });
        return reading;
      }
      const event: DocumentEvent = {
        type: 'document',
        at: new Date().toISOString(),
        reader: name,
        ...reading.value,
      };
      context?.emit({ type: 'document', reader: name, ...reading.value });
      return ok(event);
    },
  };
}
