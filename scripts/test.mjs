#!/usr/bin/env node
// `npm test`: every check and test of the repository, in the order that fails fastest:
// lint, types and build side by side (the tests run the built server and renderer as real processes), then vitest,
// then Playwright.
// Ends with one summary line "N passed, N failed, N skipped" over all runners.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const outDir = path.join(root, 'test-results');
fs.mkdirSync(outDir, { recursive: true });
const args = new Set(process.argv.slice(2));

/** Runs one step with inherited output; returns its exit status. */
function step(name, command, commandArgs, env = {}, cwd = root) {
  console.log(`\n━━ ${name} ━━  ${command} ${commandArgs.join(' ')}`);
  const started = Date.now();
  const result = spawnSync(command, commandArgs, {
    cwd,
    stdio: 'inherit',
    env: { ...process.env, ...env },
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const status = result.status ?? 1;
  console.log(`━━ ${name}: ${status === 0 ? 'ok' : `FAILED (exit ${status})`} in ${seconds}s`);
  return status;
}

/**
 * Runs steps at the same time and resolves to their exit statuses. Their output is held back and printed whole
 * when each ends, so the log stays readable.
 */
function sideBySide(steps) {
  return Promise.all(
    steps.map(
      ({ name, command, args: commandArgs }) =>
        new Promise((resolve) => {
          const started = Date.now();
          const output = [];
          const child = spawn(command, commandArgs, {
            cwd: root,
            env: process.env,
            stdio: ['ignore', 'pipe', 'pipe'],
          });
          child.stdout.on('data', (chunk) => output.push(chunk));
          child.stderr.on('data', (chunk) => output.push(chunk));
          child.on('close', (code) => {
            const seconds = ((Date.now() - started) / 1000).toFixed(1);
            console.log(`\n━━ ${name} ━━  ${command} ${commandArgs.join(' ')}`);
            process.stdout.write(Buffer.concat(output));
            console.log(`━━ ${name}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds}s`);
            resolve(code ?? 1);
          });
        }),
    ),
  );
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSteps = [];

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

// Lint, types and the build are mostly single-threaded: on the 2-core CI machine they run side by side (about a
// minute saved). SvelteKit's generated files are written once first, so the build and svelte-check, which both
// run `svelte-kit sync`, find them current and do not rewrite them under each other.
if (step('prepare', 'npx', ['svelte-kit', 'sync'], {}, path.join(root, 'signage-server')) !== 0) {
  console.error('svelte-kit sync failed, stopping here.');
  process.exit(1);
}
const early = [
  ...(args.has('--no-check')
    ? []
    : [
        { name: 'lint', command: 'npm', args: ['run', 'lint'] },
        { name: 'types', command: 'npm', args: ['run', 'typecheck'] },
      ]),
  { name: 'build', command: 'npm', args: ['run', 'build'] },
];
const earlyStatus = await sideBySide(early);
for (const [index, status] of earlyStatus.entries()) if (status !== 0) failedSteps.push(early[index].name);
if (failedSteps.includes('build')) {
  console.error('Build failed: the tests need the built server and renderer, stopping here.');
  process.exit(1);
}

const vitestJson = path.join(outDir, 'vitest.json');
const playwrightJson = path.join(outDir, 'playwright.json');
fs.rmSync(vitestJson, { force: true });
fs.rmSync(playwrightJson, { force: true });
// One after the other: vitest with a worker per core (vitest.config.ts), then Playwright with two. (Run side by side, vitest
// limited to one worker took 17 minutes on its own, and the contention made browser tests time out.)
const vitestStatus = step('unit + integration (vitest)', 'npx', [
  'vitest',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${vitestJson}`,
]);
const playwrightStatus = step('browser (Playwright + Chromium)', 'npx', ['playwright', 'test'], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: playwrightJson,
});
if (vitestStatus !== 0) failedSteps.push('vitest');
if (playwrightStatus !== 0) failedSteps.push('playwright');

const vitest = readJson(vitestJson);
if (vitest) {
  totals.passed += vitest.numPassedTests ?? 0;
  totals.failed += vitest.numFailedTests ?? 0;
  totals.skipped += (vitest.numPendingTests ?? 0) + (vitest.numTodoTests ?? 0);
}
const playwright = readJson(playwrightJson);
if (playwright?.stats) {
  totals.passed += playwright.stats.expected ?? 0;
  totals.failed += playwright.stats.unexpected ?? 0;
  // A test that passed only on its retry is reported, not hidden.
  if (playwright.stats.flaky)
    console.log(`Playwright: ${playwright.stats.flaky} flaky test(s) passed on retry`);
  totals.passed += playwright.stats.flaky ?? 0;
  totals.skipped += playwright.stats.skipped ?? 0;
}

if (failedSteps.length > 0) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
if (failedSteps.length > 0 && totals.failed === 0) totals.failed = failedSteps.length;
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length > 0 ? 1 : 0);
