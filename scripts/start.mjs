#!/usr/bin/env node
// `npm start`: the demo in one command. Builds, starts the server on an embedded SQLite with the seeded demo
// community, enrols one kiosk to it and opens it (Chromium when there is a display, else prints its URL).
// Data lives in ./data/demo (server) and ./data/kiosk; delete them to start over.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createPairingCode, repoRoot, startKiosk, startServer } from './lib/processes.mjs';

const serverData = path.join(repoRoot, 'data/demo');
const kioskData = path.join(repoRoot, 'data/kiosk');
const port = Number(process.env.LINLI_PORT ?? 8080);
const passwordFile = path.join(serverData, 'demo-admin-password.txt');

console.log('Building Linli (server, kiosk renderer and kiosk host bundle)…');
const build = spawnSync('npm', ['run', 'build', '--silent'], {
  cwd: repoRoot,
  stdio: ['ignore', 'ignore', 'inherit'],
});
if (build.status !== 0) process.exit(build.status ?? 1);

const server = await startServer({
  dataDir: serverData,
  port,
  env: {
    LINLI_HOST: process.env.LINLI_HOST ?? '0.0.0.0',
    // the demo's online top-up goes through the simulated provider, whose checkout page the kiosk's QR code opens
    // (set LINLI_PUBLIC_URL to this machine's LAN address for a phone to reach it)
    LINLI_ONLINE_TOPUP: process.env.LINLI_ONLINE_TOPUP ?? 'sim',
  },
});
// The server prints a generated admin password once, at first start; the demo keeps it beside its data so
// `npm start` can show it again. (Production installs set LINLI_ADMIN_PASSWORD or use `linli create-admin`.)
if (server.adminPassword && !process.env.LINLI_ADMIN_PASSWORD) {
  fs.writeFileSync(passwordFile, `${server.adminPassword}\n`, { mode: 0o600 });
}
const adminPassword =
  process.env.LINLI_ADMIN_PASSWORD ??
  (fs.existsSync(passwordFile) ? fs.readFileSync(passwordFile, 'utf8').trim() : '(set at first start)');

const enrolled = fs.existsSync(path.join(kioskData, 'cache.db'));
const hasDisplay = Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY);
const kiosk = await startKiosk({
  serverUrl: `http://127.0.0.1:${port}`,
  pairingCode: enrolled ? undefined : createPairingCode(serverData),
  dataDir: kioskData,
  shell: process.env.LINLI_KIOSK_SHELL ?? (hasDisplay ? 'chromium' : 'none'),
});

console.log(`
  Linli is running.

  CMS        http://localhost:${port}/cms
  Admin      user: admin   password: ${adminPassword}
  Kiosk      ${kiosk.url}${hasDisplay ? '   (opened in Chromium)' : ''}

  Press Ctrl+C to stop.`);

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await kiosk.stop();
  await server.stop();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
server.child.on('exit', (code) => {
  if (!stopping) {
    console.error(`server exited (${code})`);
    void stop();
  }
});
