#!/usr/bin/env node
// `npm run bench -- <name>`: runs bench/<name>.mjs (or .ts through tsx). Each benchmark measures its own baseline
// in the same run and prints one JSON object as its last line of output.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const [name, ...rest] = process.argv.slice(2);
const available = fs
  .readdirSync(dir)
  .filter(
    (f) =>
      /\.(mjs|ts)$/.test(f) && !['run.mjs'].includes(f) && !f.startsWith('lib') && !f.endsWith('.test.ts'),
  )
  .map((f) => f.replace(/\.(mjs|ts)$/, ''));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\navailable: ${available.sort().join(', ')}`);
  process.exit(2);
}
const file = ['mjs', 'ts'].map((ext) => path.join(dir, `${name}.${ext}`)).find((f) => fs.existsSync(f));
const command = file.endsWith('.ts') ? path.join(dir, '../node_modules/.bin/tsx') : process.execPath;
const result = spawnSync(command, [file, ...rest], { stdio: 'inherit' });
process.exit(result.status ?? 1);
