// Stages the server's installed tree (/usr/lib/linli/server) from the checkout, without network:
//   node packaging/scripts/stage-server.mjs <out-dir> [--extra-migration <file.ts>] [--cache <dir>]
// The server is built by `vite build` in a private copy of signage-server/ (so a running `npm run build` or the
// checkout's own build/ is never touched); the admin CLI is bundled by esbuild; runtime node_modules are copied
// from the checkout, better-sqlite3 included as built here for this machine's architecture.
// --extra-migration appends a migration to the staged copy only: the upgrade tests build an N+1 package with it.
// --cache keeps each staged tree under <dir>/<hash of every input> and reuses it: the package tests build the same
// server several times (and again on every run), and `vite build` is most of a package build's time.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { copyRuntimeModules } from './runtime-modules.mjs';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const serverSource = path.join(repo, 'signage-server');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { 'extra-migration': { type: 'string' }, work: { type: 'string' }, cache: { type: 'string' } },
});
const out = path.resolve(positionals[0] ?? 'staged-server');

/**
 * A hash of everything the staged tree is made from: the server's and content's sources, the locked dependency
 * versions, the extra migration, these scripts, and the Node version and architecture better-sqlite3 is built for.
 */
function inputsHash() {
  const hash = crypto.createHash('sha256');
  const add = (file) => {
    hash.update(`${path.relative(repo, file)}\0`);
    hash.update(fs.readFileSync(file));
    hash.update('\0');
  };
  const walk = (entry) => {
    if (!fs.existsSync(entry)) return;
    // tests are not staged (see the copy below), so editing one must not force a rebuild
    if (!fs.statSync(entry).isDirectory()) return entry.endsWith('.test.ts') ? undefined : add(entry);
    for (const name of fs.readdirSync(entry).sort()) walk(path.join(entry, name));
  };
  for (const name of [
    'src',
    'static',
    'svelte.config.js',
    'vite.config.ts',
    'package.json',
    'server.js',
    'tsconfig.json',
  ])
    walk(path.join(serverSource, name));
  for (const name of ['src', 'packs', 'package.json']) walk(path.join(repo, 'content', name));
  walk(path.join(repo, 'package-lock.json'));
  walk(path.join(repo, 'packaging', 'scripts'));
  if (values['extra-migration']) walk(path.resolve(values['extra-migration']));
  hash.update(`${process.version} ${process.arch}`);
  return hash.digest('hex').slice(0, 32);
}

const cached = values.cache ? path.join(path.resolve(values.cache), inputsHash()) : null;
if (cached && fs.existsSync(path.join(cached, 'package.json'))) {
  fs.rmSync(out, { recursive: true, force: true });
  fs.cpSync(cached, out, { recursive: true, verbatimSymlinks: true });
  console.log(`stage-server: staged ${out} from the cache (${path.basename(cached)})`);
  process.exit(0);
}
// the private copy must live inside the checkout so that node_modules resolve from it
const work = path.resolve(values.work ?? path.join(repo, 'packaging', '.build', `server-${process.pid}`));

fs.rmSync(work, { recursive: true, force: true });
fs.mkdirSync(work, { recursive: true });
for (const name of ['src', 'static', 'svelte.config.js', 'vite.config.ts', 'package.json', 'server.js']) {
  fs.cpSync(path.join(serverSource, name), path.join(work, name), {
    recursive: true,
    filter: (file) => !file.endsWith('.test.ts'),
  });
}
const tsconfig = fs
  .readFileSync(path.join(serverSource, 'tsconfig.json'), 'utf8')
  .replace('"./.svelte-kit/tsconfig.json"', '"./.svelte-kit/tsconfig.json"');
fs.writeFileSync(path.join(work, 'tsconfig.json'), tsconfig);

