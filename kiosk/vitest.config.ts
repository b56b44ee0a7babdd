import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's state classes (`*.svelte.ts`, runes) are compiled as the renderer build does, so their logic is
  // tested here without a browser; components are tested by Playwright.
  plugins: [svelte({ configFile: false })],
  test: {
    name: 'kiosk',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
  },
});
