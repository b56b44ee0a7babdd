import type { DocumentEvent, DocumentKind, DocumentProblem, DocumentSource } from '@linli/content';
import { validateCnIdNumber } from '../document/cn-id.validator';
import { mrzFields, parseMrz, type MrzDocument, type MrzProblem } from '../document/mrz.parser';
import { fail, ok, type Result } from '../result';
import { readCnIdFront } from './cn-id.ocr';
import { loadImage, type ImageErrorKind, type ImageInput } from './image-input';
import type { DecodedMrz } from './mrz-decoder';
import { readMrzZone } from './mrz.ocr';
import { createOcrEngine, type OcrEngine, type OcrErrorKind } from './ocr-engine';

// The OCR document reader: image in, the `document` event's content out. It owns two Tesseract workers, the
// English one (MRZ and the ID number) and the Chinese one (ID card front), each started on first use. Every
// field carries its confidence; a field below `lowConfidence`, a failed check digit or a failed rule becomes a
// problem and makes the reading invalid — the kiosk then asks the person to confirm or scan again.

/** A document event without the hub's envelope (type, time, reader). */
export type DocumentReading = Omit<DocumentEvent, 'type' | 'at' | 'reader'>;

export type DocumentReadErrorKind = ImageErrorKind | OcrErrorKind | 'document-not-found';

export interface DocumentReaderOptions {
  /** Clock for the two-digit-year rules and birth-date checks (default: now). */
  now?: () => Date;
  /** Fields below this confidence are reported as problems (default 0.75). */
  lowConfidence?: number;
  /** Per recognition (default 30 s). */
  timeoutMs?: number;
}

