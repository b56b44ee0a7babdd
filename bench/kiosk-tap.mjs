// Benchmark `kiosk-tap`: tap → next frame, p95 over 500 taps on the kiosk (tile → list, Back → home: every tap
// navigates), beside the same measurement on a blank page with one button in the same run (issue 5, "Done when"
// 6: target p95 <= 50 ms). Latency = the first animation frame after the tap's click handler ran, measured from
// the touch's own event timestamp, in the page (Chromium headless, touch emulation, portrait 1080×1920).
import { report } from './lib.mjs';
import {
  launchBrowser,
  percentile,
  round,
  startFakeServer,
  startKioskWithContent,
  tempDir,
} from './lib-kiosk.mjs';
import fs from 'node:fs';

const TAPS = Number(process.env.BENCH_TAPS ?? 500);

/** Installs the probe: pointerdown time → first frame after the click that followed it. */
function installProbe() {
  window.__tapLatencies = [];
  let downAt = 0;
  addEventListener('pointerdown', (event) => (downAt = event.timeStamp), { capture: true });
  // Bubble phase on window: runs after the app's own click handler has changed the state.
  addEventListener('click', () => {
    const from = downAt;
    requestAnimationFrame((frame) => window.__tapLatencies.push(frame - from));
  });
}

const waitForSample = (page, count) =>
  page.evaluate(
    (n) =>
      new Promise((resolve) => {
        const check = () => (window.__tapLatencies.length >= n ? resolve() : requestAnimationFrame(check));
        check();
      }),
    count,
  );

async function measure(page, targets) {
  await page.evaluate(installProbe);
  for (let i = 0; i < TAPS; i++) {
    const target = targets[i % targets.length];
    await page.touchscreen.tap(target.x, target.y);
    await waitForSample(page, i + 1);
  }
  return page.evaluate(() => window.__tapLatencies);
}

const centre = async (locator) => {
  const box = await locator.boundingBox();
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
};

const work = tempDir('tap');
const server = await startFakeServer();
const kiosk = await startKioskWithContent(server, work, ['--idle-timeout', '3600']);
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ viewport: { width: 1080, height: 1920 }, hasTouch: true });

  // Baseline: a blank page whose one button toggles a class (the least a tap can do).
  const blank = await context.newPage();
  await blank.setContent(
    '<button id="b" style="width:300px;height:120px">tap</button><script>b.onclick=()=>b.classList.toggle("on")</script>',
  );
  const baselineLatencies = await measure(blank, [await centre(blank.locator('#b'))]);

  // The kiosk: alternately a home tile (→ category list) and Back (→ home), each a real navigation.
  const page = await context.newPage();
  await page.goto(kiosk.url);
  await page.getByTestId('tile-government').waitFor();
  const tile = await centre(page.getByTestId('tile-government'));
  const back = await centre(page.getByTestId('nav-back'));
  const latencies = await measure(page, [tile, back]);

  const p95 = percentile(latencies, 95);
  const baseline = percentile(baselineLatencies, 95);
  console.log(`${TAPS} taps each; tap → next frame (ms)`);
  console.log(
    `kiosk: p50 ${round(percentile(latencies, 50))}  p95 ${round(p95)}  max ${round(Math.max(...latencies))}`,
  );
  console.log(
    `blank: p50 ${round(percentile(baselineLatencies, 50))}  p95 ${round(baseline)}  max ${round(Math.max(...baselineLatencies))}`,
  );
  report({
    bench: 'kiosk-tap',
    value: round(p95),
    unit: 'ms',
    baseline: round(baseline),
    ratio: round(p95 / baseline, 2),
    target: 'p95<=50ms',
    pass: p95 <= 50,
    p50_ms: round(percentile(latencies, 50)),
    taps: TAPS,
  });
} finally {
  await browser.close();
  await kiosk.stop();
  await server.stop();
  fs.rmSync(work, { recursive: true, force: true });
}
