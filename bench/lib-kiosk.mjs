// Shared pieces of the kiosk benchmarks: the protocol test double with the demo pack, an enrolled kiosk, and
// Debian's Chromium driven by Playwright (never a downloaded browser).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { repoRoot, startKiosk, stopProcess } from '../scripts/lib/processes.mjs';

const tsx = path.join(repoRoot, 'node_modules/.bin/tsx');

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Starts the fake signage server (kiosk/src/host/testing) with the demo pack; resolves with its URL and a code. */
export async function startFakeServer() {
  const child = spawn(tsx, [path.join(repoRoot, 'kiosk/src/host/testing/fake-signage-server.cli.ts')], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const values = {};
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`fake server exited ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [key, value] = line.split('=');
      values[key] = value;
      if (values.SERVER_URL && values.PAIRING_CODE) resolve();
    });
  });
  child.removeAllListeners('exit');
  return { url: values.SERVER_URL, pairingCode: values.PAIRING_CODE, stop: () => stopProcess(child) };
}

/** A fresh temp folder. */
export function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `linli-bench-${name}-`));
}

/** Starts an enrolled kiosk host (shell none) with the demo content and waits until it serves it. */
export async function startKioskWithContent(server, dataDir, extraArgs = []) {
  const kiosk = await startKiosk({
    serverUrl: server.url,
    pairingCode: server.pairingCode,
    dataDir,
    extraArgs,
  });
  await kiosk.output.waitFor(/switched to a new manifest|kiosk host listening.*"enrolled":true/, 60_000);
  return kiosk;
}

/** Debian's Chromium through Playwright. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.LINLI_CHROMIUM ?? '/usr/bin/chromium',
    args: chromiumArgs,
  });
}

/** The p-th percentile (0..100) of numbers, nearest rank. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const round = (value, digits = 1) => Number(value.toFixed(digits));
