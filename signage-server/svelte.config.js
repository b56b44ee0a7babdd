import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
const config = {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build', precompress: false }),
    // Strict CSP for every page; SvelteKit adds hashes/nonces for its own inline bootstrap script.
    csp: {
      mode: 'auto',
      directives: {
        'default-src': ['self'],
        'script-src': ['self'],
        'style-src': ['self', 'unsafe-inline'],
        'img-src': ['self', 'data:', 'blob:'],
        // Station mode: the console connects to the station PC's own kiosk host for its card and ID readers
        // (loopback only; the host admits this origin with the token it handed over, see docs/station-mode.md).
        'connect-src': ['self', 'ws://127.0.0.1:*', 'ws://localhost:*'],
        'frame-ancestors': ['none'],
        'form-action': ['self'],
        'base-uri': ['none'],
        'object-src': ['none'],
      },
    },
    // SvelteKit's default origin check protects form posts against CSRF; hooks.server.ts extends it to every
    // state-changing request outside the device API.
  },
};

export default config;
