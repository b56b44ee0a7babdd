import { PeripheralEvent } from '@linli/content';
import { describe, expect, it } from 'vitest';
import { recordEvents } from '../hub/event-recorder';
import { createPeripheralHub } from '../hub/peripheral-hub';
import type { DocumentReader } from '../ocr/document-reader';
import { fail, ok } from '../result';
import { createDocumentScannerDriver } from './document-scanner.ocr';

/** A reader that returns canned readings: the OCR itself is tested in ocr/*.test.ts. */
function cannedReader(): DocumentReader & { closed: boolean } {
  const reader = {
    closed: false,
    async read(image: Parameters<DocumentReader['read']>[0]) {
      if (image.kind === 'file' && image.path === 'blank.png')
        return fail('document-not-found', 'no machine readable zone was found in the image');
      return ok({
        kind: 'cn-id' as const,
        fields: { idNumber: { value: '11010519491231002X', confidence: 0.99 } },
        confidence: 0.99,
        valid: true,
        problems: [],
        source: { via: 'ocr' as const, input: 'file' as const },
      });
    },
    async warmUp() {},
    async close() {
      reader.closed = true;
    },
  };
  return reader;
}

describe('OCR document scanner driver', () => {
  it('emits a document event for a scan and an error event for a failed one, through the hub', async () => {
    const reader = cannedReader();
    const scanner = createDocumentScannerDriver({ reader, name: 'Gate camera' });
    const hub = createPeripheralHub({ drivers: [scanner] });
    const events = recordEvents(hub);
    expect(await scanner.scan({ kind: 'file', path: 'card.jpg' })).toMatchObject({
      ok: false,
      error: { kind: 'not-running' },
    });
    await hub.start();
    const scanned = await scanner.scan({ kind: 'file', path: 'card.jpg' });
    expect(scanned.ok && scanned.value).toMatchObject({
      type: 'document',
      reader: 'Gate camera',
      kind: 'cn-id',
    });
    const { event } = await events.waitFor((e) => e.type === 'document', 1000);
    expect(PeripheralEvent.safeParse(event).success).toBe(true);
    expect(await scanner.scan({ kind: 'file', path: 'blank.png' })).toMatchObject({
      ok: false,
      error: { kind: 'document-not-found' },
    });
    await events.waitFor(
      (e) => e.type === 'error' && e.reader === 'Gate camera' && e.kind === 'document-not-found',
      1000,
    );
    await hub.stop();
    expect(reader.closed).toBe(true);
  });
});
