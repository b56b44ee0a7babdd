import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeSignageServer } from './host/testing/fake-signage-server';
import { publishFixtureContent } from './host/testing/fixture-content';
import { makeTempDir, waitFor } from './host/testing/temp-dir';

const kioskDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs the CLI as a real process; collects stdout lines and stderr, resolves on exit. */
function runCli(
  args: string[],
  onLine: (line: string, kill: (signal: NodeJS.Signals) => void) => void = () => {},
) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: kioskDir,
    env: { ...process.env, INIT_CWD: kioskDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    onLine(line, (signal) => child.kill(signal));
  });
  return new Promise<{ code: number | null; lines: string[]; stderr: string }>((resolve) =>
    child.on('exit', (code) => resolve({ code, lines, stderr })),
  );
}

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
beforeEach(async () => {
  server = await FakeSignageServer.start();
  temp = makeTempDir();
});
afterEach(async () => {
  await server.stop();
  temp.remove();
});

describe('kiosk CLI', () => {
  it('prints KIOSK_URL, stops cleanly on SIGTERM, and skips pairing when run again', async () => {
    publishFixtureContent(server);
    const common = ['--server', server.url, '--shell', 'none', '--data-dir', temp.dir];
    const stopOnUrl = (line: string, kill: (signal: NodeJS.Signals) => void) => {
      if (line.startsWith('KIOSK_URL=')) kill('SIGTERM');
    };
    const first = await runCli([...common, '--pairing-code', server.createPairingCode()], stopOnUrl);
    expect(first.code).toBe(0);
    expect(first.lines).toHaveLength(1);
    expect(first.lines[0]).toMatch(/^KIOSK_URL=http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{40,}$/);

    // Same data dir, no code: the stored enrolment is used; a second pairing would have been refused.
    const again = await runCli(common, stopOnUrl);
    expect(again.code).toBe(0);
    expect(server.seen.filter((r) => r.path === '/api/v1/device/enroll')).toHaveLength(1);
  });

  it('under its supervisor, comes back on the same URL after the host is killed', async () => {
    publishFixtureContent(server);
    const hostPids: number[] = [];
    let url = '';
    let stderr = '';
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli.ts',
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
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      for (const match of chunk.toString().matchAll(/\[supervisor\] host started \{"pid":(\d+)\}/g))
        hostPids.push(Number(match[1]));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('KIOSK_URL=')) url = line.slice('KIOSK_URL='.length);
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await waitFor(() => url, 'KIOSK_URL', 30_000);
      expect((await fetch(url)).status).toBe(200);
      process.kill(hostPids[0]!, 'SIGKILL');
      await waitFor(() => hostPids.length === 2, 'a restarted host', 30_000);
      // Same port, same token: a page that was open reconnects by itself.
      await waitFor(
        async () => (await fetch(url).catch(() => null))?.status === 200,
        'the URL answering again',
        30_000,
      );
      expect(stderr).toMatch(/the host ended unexpectedly; restarting it/);
    } catch (error) {
      throw new Error(`${String(error)}\n${stderr}`);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 60_000);

  it.each([
    ['no pairing code on a new kiosk', [], /not enrolled/],
    ['a refused pairing code', ['--pairing-code', 'ABCDEFGH'], /refused the pairing code/],
    ['a bad option', ['--shell', 'firefox'], /--shell/],
  ])('exits with 2 and says why for %s', async (_what, extra, message) => {
    const result = await runCli([
      '--server',
      server.url,
      '--shell',
      'none',
      '--data-dir',
      temp.dir,
      ...extra,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
