import { mrzCheckDigit, type MrzFormat } from './mrz.parser';

// The inverse of parseMrz: lays out fields as ICAO 9303 lines with every check digit. The document-scanner
// simulator and the OCR fixture generator use it; the round-trip property test ties it to the parser.

/** What it takes to write an MRZ. Dates are `YYYY-MM-DD`; names in MRZ letters (A–Z, spaces between words). */
export interface MrzInput {
  format: MrzFormat;
  documentCode: string;
  issuingState: string;
  primaryIdentifier: string;
  secondaryIdentifier: string;
  documentNumber: string;
  nationality: string;
  birthDate: string;
  sex: 'male' | 'female' | 'unspecified';
  expiryDate: string;
  optionalData1?: string;
  optionalData2?: string;
}

const LENGTHS: Record<MrzFormat, number> = { td1: 30, td2: 36, td3: 44 };

/** Writes the MRZ lines of a document. Too-long names are truncated, as 9303 part 3 §4.6.1 allows. */
export function buildMrz(input: MrzInput): string[] {
  const length = LENGTHS[input.format];
  const pad = (text: string, size: number) => (text + '<'.repeat(size)).slice(0, size);
  const words = (text: string) => text.trim().toUpperCase().split(/\s+/).filter(Boolean).join('<');
  const name = `${words(input.primaryIdentifier)}<<${words(input.secondaryIdentifier)}`;
  const yymmdd = (iso: string) => iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10);
  const sex = input.sex === 'male' ? 'M' : input.sex === 'female' ? 'F' : '<';
  const birth = yymmdd(input.birthDate);
  const expiry = yymmdd(input.expiryDate);
  const head = pad(input.documentCode, 2) + pad(input.issuingState, 3);
  const check = (text: string) => String(mrzCheckDigit(text));

  if (input.format === 'td1') {
    // Document numbers longer than 9 characters continue in the optional data (9303 part 5 note j).
    let numberField: string;
    let optional1 = input.optionalData1 ?? '';
    if (input.documentNumber.length > 9) {
      numberField = input.documentNumber.slice(0, 9) + '<';
      optional1 = input.documentNumber.slice(9) + check(input.documentNumber) + '<' + optional1;
    } else {
      numberField = pad(input.documentNumber, 9) + check(pad(input.documentNumber, 9));
    }
    const line1 = pad(head + numberField + optional1, length);
    const line2Start = birth + check(birth) + sex + expiry + check(expiry) + pad(input.nationality, 3);
    const optional2 = pad(input.optionalData2 ?? '', 11);
    const composite = line1.slice(5, 30) + line2Start.slice(0, 7) + line2Start.slice(8, 15) + optional2;
    const line2 = line2Start + optional2 + check(composite);
    return [line1, line2, pad(name, length)];
  }
  const line1 = pad(head + name, length);
  const number = pad(input.documentNumber, 9);
  const start =
    number + check(number) + pad(input.nationality, 3) + birth + check(birth) + sex + expiry + check(expiry);
  let tail: string;
  if (input.format === 'td3') {
    const personal = pad(input.optionalData1 ?? '', 14);
    tail = personal + check(personal);
  } else {
    tail = pad(input.optionalData1 ?? '', 7);
  }
  const composite = start.slice(0, 10) + start.slice(13, 20) + start.slice(21) + tail;
  return [line1, start + tail + check(composite)];
}