/** Reads documents from images. */
export interface DocumentReader {
  read(
    image: ImageInput,
    options?: { kind?: 'auto' | 'mrz' | 'cn-id' },
  ): Promise<Result<DocumentReading, DocumentReadErrorKind>>;
  /** Starts the workers ahead of the first scan (they take a second or two). */
  warmUp(kinds?: ('mrz' | 'cn-id')[]): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_LOW_CONFIDENCE = 0.75;

/** Creates a reader; no worker starts before the first read or warmUp. */
export function createDocumentReader(options: DocumentReaderOptions = {}): DocumentReader {
  const now = options.now ?? (() => new Date());
  const threshold = options.lowConfidence ?? DEFAULT_LOW_CONFIDENCE;
  let latin: OcrEngine | null = null;
  let chinese: OcrEngine | null = null;
  const english = () => (latin ??= createOcrEngine({ languages: ['eng'], timeoutMs: options.timeoutMs }));
  const chineseEngine = () =>
    (chinese ??= createOcrEngine({ languages: ['chi_sim'], timeoutMs: options.timeoutMs }));

  async function readMrz(
    bytes: Uint8Array,
    input: DocumentSource['input'],
  ): Promise<Result<DocumentReading, DocumentReadErrorKind>> {
    const zone = await readMrzZone(english(), bytes);
    if (!zone.ok) {
      const { kind, message } = zone.error;
      return kind === 'mrz-not-found' ? fail('document-not-found', message) : fail(kind, message);
    }
    return ok(mrzReading(zone.value.decoded, { via: 'ocr', input }, now(), threshold));
  }

  async function readCnId(
    bytes: Uint8Array,
    input: DocumentSource['input'],
  ): Promise<Result<DocumentReading, DocumentReadErrorKind>> {
    const reading = await readCnIdFront(chineseEngine(), english(), bytes, now());
    if (!reading.ok) {
      const { kind, message } = reading.error;
      return kind === 'cn-id-not-found' ? fail('document-not-found', message) : fail(kind, message);
    }
    const fields = reading.value.fields;
    // Name, ethnicity and address have no check of any kind: whatever Tesseract's confidence, they are a reading
    // for the person to confirm, not a verified value.
    const unverified = ['name', 'ethnicity', 'address'] as const;
    const out: DocumentReading['fields'] = {};
    for (const [field, value] of Object.entries(fields)) {
      const capped = (unverified as readonly string[]).includes(field)
        ? Math.min(value.confidence, 0.6)
        : value.confidence;
      out[field] = { value: value.value, confidence: round(capped) };
    }
    const problems: DocumentProblem[] = reading.value.problems.map((problem) => ({ ...problem }));
    addLowConfidence(out, problems, threshold);
    return ok(finish('cn-id', out, problems, { via: 'ocr', input }));
  }

  return {
    async read(image, readOptions = {}) {
      const loaded = await loadImage(image);
      if (!loaded.ok) return loaded;
      const { bytes, input } = loaded.value;
      const kind = readOptions.kind ?? 'auto';
      if (kind === 'mrz') return readMrz(bytes, input);
      if (kind === 'cn-id') return readCnId(bytes, input);
      // Unknown document: the MRZ is cheaper to look for, and a passport is never mistaken for an ID card front.
      const mrz = await readMrz(bytes, input);
      if (mrz.ok || mrz.error.kind !== 'document-not-found') return mrz;
      return readCnId(bytes, input);
    },
    async warmUp(kinds = ['mrz', 'cn-id']) {
      // A tiny blank image makes each worker load its model.
      const blank = new Uint8Array([
        ...new TextEncoder().encode('P5\n16 16\n255\n'),
        ...new Array(256).fill(255),
      ]);
      const engines = [
        ...(kinds.includes('mrz') || kinds.includes('cn-id') ? [english()] : []),
        ...(kinds.includes('cn-id') ? [chineseEngine()] : []),
      ];
      await Promise.all(engines.map((engine) => engine.recognize(blank, { segmentation: 'block' })));
    },
    async close() {
      await Promise.all([latin?.terminate(), chinese?.terminate()]);
      latin = null;
      chinese = null;
    },
  };
}

/** Which decoded-field confidence stands for each event field. */
const MRZ_CONFIDENCE_OF: Record<string, string> = {
  documentCode: 'documentCode',
  issuingState: 'issuingState',
  documentNumber: 'documentNumber',
  primaryIdentifier: 'name',
  secondaryIdentifier: 'name',
  nationality: 'nationality',
  birthDate: 'birthDate',
  sex: 'sex',
  expiryDate: 'expiryDate',
  optionalData1: 'optionalData1',
  optionalData2: 'optionalData2',
};

function mrzReading(
  decoded: DecodedMrz,
  source: DocumentSource,
  now: Date,
  threshold: number,
): DocumentReading {
  const parsed = parseMrz(decoded.lines, { now });
  const document: MrzDocument | null = parsed.ok ? parsed.value : parsed.error.document;
  const problems: DocumentProblem[] = parsed.ok
    ? []
    : mrzProblems(parsed.error.problems, parsed.error.kind, parsed.error.message);
  const fields: DocumentReading['fields'] = {};
  if (document) {
    for (const [field, value] of Object.entries(mrzFields(document))) {
      const confidence = decoded.fieldConfidence[MRZ_CONFIDENCE_OF[field] ?? field] ?? 1;
      fields[field] = { value, confidence: round(confidence) };
    }
  }
  fields.mrz = {
    value: decoded.lines.join('\n'),
    confidence: round(Math.min(1, ...Object.values(decoded.fieldConfidence))),
  };
  addLowConfidence(fields, problems, threshold);
  return finish(`mrz-${decoded.format}`, fields, problems, source);
}

function mrzProblems(problems: MrzProblem[], kind: string, message: string): DocumentProblem[] {
  if (problems.length === 0) return [{ kind, message }];
  return problems.map((problem) => ({ kind: problem.kind, field: problem.field, message: problem.message }));
}

function addLowConfidence(
  fields: DocumentReading['fields'],
  problems: DocumentProblem[],
  threshold: number,
): void {
  for (const [field, { confidence }] of Object.entries(fields)) {
    if (field === 'mrz' || confidence >= threshold) continue;
    problems.push({
      kind: 'low-confidence',
      field,
      message: `${field} was read with confidence ${confidence.toFixed(2)}; confirm it or scan again`,
    });
  }
}

function finish(
  kind: DocumentKind,
  fields: DocumentReading['fields'],
  problems: DocumentProblem[],
  source: DocumentSource,
): DocumentReading {
  const confidences = Object.entries(fields)
    .filter(([field]) => field !== 'mrz')
    .map(([, field]) => field.confidence);
  return {
    kind,
    fields,
    confidence: round(confidences.length > 0 ? Math.min(...confidences) : 0),
    valid: problems.length === 0,
    problems,
    source,
  };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** A reading from MRZ text typed or pasted (CLI, simulator): every character is taken as given. */
export function documentFromMrzText(
  lines: string[],
  source: DocumentSource,
  now: Date = new Date(),
): Result<DocumentReading, 'mrz-empty' | 'mrz-unknown-format'> {
  const parsed = parseMrz(lines, { now });
  if (!parsed.ok && !parsed.error.document) {
    return fail(parsed.error.kind as 'mrz-empty' | 'mrz-unknown-format', parsed.error.message);
  }
  const document = parsed.ok ? parsed.value : parsed.error.document!;
  const fields: DocumentReading['fields'] = {};
  for (const [field, value] of Object.entries(mrzFields(document))) fields[field] = { value, confidence: 1 };
  fields.mrz = { value: document.lines.join('\n'), confidence: 1 };
  const problems = parsed.ok
    ? []
    : mrzProblems(parsed.error.problems, parsed.error.kind, parsed.error.message);
  return ok(finish(document.kind, fields, problems, source));
}

/** The fields of an ID card front given directly (simulator, manual entry), checked like a reading. */
export interface CnIdFields {
  idNumber: string;
  name: string;
  sex?: 'male' | 'female';
  ethnicity?: string;
  birthDate?: string;
  address?: string;
}

/** A reading from given CN ID fields: the number is validated, sex and birth date must match it. */
export function documentFromCnIdFields(
  input: CnIdFields,
  source: DocumentSource,
  now: Date = new Date(),
): DocumentReading {
  const number = validateCnIdNumber(input.idNumber, { now });
  const problems: DocumentProblem[] = [];
  if (!number.ok)
    problems.push({ kind: number.error.kind, field: 'idNumber', message: number.error.message });
  const sex = input.sex ?? (number.ok ? number.value.sex : '');
  const birthDate = input.birthDate ?? (number.ok ? number.value.birthDate : '');
  if (number.ok && sex !== number.value.sex)
    problems.push({
      kind: 'sex-mismatch',
      field: 'sex',
      message: 'the sex differs from the one the number encodes',
    });
  if (number.ok && birthDate !== number.value.birthDate) {
    problems.push({
      kind: 'birth-date-mismatch',
      field: 'birthDate',
      message: 'the birth date differs from the one the number encodes',
    });
  }
  const fields: DocumentReading['fields'] = {
    idNumber: { value: number.ok ? number.value.number : input.idNumber, confidence: 1 },
    name: { value: input.name, confidence: 1 },
    sex: { value: sex, confidence: 1 },
    ethnicity: { value: input.ethnicity ?? '', confidence: 1 },
    birthDate: { value: birthDate, confidence: 1 },
    address: { value: input.address ?? '', confidence: 1 },
  };
  return finish('cn-id', fields, problems, source);
}
