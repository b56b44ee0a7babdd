import { describe, expect, it } from 'vitest';
import { documentFromCnIdFields, documentFromMrzText } from './document-reader';
import { loadImage } from './image-input';

const source = { via: 'text', input: 'text' } as const;

describe('documents from text and fields (no OCR)', () => {
  it('turns the ICAO TD1 specimen into a valid document with every field', () => {
    const reading = documentFromMrzText(
      ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'],
      source,
      new Date('2025-01-01'),
    );
    expect(reading.ok && reading.value).toMatchObject({
      kind: 'mrz-td1',
      valid: true,
      confidence: 1,
      problems: [],
      fields: {
        documentNumber: { value: 'D23145890' },
        birthDate: { value: '1974-08-12' },
        secondaryIdentifier: { value: 'ANNA MARIA' },
      },
    });
  });

  it('keeps a document with a wrong check digit, invalid, with the field at fault', () => {
    const reading = documentFromMrzText(
      ['I<UTOD231458908<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'],
      source,
    );
    expect(reading.ok && reading.value.valid).toBe(false);
    expect(reading.ok && reading.value.problems.map((problem) => problem.field)).toEqual([
      'documentNumber',
      'composite',
    ]);
    expect(documentFromMrzText(['NOT AN MRZ'], source)).toMatchObject({
      ok: false,
      error: { kind: 'mrz-unknown-format' },
    });
  });

  it('checks ID card fields against what the number encodes', () => {
    const good = documentFromCnIdFields(
      { idNumber: '440524188001010014', name: '李四', sex: 'male', birthDate: '1880-01-01' },
      source,
    );
    expect(good).toMatchObject({ kind: 'cn-id', valid: true });
    const mismatched = documentFromCnIdFields(
      { idNumber: '440524188001010014', name: '李四', sex: 'female' },
      source,
    );
    expect(mismatched.problems).toEqual([expect.objectContaining({ kind: 'sex-mismatch', field: 'sex' })]);
  });
});

describe('image input', () => {
  it('encodes an RGBA camera frame as a grey PGM with BT.601 luma', async () => {
    const data = new Uint8Array(16 * 16 * 4);
    for (let i = 0; i < 256; i += 1) data.set([255, 0, 0, 255], i * 4);
    const loaded = await loadImage({ kind: 'camera-frame', frame: { width: 16, height: 16, data } });
    expect(loaded.ok).toBe(true);
    if (!loaded.ok) return;
    const header = new TextDecoder().decode(loaded.value.bytes.slice(0, 13));
    expect(header).toBe('P5\n16 16\n255\n');
    expect(loaded.value.bytes[13]).toBe(76); // 0.299 × 255
    expect(loaded.value.bytes.length).toBe(13 + 256);
  });

  it('names what is wrong with an input', async () => {
    expect(await loadImage({ kind: 'buffer', data: new Uint8Array([1, 2, 3]) })).toMatchObject({
      ok: false,
      error: { kind: 'image-unsupported' },
    });
    expect(
      await loadImage({ kind: 'camera-frame', frame: { width: 16, height: 16, data: new Uint8Array(5) } }),
    ).toMatchObject({ ok: false, error: { kind: 'image-invalid-frame' } });
    expect(await loadImage({ kind: 'file', path: '/does/not/exist.png' })).toMatchObject({
      ok: false,
      error: { kind: 'image-unreadable' },
    });
    expect(
      await loadImage({ kind: 'buffer', data: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0]) }),
    ).toMatchObject({ ok: true, value: { input: 'buffer' } });
  });
});
