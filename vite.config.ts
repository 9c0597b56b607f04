import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';
import { VitePWA } from 'vite-plugin-pwa';

// A build id makes every build distinguishable (the update prompt relies on a changed service
// worker); PINAX_BUILD_ID pins it for reproducible builds.
const buildId = process.env['PINAX_BUILD_ID'] ?? new Date().toISOString();

export default defineConfig({
  define: { __PINAX_BUILD_ID__: JSON.stringify(buildId) },
  plugins: [
    solid(),
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src/sw',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      manifest: {
        name: 'Pinax',
        short_name: 'Pinax',
        description: 'Local-first collections of notes, links and records. Works offline.',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#f7f6f3',
        theme_color: '#f7f6f3',
        icons: [
          { src: '/icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: '/icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: '/icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      injectManifest: {
        // The Automerge wasm is 3.6 MB: without a higher limit and the wasm glob it is silently not
        // precached and the app cannot start offline.
        globPatterns: ['**/*.{js,css,html,wasm,png,svg,webmanifest}'],
        maximumFileSizeToCacheInBytes: 10 * 1024 * 1024,
      },
    }),
  ],
  worker: {
    format: 'es',
    plugins: () => [],
  },
  optimizeDeps: {
    include: [
      '@automerge/automerge-repo/slim',
      '@automerge/automerge-repo-network-broadcastchannel',
      'dexie',
    ],
    exclude: ['@automerge/automerge'],
  },
  build: {
    target: 'es2022',
    sourcemap: true,
  },
  server: {
    proxy: { '/sync': { target: 'ws://127.0.0.1:8080', ws: true } },
  },
});
