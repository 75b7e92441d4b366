// Vite build of the Ariadne UI. `npm run dev` proxies the query API to a local `ariadne serve`
// (ARIADNE_QUERY, default http://127.0.0.1:16686). vitest runs the unit tests under src/.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: { sourcemap: false, chunkSizeWarningLimit: 600, assetsInlineLimit: 0 },
  server: {
    proxy: { '/api': process.env.ARIADNE_QUERY ?? 'http://127.0.0.1:16686' },
  },
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
