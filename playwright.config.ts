import { defineConfig } from '@playwright/test';

// Debian's Chromium, never a downloaded browser. Flags keep it from reaching for the (closed) network.
export const chromiumLaunch = {
  executablePath: process.env.LINLI_CHROMIUM ?? '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

export default defineConfig({
  // Specs live beside the code they test (<workspace>/e2e); e2e/ holds the system tests that cross workspaces.
  // `*.test.ts` files there are vitest's (process-level tests with no browser).
  testMatch: '**/*.spec.ts',
  projects: [
    { name: 'system', testDir: 'e2e' },
    { name: 'kiosk', testDir: 'kiosk/e2e' },
    { name: 'signage-server', testDir: 'signage-server/e2e' },
  ],
  // Every spec file starts its own real server and kiosk processes, and spends most of its time waiting on them
  // (syncs, polls, heartbeats): one worker used about 0.7 of a core. Two spec files at a time keep the 2 cores of
  // CI busy; the tests of one file still run in order.
  workers: 2,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  // One retry, traced; `npm test` prints how many passed only on their retry, so a flaky test is seen, not hidden.
  retries: 1,
  reporter: process.env.PLAYWRIGHT_JSON_OUTPUT_NAME ? [['list'], ['json']] : [['list']],
  use: {
    headless: true,
    launchOptions: chromiumLaunch,
    // Recording a trace costs about a fifth of the CPU of a run (screencast of a 1080×1920 page) even when it is
    // thrown away, and CI has 2 cores: trace the retry only. Locally, `--trace on` records one when needed.
    trace: 'on-first-retry',
    screenshot: 'only-on-failure',
  },
  outputDir: 'test-results/playwright',
});
