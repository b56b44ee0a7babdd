import { defineConfig } from 'vitest/config';

// One vitest run over every workspace; each workspace has its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: [
      'content/vitest.config.ts',
      'peripherals/vitest.config.ts',
      'signage-server/vitest.config.ts',
      'kiosk/vitest.config.ts',
      'packaging/vitest.config.ts',
      {
        test: {
          name: 'repo',
          include: ['scripts/**/*.test.ts', 'e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
        },
      },
    ],
  },
});
