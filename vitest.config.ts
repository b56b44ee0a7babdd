import { defineConfig } from 'vitest/config';

// One vitest run over every workspace; each workspace has its own vitest.config.ts.
export default defineConfig({
  test: {
    // One worker per core, said explicitly: left to its default, this vitest ran one file at a time on the 2-core
    // CI machine (content + peripherals: 78 s either way, 47 s with 2 workers; the whole run 457 s → 220 s).
    maxWorkers: '100%',
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
