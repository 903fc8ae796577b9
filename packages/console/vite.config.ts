import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The connector serves dist/ at `/`; hashed files under /assets/ are cached for good.
export default defineConfig({
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
