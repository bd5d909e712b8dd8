// The dashboard's build: React + vega-embed bundled into web/dist with relative asset paths, so
// the server can serve it from any mount point. Build with `node scripts/build-web.mjs`.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// the folder of this file (web/), whatever the working directory of the build
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root,
  base: './',
  plugins: [react()],
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // vega + vega-lite are large by nature; one chunk is fine for a local dashboard
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
});
