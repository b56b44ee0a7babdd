import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'packaging',
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // the package builds run vite and dpkg-deb: minutes, not seconds
    testTimeout: 600_000,
    hookTimeout: 900_000,
  },
});
