import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** Builds the kiosk renderer (Svelte 5 SPA) into build/renderer, served by the host on loopback. */
export default defineConfig({
  root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
  // Relative URLs: the host serves the page at /, Electron loads the same URL; nothing depends on a base path.
  base: './',
  plugins: [svelte({ configFile: false })],
  build: {
    outDir: fileURLToPath(new URL('./build/renderer', import.meta.url)),
    emptyOutDir: true,
    // `/assets/<sha256>` is the host's asset cache; the bundle gets its own folder so the two never collide.
    assetsDir: 'app',
    // Inline data: URLs would need a looser CSP for fonts/scripts; emit files instead.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
  },
});
