// Reads one document and prints the reading as JSON: run by document-reader.ocr.test.ts inside a network
// namespace with no network at all, to prove the OCR needs none.
import { createDocumentReader } from '../src/ocr/document-reader';

const [file, kind = 'auto'] = process.argv.slice(2);
const reader = createDocumentReader();
const reading = await reader.read({ kind: 'file', path: file! }, { kind: kind as 'auto' | 'mrz' | 'cn-id' });
await reader.close();
process.stdout.write(`${JSON.stringify(reading)}\n`);
