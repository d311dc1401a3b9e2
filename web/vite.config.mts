/// <reference types="vitest/config" />
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The dashboard is a static build (web/dist) that the scheduler serves under `/` with the API on the same
// origin. `vite dev` proxies /api to a running scheduler (FLOWCTL_SERVER, default http://127.0.0.1:8080).
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  // Vite 8 transforms TSX with Oxc: the automatic JSX runtime needs no plugin (no fast refresh, which the
  // scheduler-served build does not use anyway).
  oxc: { jsx: { runtime: 'automatic' } },
  // The REST contract (schemas, types, the typed client) is a library of this repository, bundled from source.
  resolve: { alias: { '@flowctl/api-contract': fileURLToPath(new URL('../libs/api-contract/src/index.ts', import.meta.url)) } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      // React libraries mark themselves "use client" for server components; meaningless in a client bundle.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      output: {
        // The graph library is the largest part and changes least: its own chunk stays cached across releases.
        codeSplitting: { groups: [{ name: 'graph', test: /node_modules[\\/](@xyflow|@dagrejs|d3-)/ }] },
      },
    },
  },
  server: {
    proxy: { '/api': { target: process.env.FLOWCTL_SERVER ?? 'http://127.0.0.1:8080', changeOrigin: true } },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['src/test-setup.ts'],
    pool: 'threads',
    maxWorkers: 2,
  },
});
