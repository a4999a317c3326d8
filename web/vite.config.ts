// The workbench: Vite root is web/, the build goes into the Python package, which serves it at /.
import { fileURLToPath, URL } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vitest/config'

const root = fileURLToPath(new URL('.', import.meta.url))
const outDir = fileURLToPath(
  new URL('../src/hotline/entrypoints/web/static/workbench', import.meta.url),
)
const api = process.env.HOTLINE_API ?? 'http://127.0.0.1:8000'

export default defineConfig({
  root,
  base: '/',
  plugins: [vue()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  build: {
    outDir,
    emptyOutDir: true,
    assetsDir: 'assets',
    // The intranet's browsers are current Chromium/Firefox; no legacy bundle.
    target: 'es2022',
    chunkSizeWarningLimit: 700,
    rollupOptions: {
      output: {
        // Element Plus and Vue change less often than our pages: their own long-cached chunk.
        manualChunks(id: string): string | undefined {
          if (id.includes('node_modules/element-plus') || id.includes('node_modules/@element-plus')) {
            return 'element-plus'
          }
          // ECharts (and its renderer) only for the cockpit: a chunk of its own, loaded by the
          // cockpit's pages, never by the login or intake pages that load `vendor`.
          if (id.includes('node_modules/echarts/') || id.includes('node_modules/zrender/')) return 'echarts'
          if (id.includes('node_modules/')) return 'vendor'
          return undefined
        },
      },
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: { '/api': { target: api, changeOrigin: false } },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
