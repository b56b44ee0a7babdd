// `npm run bench -- ocr`: reading MRZ documents with our pipeline (tesseract.js in a worker, layout-aware repair)
// against Debian's `tesseract` CLI on the same images in the same run, one image after the other, alternating
// who goes first. Both are judged the same way: a document counts as read when every MRZ field is right (for
// the CLI: its text, MRZ lines picked out and parsed as they are; for us: the reading must also be marked valid).
// The CLI runs with OMP_THREAD_LIMIT=1 (with OpenMP it is slower on our 2 cores). Timing is warm: our worker has
// its models loaded; the CLI is timed as it is used, one process per image.
//
// Last line of output: {"bench":"ocr","value":<our ms/image>,"unit":"ms/image","baseline":<CLI ms/image>,
//   "ratio":…,"target":"ratio<=1.5 and accuracy>cli","pass":…, accuracy figures…}
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { parseMrz, mrzFields } from '../peripherals/src/document/mrz.parser';
import { createDocumentReader } from '../peripherals/src/ocr/document-reader';
import { ensureOcrFixtures, fixtureToolsMissing, type MrzFixture } from '../peripherals/test/ocr-fixtures';

const FIELDS = [
  'documentCode',
  'issuingState',
  'documentNumber',
  'primaryIdentifier',
  'secondaryIdentifier',
  'nationality',
  'birthDate',
  'sex',
  'expiryDate',
  'optionalData1',
];
const NOW = new Date('2026-01-01T00:00:00Z');
const count = Number(process.argv.find((arg) => arg.startsWith('--images='))?.split('=')[1] ?? 60);

const missing = fixtureToolsMissing();
if (missing) {
  console.error(`cannot run the OCR benchmark: ${missing}; run scripts/setup-system.sh`);
  process.exit(1);
}
if (spawnSync('sh', ['-c', 'command -v tesseract']).status !== 0) {
  console.error('the tesseract CLI is missing (apt package tesseract-ocr); run scripts/setup-system.sh');
  process.exit(1);
}

/** MRZ lines from free OCR text: long runs of MRZ characters, the last 2 or 3 of them, parsed as they are. */
function cliReading(text: string, fixture: MrzFixture): boolean {
  const candidates = text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ''))
    .filter((line) => line.length >= 25 && /^[A-Z0-9<]+$/.test(line));
  const lines = candidates.slice(-(fixture.format === 'td1' ? 3 : 2));
  const parsed = parseMrz(lines, { now: NOW });
  if (!parsed.ok) return false;
  const fields = mrzFields(parsed.value);
  return FIELDS.every((field) => fields[field] === fixture.fields[field]);
}

const set = await ensureOcrFixtures({ mrzCount: 60, cnIdCount: 30 });
const fixtures = set.mrz.slice(0, count);
const reader = createDocumentReader({ now: () => NOW });
// Warm-up: load the model and let the JIT settle, as a kiosk that has been running does.
await reader.read({ kind: 'file', path: path.join(set.dir, fixtures[0]!.file) }, { kind: 'mrz' });

const ours: number[] = [];
const cli: number[] = [];
let oursRight = 0;
let oursSilentWrong = 0;
let cliRight = 0;
const runOurs = async (fixture: MrzFixture) => {
  const started = performance.now();
  const reading = await reader.read(
    { kind: 'file', path: path.join(set.dir, fixture.file) },
    { kind: 'mrz' },
  );
  ours.push(performance.now() - started);
  const right =
    reading.ok && FIELDS.every((field) => reading.value.fields[field]?.value === fixture.fields[field]);
  if (reading.ok && reading.value.valid && right) oursRight += 1;
  if (reading.ok && reading.value.valid && !right) oursSilentWrong += 1;
};
const runCli = (fixture: MrzFixture) => {
  const started = performance.now();
  const result = spawnSync('tesseract', [path.join(set.dir, fixture.file), 'stdout'], {
    encoding: 'utf8',
    env: { ...process.env, OMP_THREAD_LIMIT: '1' },
  });
  cli.push(performance.now() - started);
  if (result.status === 0 && cliReading(result.stdout, fixture)) cliRight += 1;
};
for (const [i, fixture] of fixtures.entries()) {
  if (i % 2 === 0) {
    await runOurs(fixture);
    runCli(fixture);
  } else {
    runCli(fixture);
    await runOurs(fixture);
  }
}
await reader.close();

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1]!;
const value = mean(ours);
const baseline = mean(cli);
const ratio = value / baseline;
const accuracy = oursRight / fixtures.length;
const cliAccuracy = cliRight / fixtures.length;
console.log(
  `ours: ${value.toFixed(0)} ms/image (median ${median(ours).toFixed(0)}), ${oursRight}/${fixtures.length} right, ${oursSilentWrong} wrong and not flagged`,
);
console.log(
  `tesseract CLI: ${baseline.toFixed(0)} ms/image (median ${median(cli).toFixed(0)}), ${cliRight}/${fixtures.length} right`,
);
console.log(
  JSON.stringify({
    bench: 'ocr',
    value: Math.round(value),
    unit: 'ms/image',
    baseline: Math.round(baseline),
    ratio: Math.round(ratio * 100) / 100,
    target: 'ratio<=1.5 and accuracy>cli',
    pass: ratio <= 1.5 && accuracy > cliAccuracy,
    images: fixtures.length,
    accuracy: Math.round(accuracy * 1000) / 1000,
    cliAccuracy: Math.round(cliAccuracy * 1000) / 1000,
    silentWrong: oursSilentWrong,
    medianMs: Math.round(median(ours)),
    cliMedianMs: Math.round(median(cli)),
  }),
);
