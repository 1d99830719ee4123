import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const web = fileURLToPath(new URL('.', import.meta.url));

/** The console and the citizen page, built into dist/web and served by the gateway (src/pages.ts). */
export default defineConfig({
  root: web,
  base: '/pages/',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Every module is inlined into hashed files; nothing is fetched from another origin.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rollupOptions: {
      input: {
        console: fileURLToPath(new URL('console/index.html', import.meta.url)),
        'my-data': fileURLToPath(new URL('my-data/index.html', import.meta.url)),
      },
    },
  },
});
