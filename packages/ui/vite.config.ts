import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

/**
 * The single-page app: `index.html` + `app/`, built into `dist/web/` (what `uiDistPath()` names and the API
 * server serves at `/`). The dev server proxies the API to a running `updraft api-server` on port 8080.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist/web',
    emptyOutDir: true,
    sourcemap: false,
    // The pages and libraries a first visit does not need (graph layout, charts, Markdown) are lazy chunks.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/auth': 'http://127.0.0.1:8080', '/ui': 'http://127.0.0.1:8080' },
  },
});
