// Benchmark `kiosk-heap`: the renderer's JS heap after 5 000 navigations against after 100 (issue 5, "Done when"
// 6: growth <= 10 %). Navigations run in the page (tile → list → notice → Back → Back → Search → Home …) as clicks
// on the real controls; the heap is measured with DevTools after forced garbage collections.
import fs from 'node:fs';
import { report } from './lib.mjs';
import { launchBrowser, round, startFakeServer, startKioskWithContent, tempDir } from './lib-kiosk.mjs';

const TOTAL = Number(process.env.BENCH_NAVIGATIONS ?? 5000);
const WARM = 100;

/** Runs `count` navigations in the page, cycling through every main screen. */
function navigate(page, count) {
  return page.evaluate(async (n) => {
    const steps = [
      '[data-testid^="tile-"]:nth-of-type(1)',
      '[data-testid^="item-"]',
      '[data-testid="nav-back"]',
      '[data-testid="nav-back"]',
      '[data-testid="nav-search"]',
      '[data-testid="nav-home"]',
      '[data-testid="tile-legal"]',
      '[data-testid="nav-home"]',
    ];
    const frame = () => new Promise((resolve) => requestAnimationFrame(() => resolve()));
    for (let i = 0; i < n; i++) {
      const target = document.querySelector(steps[i % steps.length]);
      if (!target) throw new Error(`navigation ${i}: nothing matches ${steps[i % steps.length]}`);
      target.click();
      await frame();
    }
  }, count);
}

async function heapBytes(cdp) {
  for (let i = 0; i < 3; i++) await cdp.send('HeapProfiler.collectGarbage');
  return (await cdp.send('Runtime.getHeapUsage')).usedSize;
}

const work = tempDir('heap');
const server = await startFakeServer();
const kiosk = await startKioskWithContent(server, work, ['--idle-timeout', '86400']);
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1080, height: 1920 }, hasTouch: true });
  const page = await context.newPage();
  await page.goto(kiosk.url);
  await page.getByTestId('tile-government').waitFor();
  const cdp = await context.newCDPSession(page);
  await navigate(page, WARM);
  const afterWarm = await heapBytes(cdp);
  const started = performance.now();
  await navigate(page, TOTAL - WARM);
  const seconds = (performance.now() - started) / 1000;
  const afterAll = await heapBytes(cdp);
  const ratio = afterAll / afterWarm;
  const mb = (bytes) => round(bytes / 1024 / 1024, 2);
  console.log(`heap after ${WARM} navigations: ${mb(afterWarm)} MB; after ${TOTAL}: ${mb(afterAll)} MB`);
  console.log(`${TOTAL - WARM} navigations in ${round(seconds)} s`);
  report({
    bench: 'kiosk-heap',
    value: mb(afterAll),
    unit: 'MB',
    baseline: mb(afterWarm),
    ratio: round(ratio, 3),
    target: 'growth<=10%',
    pass: ratio <= 1.1,
    navigations: TOTAL,
  });
} finally {
  await browser.close();
  await kiosk.stop();
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
