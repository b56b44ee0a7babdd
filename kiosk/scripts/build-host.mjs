#!/usr/bin/env node
// Bundles the kiosk's Node side (src/cli.ts: supervisor and host) into build/host/ with esbuild, so a kiosk starts
// with plain `node build/host/cli.js`: no TypeScript transform at run time (under tsx it took most of the cold
// start). Part of `npm run build`, and run again by `npm run kiosk`, so a checkout never starts a stale bundle.
//   node kiosk/scripts/build-host.mjs [--outdir <dir>] [--force]
// Without --force it does nothing when no input changed since the last build.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';

const kioskDir = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { outdir: { type: 'string' }, force: { type: 'boolean' } } });
const outdir = resolve(values.outdir ?? `${kioskDir}build/host`);
// What the last build read (esbuild's metafile inputs, and this script), stamped with the time that build began.
const inputsFile = join(outdir, 'inputs.json');

/** True when no file the last build read has changed since (or gone): `npm run kiosk` then starts at once. */
function upToDate() {
  try {
    const builtAt = statSync(inputsFile).mtimeMs;
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
    return inputs.every((file) => statSync(resolve(kioskDir, file)).mtimeMs < builtAt);
  } catch {
    return false;
  }
}

if (!values.force && upToDate()) process.exit(0);

/**
 * Stays in node_modules: native addons (built for this machine's Node or Electron), packages that find their own
 * files at run time (tesseract.js starts workers from its own folder), packages that load their data lazily
 * (iconv-lite's code tables: bundled, every table would be parsed at start), and ws' optional native helpers.
 */
const externalPackages = [
  'better-sqlite3',
  'pcsclite',
  'node-hid',
  'tesseract.js',
  'iconv-lite',
  'electron',
  'bufferutil',
  'utf-8-validate',
];

/**
 * zod re-exports all of its ~60 error-message locales (`z.locales`), which we never use: zod sets English itself,
 * from its own import of locales/en.js. Leaving the rest out halves what every kiosk process parses at start.
 */
const onlyEnglishZodLocales = {
  name: 'zod-english-only',
  setup(builder) {
    builder.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)
        ? { path: fileURLToPath(new URL(args.path, pathToFileURL(args.importer))), namespace: 'zod-locales' }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path.replace(/index\.js$/, 'en.js'))};`,
      resolveDir: kioskDir,
    }));
  },
};

const started = performance.now();
// Stamped on inputs.json: a source saved while this build runs makes the next start build again.
const startedAt = new Date();
const { build } = await import('esbuild'); // only when building: loading it is most of a no-op run
const built = await build({
  absWorkingDir: kioskDir,
  entryPoints: { cli: 'src/cli.ts' },
  outdir,
  bundle: true,
  // Separate chunks keep the supervisor small: it loads cli.js and what it shares with the host, while the host's
  // own modules (SQLite, the content renderer, the peripherals hub) arrive through `import()` in the host only.
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: externalPackages,
  plugins: [onlyEnglishZodLocales],
  // Bundled CommonJS dependencies (ws, …) call require(): the ES module output gives them one.
  banner: {
    js: "import { createRequire as __linliCreateRequire } from 'node:module'; const require = __linliCreateRequire(import.meta.url);",
  },
  // Readable stack traces in the kiosk's log; `node --enable-source-maps` maps them back to the TypeScript.
  sourcemap: 'linked',
  logLevel: 'warning',
  // Written below, only once the whole build succeeded: a broken source never leaves half a bundle behind.
  write: false,
  metafile: true,
}).catch(() => null); // esbuild has printed the errors already
if (!built) process.exit(1);
// Kiosks may be running from this folder (a supervisor forks cli.js again when its host dies): unchanged files are
// left alone (chunk names are content hashes), changed ones are replaced by rename, never half-written.
const written = new Set();
for (const file of built.outputFiles) {
  written.add(file.path);
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  mkdirSync(dirname(file.path), { recursive: true });
  const temporary = `${file.path}.${process.pid}.tmp`; // two builds may run at once (parallel `npm run kiosk`)
  writeFileSync(temporary, file.contents);
  renameSync(temporary, file.path);
}
written.add(inputsFile);
for (const entry of readdirSync(outdir, { recursive: true, withFileTypes: true })) {
  const file = join(entry.parentPath, entry.name);
  if (entry.isFile() && !written.has(file) && !file.endsWith('.tmp')) rmSync(file, { force: true });
}
const inputs = [
  ...Object.keys(built.metafile.inputs).filter((file) => !file.includes(':')),
  fileURLToPath(import.meta.url),
];
writeFileSync(inputsFile, `${JSON.stringify(inputs)}\n`);
utimesSync(inputsFile, startedAt, startedAt);
process.stderr.write(`build-host: ${outdir}/cli.js in ${Math.round(performance.now() - started)} ms\n`);