if (values['extra-migration']) {
  const migrationsDir = path.join(work, 'src/lib/server/db/migrations');
  const index = path.join(migrationsDir, 'index.ts');
  const text = fs.readFileSync(index, 'utf8');
  // the extra migration takes the next number, whatever the checkout's list has grown to
  const listed = /export const migrations: readonly Migration\[\] = \[([^\]]*)\];/.exec(text)?.[1] ?? '';
  const next = listed.split(',').filter((entry) => entry.trim()).length + 1;
  const extraSource = fs
    .readFileSync(values['extra-migration'], 'utf8')
    .replace(/version: \d+/, `version: ${next}`);
  fs.writeFileSync(path.join(migrationsDir, 'extra-migration.ts'), extraSource);
  const patched = text.replace(
    /export const migrations: readonly Migration\[\] = \[([^\]]*)\];/,
    (_, list) =>
      // (a list long enough for prettier to break ends with a comma: appended after it, it would leave a hole)
      `import { extraMigration } from './extra-migration';\nexport const migrations: readonly Migration[] = [${list.replace(/,\s*$/, '')}, extraMigration];`,
  );
  if (patched === text) throw new Error('stage-server: could not append the extra migration');
  fs.writeFileSync(index, patched);
}

const bin = path.join(repo, 'node_modules', '.bin');
execFileSync(path.join(bin, 'vite'), ['build', '--logLevel', 'warn'], { cwd: work, stdio: 'inherit' });
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(path.join(out, 'cli'), { recursive: true });
fs.cpSync(path.join(work, 'build'), path.join(out, 'build'), {
  recursive: true,
  filter: (file) => !file.endsWith('.map'),
});
fs.copyFileSync(path.join(work, 'server.js'), path.join(out, 'server.js'));

execFileSync(
  path.join(bin, 'esbuild'),
  [
    path.join(work, 'src/cli/linli.ts'),
    '--bundle',
    '--platform=node',
    '--format=esm',
    '--target=node20',
    '--log-level=warning',
    '--external:better-sqlite3',
    '--external:pino',
    // bundled CommonJS dependencies call require(): give the ES module one
    "--banner:js=import { createRequire as __linliRequire } from 'node:module'; const require = __linliRequire(import.meta.url);",
    `--outfile=${path.join(out, 'cli', 'linli.mjs')}`,
  ],
  { cwd: work, stdio: 'inherit' },
);

// Runtime dependencies: what adapter-node leaves external (the server's `dependencies`), with their own
// dependencies, resolved the way Node resolves them from the checkout.
const serverPackage = JSON.parse(fs.readFileSync(path.join(serverSource, 'package.json'), 'utf8'));
const copied = copyRuntimeModules(
  Object.keys(serverPackage.dependencies),
  serverSource,
  path.join(out, 'node_modules'),
);
fs.writeFileSync(
  path.join(out, 'package.json'),
  `${JSON.stringify({ name: 'linli-server', version: serverPackage.version, private: true, type: 'module' }, null, 2)}\n`,
);
fs.rmSync(work, { recursive: true, force: true });
if (cached) {
  // copied under a temporary name and renamed: a concurrent build of the same inputs never sees half a tree
  const partial = `${cached}.${process.pid}.partial`;
  fs.mkdirSync(path.dirname(cached), { recursive: true });
  fs.cpSync(out, partial, { recursive: true, verbatimSymlinks: true });
  try {
    fs.renameSync(partial, cached);
  } catch {
    fs.rmSync(partial, { recursive: true, force: true }); // another build stored the same tree first
  }
  // keep the few newest trees (about 25 MB each): enough for N and N+1 of the package tests
  const entries = fs
    .readdirSync(path.dirname(cached))
    .filter((name) => /^[0-9a-f]{32}$/.test(name))
    .map((name) => ({ name, at: fs.statSync(path.join(path.dirname(cached), name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const { name } of entries.slice(4))
    fs.rmSync(path.join(path.dirname(cached), name), { recursive: true, force: true });
}
console.log(`stage-server: staged ${out} (${copied.size} runtime packages)`);
