import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

export default defineConfig({
  plugins: [sveltekit()],
  // @linli/content ships TypeScript source: bundle it into the server build instead of leaving a bare import.
  ssr: { noExternal: ['@linli/content'] },
  server: { fs: { allow: ['..'] } },
});
