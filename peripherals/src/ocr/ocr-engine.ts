import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createWorker, OEM, type Worker } from 'tesseract.js';
import { fail, messageOf, ok, type Result } from '../result';

// tesseract.js runs Tesseract (WebAssembly) in a worker thread. Language data comes from the npm packages
// @tesseract.js-data/<lang> (the 4.0.0_best_int LSTM models), given to tesseract.js as a local directory
// (`langPath`), so it has nothing to fetch. Without a langPath it would quietly download from a CDN, and on a
// machine without network its failed fetch is an uncaught error that kills the process. (Handing it the bytes
// as {code, data} objects is documented but broken in 7.0.0: it crashes the worker.)

export type OcrLanguage = 'eng' | 'chi_sim';

/** One recognised symbol with its box (pixels of the input image). */
export interface OcrSymbol {
  text: string;
  /** 0..100 as Tesseract reports it. */
  confidence: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
}

/** One recognised text line. */
export interface OcrLine {
  text: string;
  confidence: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
  symbols: OcrSymbol[];
}

/** What a recognition returns. */
export interface OcrPage {
  text: string;
  lines: OcrLine[];
  /** The rotation applied before recognition (radians; Tesseract's skew estimate with `rotate: 'auto'`). */
  rotateRadians: number;
  /** With `layoutOnly`: text line boxes found by layout analysis, without recognition. */
  layoutLines: OcrLine['bbox'][];
  /** With `binary`: the thresholded (and rotated) recognition region as a PNG data URL. */
  binary: string | null;
}

/** How to recognise: page segmentation, character whitelist, binarisation, optional region. */
export interface RecognizeRequest {
  /** `auto` finds blocks and lines (PSM 3); `block` reads one uniform block (PSM 6); `line` one line (PSM 7). */
  segmentation: 'auto' | 'block' | 'line' | 'sparse';
  whitelist?: string;
  /** Sauvola adapts to uneven light (camera photos); Otsu is Tesseract's default global threshold. */
  threshold?: 'otsu' | 'sauvola';
  rectangle?: { left: number; top: number; width: number; height: number };
  /** Deskew: `auto` lets Tesseract measure the skew (costs a line-finding pass), a number rotates by it. */
  rotate?: 'auto' | number;
  /** Only find text lines, do not recognise them (much cheaper). */
  layoutOnly?: boolean;
  /** Also return the thresholded image, for glyph-level checks. */
  binary?: boolean;
}

export type OcrErrorKind = 'ocr-unavailable' | 'ocr-failed' | 'ocr-timeout';

export interface OcrEngineOptions {
  languages: OcrLanguage[];
  /** A recognition taking longer is abandoned and the worker replaced (default 30 s). */
  timeoutMs?: number;
}

/** A Tesseract worker for a set of languages. */
export interface OcrEngine {
  recognize(image: Uint8Array, request: RecognizeRequest): Promise<Result<OcrPage, OcrErrorKind>>;
  terminate(): Promise<void>;
}

const PSM: Record<RecognizeRequest['segmentation'], string> = {
  auto: '3',
  block: '6',
  line: '7',
  sparse: '11',
};

/** Where the installed language data lives; throws if the package is missing. */
export function languageDataFile(language: OcrLanguage): string {
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`@tesseract.js-data/${language}/package.json`);
  return path.join(path.dirname(packageJson), '4.0.0_best_int', `${language}.traineddata.gz`);
}

/**
 * One local directory holding every requested language file. Each language is its own npm package, and
 * tesseract.js takes a single langPath, so several languages are linked into a private directory.
 */
function localLanguageDirectory(languages: OcrLanguage[]): Result<string, 'ocr-unavailable'> {
  try {
    const files = languages.map(languageDataFile);
    for (const file of files) fs.accessSync(file, fs.constants.R_OK);
    const directories = new Set(files.map((file) => path.dirname(file)));
    if (directories.size === 1) return ok([...directories][0]!);
    const shared = fs.mkdtempSync(path.join(os.tmpdir(), 'linli-tessdata-'));
    for (const file of files) fs.symlinkSync(file, path.join(shared, path.basename(file)));
    return ok(shared);
  } catch (error) {
    return fail(
      'ocr-unavailable',
      `OCR language data is not installed (${messageOf(error)}); run npm install`,
    );
  }
}

