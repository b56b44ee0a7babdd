import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { FakeSignageServer } from '../src/host/testing/fake-signage-server';
import { publishFixtureContent } from '../src/host/testing/fixture-content';
import { makeTempDir } from '../src/host/testing/temp-dir';
import { startKioskProcess, type KioskProcess } from './kiosk-process';

// Issue 5, "Done when" 3 (second half): killing the renderer (Chromium's renderer process, or the whole browser)
// or the host brings the kiosk back to content within 10 s, with nobody touching it. The kiosk runs as in
// production — supervisor, host, and Debian's Chromium in kiosk mode (headless here) under the watchdog — and the
// test looks at the real window through Chromium's DevTools port, which only tests open.

test.describe.configure({ mode: 'serial' });
const BACK_WITHIN_MS = 10_000;

let server: FakeSignageServer;
let temp: ReturnType<typeof makeTempDir>;
let kiosk: KioskProcess;
let debugPort = 0;

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** Processes on this machine whose command line matches, with their parent pids (from /proc). */
function processes(): { pid: number; ppid: number; cmdline: string }[] {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      found.push({ pid: Number(entry), ppid, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** Pids of the current kiosk window (browser) and of the host, from the supervisor's log. */
const lastPid = (pattern: RegExp) => Number([...kiosk.log().matchAll(pattern)].at(-1)?.[1] ?? 0);
const windowPid = () => lastPid(/window started \{"pid":(\d+)\}/g);
const hostPid = () => lastPid(/host started \{"pid":(\d+)\}/g);

/** The renderer processes of a browser: its descendants started with --type=renderer. */
function rendererPids(browserPid: number): number[] {
  const all = processes();
  const descends = (pid: number): boolean => {
    for (let p = all.find((x) => x.pid === pid); p; p = all.find((x) => x.pid === p!.ppid)) {
      if (p.ppid === browserPid) return true;
      if (p.ppid <= 1) return false;
    }
    return false;
  };
  return all.filter((p) => p.cmdline.includes('--type=renderer') && descends(p.pid)).map((p) => p.pid);
}

/** Connects to the kiosk window over DevTools (retrying while a new browser starts) and finds the kiosk page. */
async function kioskPage(deadline: number): Promise<{ browser: Browser; page: Page }> {
  for (;;) {
    try {
      const browser = await chromium.connectOverCDP(`http://127.0.0.1:${debugPort}`, { timeout: 2_000 });
      const page = browser
        .contexts()
        .flatMap((context) => context.pages())
        .find((p) => p.url().startsWith('http://127.0.0.1'));
      if (page) return { browser, page };
      await browser.close();
    } catch {
      // the browser is (re)starting
    }
    if (Date.now() > deadline)
      throw new Error(`the kiosk window did not come back:\n${kiosk.log().slice(-3000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Waits until the kiosk window shows content (the home tiles with their item counts), and says how long it took. */
async function contentShownWithin(since: number): Promise<number> {
  const deadline = since + BACK_WITHIN_MS + 5_000;
  for (;;) {
    const { browser, page } = await kioskPage(deadline);
    try {
      await expect(page.getByTestId('tile-government')).toContainText(/1 条/, { timeout: 1_000 });
      await expect(page.getByTestId('status')).not.toHaveAttribute('data-state', 'idle', { timeout: 1_000 });
      return Date.now() - since;
    } catch {
      if (Date.now() > deadline)
        throw new Error(`no content on screen after ${Date.now() - since} ms:\n${kiosk.log().slice(-3000)}`);
    } finally {
      await browser.close().catch(() => undefined);
    }
  }
}

test.beforeAll(async () => {
  server = await FakeSignageServer.start();
  publishFixtureContent(server);
  temp = makeTempDir('linli-kiosk-watchdog-');
  debugPort = await freePort();
  kiosk = await startKioskProcess(
    ['--server', server.url, '--pairing-code', server.createPairingCode(), '--data-dir', temp.dir],
    {
      shell: 'chromium',
      env: { LINLI_CHROMIUM_FLAGS: `--headless --disable-gpu --remote-debugging-port=${debugPort}` },
    },
  );
  await contentShownWithin(Date.now());
});

test.afterAll(async () => {
  await kiosk?.stop();
  await server?.stop();
  temp?.remove();
});

test('a killed renderer process: the watchdog notices the silence and brings the window back', async () => {
  const browserPid = windowPid();
  // The watchdog has heard from this window's page (it judges silence only after a first heartbeat).
  await expect.poll(() => kiosk.log().includes(`the page is up {"pid":${browserPid},`)).toBe(true);
  const renderers = rendererPids(browserPid);
  expect(renderers.length).toBeGreaterThan(0);
  const killedAt = Date.now();
  for (const pid of renderers) process.kill(pid, 'SIGKILL');

  expect(await contentShownWithin(killedAt)).toBeLessThan(BACK_WITHIN_MS);
  expect(kiosk.log()).toMatch(/the page stopped answering; restarting the window/);
});

test('a killed browser: started again at once', async () => {
  const before = windowPid();
  const killedAt = Date.now();
  process.kill(before, 'SIGKILL');
  expect(await contentShownWithin(killedAt)).toBeLessThan(BACK_WITHIN_MS);
  expect(windowPid()).not.toBe(before);
});

test('a killed host: the supervisor restarts it and the page reconnects on the same address', async () => {
  const before = hostPid();
  const window = windowPid();
  const killedAt = Date.now();
  process.kill(before, 'SIGKILL');
  await expect.poll(hostPid, { timeout: BACK_WITHIN_MS }).not.toBe(before);
  expect(await contentShownWithin(killedAt)).toBeLessThan(BACK_WITHIN_MS);
  // The window was never restarted: it kept its content and reconnected.
  expect(windowPid()).toBe(window);
});
