import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const path = (relative: string) => fileURLToPath(new URL(relative, import.meta.url));
const nodeBuiltins = [...builtinModules, ...builtinModules.map((name) => `node:${name}`)];

/**
 * Bundles the Electron shell: `--mode main` → build/main/main.js (ESM, Node side, npm dependencies stay external
 * and load from node_modules), `--mode preload` → build/preload/preload.cjs (CommonJS, everything inlined except
 * electron, because a sandboxed preload can require nothing else).
 */
export default defineConfig(({ mode }) =>
  mode === 'preload'
    ? {
        build: {
          outDir: path('./build/preload'),
          emptyOutDir: true,
          target: 'node20',
          minify: false,
          lib: { entry: path('./src/preload/preload.ts'), formats: ['cjs'], fileName: () => 'preload.cjs' },
          rollupOptions: { external: ['electron'] },
        },
      }
    : {
        build: {
          outDir: path('./build/main'),
          emptyOutDir: true,
          target: 'node20',
          minify: false,
          ssr: path('./src/main/main.ts'),
          rollupOptions: {
            external: ['electron', ...nodeBuiltins],
            output: { format: 'es', entryFileNames: 'main.js' },
          },
        },
        // Workspace packages export TypeScript source: inline them; everything else loads from node_modules.
        ssr: { noExternal: ['@linli/content', '@linli/peripherals'] },
      },
);