/** Creates an engine; the worker starts on first use. */
export function createOcrEngine(options: OcrEngineOptions): OcrEngine {
  const timeoutMs = options.timeoutMs ?? 30_000;
  let worker: Promise<Result<Worker, OcrErrorKind>> | null = null;
  // One recognition at a time per worker: parameters are per worker, and Tesseract is single-threaded anyway.
  let queue: Promise<unknown> = Promise.resolve();

  async function startWorker(): Promise<Result<Worker, OcrErrorKind>> {
    const langPath = localLanguageDirectory(options.languages);
    if (!langPath.ok) return langPath;
    try {
      const started = await createWorker(options.languages, OEM.LSTM_ONLY, {
        langPath: langPath.value,
        gzip: true,
        cacheMethod: 'none',
        errorHandler: () => {
          // Errors are reported through the rejected job; without a handler tesseract.js throws them globally.
        },
      });
      return ok(started);
    } catch (error) {
      return fail('ocr-unavailable', `the OCR worker did not start: ${messageOf(error)}`);
    }
  }

  async function run(image: Uint8Array, request: RecognizeRequest): Promise<Result<OcrPage, OcrErrorKind>> {
    worker ??= startWorker();
    const started = await worker;
    if (!started.ok) {
      worker = null;
      return started;
    }
    const tesseract = started.value;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)),
    );
    try {
      const job = (async () => {
        await tesseract.setParameters({
          tessedit_pageseg_mode: PSM[request.segmentation] as never,
          tessedit_char_whitelist: request.whitelist ?? '',
          thresholding_method: request.threshold === 'sauvola' ? '2' : '0',
          // Tesseract prints diagnostics ("Estimating resolution as …") to stderr; an installer's terminal and
          // the kiosk log are no place for them.
          debug_file: '/dev/null',
        });
        const options = {
          ...(request.rectangle ? { rectangle: request.rectangle } : {}),
          ...(request.rotate === 'auto'
            ? { rotateAuto: true }
            : typeof request.rotate === 'number'
              ? { rotateRadians: request.rotate }
              : {}),
        };
        const output = request.layoutOnly
          ? { text: false, blocks: false, layoutBlocks: true }
          : { text: true, blocks: true, imageBinary: request.binary ?? false };
        // A Buffer, never a string: tesseract.js fetches strings that look like URLs.
        return tesseract.recognize(Buffer.from(image), options, output);
      })();
      const outcome = await Promise.race([job, timeout]);
      if (outcome === 'timeout') {
        // The worker is stuck in WebAssembly: replace it rather than queue behind it.
        worker = null;
        void tesseract.terminate().catch(() => {});
        return fail('ocr-timeout', `recognition took longer than ${timeoutMs} ms`);
      }
      return ok(toPage(outcome.data as unknown as RawPage));
    } catch (error) {
      return fail('ocr-failed', messageOf(error));
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    recognize(image, request) {
      const result = queue.then(() => run(image, request));
      queue = result.catch(() => undefined);
      return result;
    },
    async terminate() {
      const current = worker;
      worker = null;
      await queue;
      const started = await current;
      if (started?.ok) await started.value.terminate();
    },
  };
}

interface RawBlock {
  paragraphs: {
    lines: { text: string; confidence: number; bbox: OcrLine['bbox']; words: { symbols: OcrSymbol[] }[] }[];
  }[];
}

interface RawPage {
  text: string | null;
  blocks: RawBlock[] | null;
  layoutBlocks?: { paragraphs: { lines: { bbox: OcrLine['bbox'] }[] }[] }[] | null;
  imageBinary?: string | null;
  rotateRadians?: number | null;
}

function toPage(data: RawPage): OcrPage {
  const layoutLines = (data.layoutBlocks ?? []).flatMap((block) =>
    block.paragraphs.flatMap((paragraph) => paragraph.lines.map((line) => line.bbox)),
  );
  const lines: OcrLine[] = [];
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      for (const line of paragraph.lines) {
        lines.push({
          text: line.text.replace(/\n$/, ''),
          confidence: line.confidence,
          bbox: line.bbox,
          symbols: line.words.flatMap((word) =>
            word.symbols.map((symbol) => ({
              text: symbol.text,
              confidence: symbol.confidence,
              bbox: symbol.bbox,
            })),
          ),
        });
      }
    }
  }
  return {
    text: data.text ?? '',
    lines,
    rotateRadians: data.rotateRadians ?? 0,
    layoutLines,
    binary: data.imageBinary ?? null,
  };
}
