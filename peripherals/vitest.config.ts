import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'peripherals',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
