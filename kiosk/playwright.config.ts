import { defineConfig } from '@playwright/test';

// Runs the kiosk's own specs alone: `npx playwright test -c kiosk/playwright.config.ts` (after
// `npm run build -w @linli/kiosk`). The repository's playwright.config.ts runs the same folder as project `kiosk`.
export default defineConfig({
  testDir: './e2e',
  workers: 1,
  fullyParallel: false,
  timeout: 90_000,
  expect: { timeout: 10_000 },
  reporter: [['list']],
  use: {
    headless: true,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
  outputDir: '../test-results/kiosk-playwright',
});
