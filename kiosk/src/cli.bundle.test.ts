import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSignageServer } from './host/testing/fake-signage-server';
import { publishFixtureContent } from './host/testing/fixture-content';
import { makeTempDir } from './host/testing/temp-dir';

// The bundle is what runs everywhere but in development (`npm run kiosk`, npm start, packaging, benchmarks): built
// by scripts/build-host.mjs into a folder of its own here, started with plain node, no tsx anywhere.

const kioskDir = fileURLToPath(new URL('..', import.meta.url));
const outdir = `build/host-test-${process.pid}`;

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  const built = spawnSync(process.execPath, ['scripts/build-host.mjs', '--outdir', outdir], {
    cwd: kioskDir,
    encoding: 'utf8',
  });
  expect(built.status, built.stderr).toBe(0);
  server = await FakeSignageServer.start();
  temp = makeTempDir();
}, 60_000);
afterAll(async () => {
  await server?.stop();
  temp?.remove();
  rmSync(`${kioskDir}${outdir}`, { recursive: true, force: true });
});

describe('the bundled kiosk CLI', () => {
  it('runs supervisor and host with plain node: serves the page, and stops cleanly on SIGTERM', async () => {
    publishFixtureContent(server);
    const child = spawn(
      process.execPath,
      [
        `${outdir}/cli.js`,
        '--server',
        server.url,
        '--shell',
        'none',
        '--data-dir',
        temp.dir,
        '--pairing-code',
        server.createPairingCode(),
      ],
      { cwd: kioskDir, env: { ...process.env, INIT_CWD: kioskDir }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      void exited.then((code) => reject(new Error(`exited ${code} before KIOSK_URL:\n${stderr}`)));
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line.startsWith('KIOSK_URL=')) resolve(line.slice('KIOSK_URL='.length));
      });
    });

    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
    // The host is a child of the supervisor, forked from the same bundle, and neither runs a TypeScript loader.
    const hostPid = Number(/host started \{"pid":(\d+)\}/.exec(stderr)?.[1]);
    for (const pid of [child.pid, hostPid]) {
      const commandLine = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      expect(commandLine.some((argument) => argument.endsWith(`${outdir}/cli.js`))).toBe(true);
      expect(commandLine.join(' ')).not.toMatch(/tsx/);
    }

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 90_000);

  it('still stops on SIGTERM after whoever read its output has gone, and restarts a host meanwhile', async () => {
    // A journal or terminal that goes away closes the supervisor's stderr; its next log line then meets EPIPE.
    // That once became a logging loop which kept the supervisor busy and deaf to SIGTERM.
    const dataDir = makeTempDir();
    try {
      const child = spawn(
        process.execPath,
        [
          `${outdir}/cli.js`,
          ...['--server', server.url, '--shell', 'none', '--data-dir', dataDir.dir],
          ...['--pairing-code', server.createPairingCode()],
        ],
        { cwd: kioskDir, env: { ...process.env, INIT_CWD: kioskDir }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      await new Promise<void>((resolve, reject) => {
        void exited.then((code) => reject(new Error(`exited ${code} before KIOSK_URL:\n${stderr}`)));
        createInterface({ input: child.stdout }).on('line', (line) => {
          if (line.startsWith('KIOSK_URL=')) resolve();
        });
      });
      const hostPid = Number(/host started \{"pid":(\d+)\}/.exec(stderr)?.[1]);
      const children = () =>
        readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      expect(children()).toContain(hostPid);

      // nobody reads its output any more; then its host dies, which it logs (into the closed pipe) and restarts
      child.stdout.destroy();
      child.stderr.destroy();
      process.kill(hostPid, 'SIGKILL');
      await expect
        .poll(() => children().filter((pid) => pid !== hostPid).length, { timeout: 20_000, interval: 100 })
        .toBe(1);

      child.kill('SIGTERM');
      const code = await Promise.race([
        exited,
        new Promise<string>((r) => setTimeout(() => r('still running'), 15_000)),
      ]);
      if (code === 'still running') {
        // leave nothing behind for the next test: the supervisor's hosts, then the supervisor itself
        for (const pid of children()) process.kill(pid, 'SIGKILL');
        child.kill('SIGKILL');
      }
      expect(code).toBe(0);
    } finally {
      dataDir.remove();
    }
  }, 90_000);
});
