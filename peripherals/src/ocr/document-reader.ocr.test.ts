import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { DocumentEvent } from '@linli/content';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureOcrFixtures,
  fixtureToolsMissing,
  type CnIdFixture,
  type MrzFixture,
  type OcrFixtureSet,
} from '../../test/ocr-fixtures';
import { createDocumentReader, type DocumentReader, type DocumentReading } from './document-reader';

// Acceptance of the OCR on generated fixtures (test/ocr-fixtures.ts): passports and ID cards with invented
// people, rendered in OCR-B and Noto CJK, rotated 1–3°, blurred, noisy, unevenly lit. Fixtures are made on
// first use and cached in the temp directory.

const missing = fixtureToolsMissing();
if (missing) console.warn(`[peripherals] OCR fixture tests skipped — ${missing}`);

/** The reference date the fixtures' dates were made for (two-digit years need one). */
const NOW = new Date('2026-01-01T00:00:00Z');
const MRZ_FIELDS = [
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

interface Outcome {
  file: string;
  reading: DocumentReading | null;
  right: boolean;
  error?: string;
}

function mrzRight(reading: DocumentReading, fixture: MrzFixture): boolean {
  return MRZ_FIELDS.every((field) => reading.fields[field]?.value === fixture.fields[field]);
}

describe.skipIf(missing !== null)(
  `OCR on generated documents${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    let normal: OcrFixtureSet;
    let stress: OcrFixtureSet;
    let reader: DocumentReader;
    const mrz: Outcome[] = [];
    const cnId: Outcome[] = [];
    const stressed: Outcome[] = [];

    beforeAll(async () => {
      normal = await ensureOcrFixtures({ mrzCount: 60, cnIdCount: 30 });
      stress = await ensureOcrFixtures({ mrzCount: 20, cnIdCount: 0, seed: 7, severity: 'stress' });
      reader = createDocumentReader({ now: () => NOW });
      const readAll = async <F extends MrzFixture | CnIdFixture>(
        set: OcrFixtureSet,
        fixtures: F[],
        kind: 'mrz' | 'cn-id',
        out: Outcome[],
        judge: (reading: DocumentReading, fixture: F) => boolean,
      ) => {
        for (const fixture of fixtures) {
          const reading = await reader.read(
            { kind: 'file', path: path.join(set.dir, fixture.file) },
            { kind },
          );
          out.push(
            reading.ok
              ? { file: fixture.file, reading: reading.value, right: judge(reading.value, fixture) }
              : { file: fixture.file, reading: null, right: false, error: reading.error.kind },
          );
        }
      };
      // The English and the Chinese worker run side by side: one per core.
      await Promise.all([
        readAll(normal, normal.mrz, 'mrz', mrz, mrzRight).then(() =>
          readAll(stress, stress.mrz, 'mrz', stressed, mrzRight),
        ),
        readAll(
          normal,
          normal.cnId,
          'cn-id',
          cnId,
          (reading, fixture) => reading.fields.idNumber?.value === fixture.fields.idNumber,
        ),
      ]);
    }, 600_000);

    afterAll(async () => {
      await reader?.close();
    });

    it('reads MRZ documents with every field right in at least 95 % of images', () => {
      const accepted = mrz.filter((outcome) => outcome.right && outcome.reading?.valid);
      const share = accepted.length / normal.mrz.length;
      console.info(
        `[peripherals] MRZ: ${accepted.length}/${normal.mrz.length} read right and accepted (${(share * 100).toFixed(1)} %)`,
      );
      expect(share).toBeGreaterThanOrEqual(0.95);
    });

    it('never accepts a wrong MRZ read: a failing check digit or low confidence flags it', () => {
      const silent = [...mrz, ...stressed].filter((outcome) => outcome.reading?.valid && !outcome.right);
      const stressedRight = stressed.filter((outcome) => outcome.right && outcome.reading?.valid).length;
      console.info(
        `[peripherals] MRZ stress set: ${stressedRight}/${stressed.length} accepted right, the rest flagged or not found`,
      );
      expect(silent.map((outcome) => outcome.file)).toEqual([]);
      // The stress set must actually stress the reader, or the assertion above proves nothing.
      expect(stressed.some((outcome) => !outcome.reading?.valid)).toBe(true);
    });

    it('reads the resident ID number exactly in at least 95 % of card fronts, never a wrong one with confidence', () => {
      const exact = cnId.filter(
        (outcome) => outcome.right && (outcome.reading?.fields.idNumber?.confidence ?? 0) >= 0.75,
      );
      const wrongButSure = cnId.filter(
        (outcome) => !outcome.right && (outcome.reading?.fields.idNumber?.confidence ?? 0) >= 0.75,
      );
      console.info(`[peripherals] CN ID: number exact in ${exact.length}/${normal.cnId.length}`);
      expect(exact.length / normal.cnId.length).toBeGreaterThanOrEqual(0.95);
      expect(wrongButSure.map((outcome) => outcome.file)).toEqual([]);
    });

    it('reports name, ethnicity and address of an ID card as unverified, and gives events the shared schema accepts', () => {
      const reading = cnId.find((outcome) => outcome.reading)?.reading;
      expect(reading).toBeTruthy();
      for (const field of ['name', 'ethnicity', 'address'])
        expect(reading!.fields[field]!.confidence).toBeLessThan(0.75);
      expect(reading!.valid).toBe(false);
      expect(reading!.problems.map((problem) => problem.field)).toEqual(
        expect.arrayContaining(['name', 'address']),
      );
      const event = { type: 'document', at: NOW.toISOString(), reader: 'test', ...reading! };
      expect(DocumentEvent.safeParse(event).success).toBe(true);
    });

    it('reads a camera frame (raw RGBA from the renderer) and an encoded buffer like a file', async () => {
      const fixture = normal.mrz[0]!;
      const file = path.join(normal.dir, fixture.file);
      const size = execFileSync('/usr/bin/identify', ['-format', '%w %h', file], { encoding: 'utf8' })
        .split(' ')
        .map(Number);
      const rgba = execFileSync('/usr/bin/convert', [file, '-depth', '8', 'rgba:-'], { maxBuffer: 64 << 20 });
      const frame = await reader.read(
        { kind: 'camera-frame', frame: { width: size[0]!, height: size[1]!, data: new Uint8Array(rgba) } },
        { kind: 'mrz' },
      );
      expect(frame.ok && mrzRight(frame.value, fixture)).toBe(true);
      expect(frame.ok && frame.value.source).toEqual({ via: 'ocr', input: 'camera-frame' });
      const buffer = await reader.read({ kind: 'buffer', data: new Uint8Array(fs.readFileSync(file)) });
      expect(buffer.ok && buffer.value.kind).toBe(`mrz-${fixture.format}`);
      expect(
        await reader.read({ kind: 'buffer', data: new TextEncoder().encode('not an image') }),
      ).toMatchObject({ ok: false, error: { kind: 'image-unsupported' } });
      expect(
        await reader.read({
          kind: 'camera-frame',
          frame: { width: 20, height: 20, data: new Uint8Array(10) },
        }),
      ).toMatchObject({
        ok: false,
        error: { kind: 'image-invalid-frame' },
      });
      expect(await reader.read({ kind: 'file', path: '/nonexistent.jpg' })).toMatchObject({
        ok: false,
        error: { kind: 'image-unreadable' },
      });
    }, 60_000);

    it('finds no document in an image without one, and says so', async () => {
      const blank = path.join(normal.dir, 'blank.png');
      if (!fs.existsSync(blank)) execFileSync('/usr/bin/convert', ['-size', '400x300', 'xc:white', blank]);
      expect(await reader.read({ kind: 'file', path: blank })).toMatchObject({
        ok: false,
        error: { kind: 'document-not-found' },
      });
    }, 60_000);

    it('works without any network: language data come from the installed packages', () => {
      const fixture = normal.mrz[1]!;
      const probe = spawnSync('unshare', ['-n', 'true']);
      if (probe.status !== 0) {
        console.warn(
          `[peripherals] offline OCR check skipped: cannot create a network namespace (${probe.stderr?.toString().trim() || 'unshare failed'})`,
        );
        return;
      }
      const tsx = path.resolve(import.meta.dirname, '../../../node_modules/tsx/dist/loader.mjs');
      const script = path.resolve(import.meta.dirname, '../../test/read-document.offline.ts');
      const run = spawnSync(
        'unshare',
        ['-n', process.execPath, '--import', tsx, script, path.join(normal.dir, fixture.file), 'mrz'],
        { encoding: 'utf8', timeout: 120_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      expect(result.ok).toBe(true);
      expect(result.value.fields.documentNumber.value).toBe(fixture.fields.documentNumber);
    }, 180_000);
  },
);
