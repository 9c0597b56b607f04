import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import solid from 'vite-plugin-solid';
import { VitePWA } from 'vite-plugin-pwa';

// A build id makes every build distinguishable (the update prompt relies on a changed service
// worker); PINAX_BUILD_ID pins it for reproducible builds.
const buildId = process.env['PINAX_BUILD_ID'] ?? new Date().toISOString();

export default defineConfig({
  define: { __PINAX_BUILD_ID__: JSON.stringify(buildId) },
  plugins: [
    requireAutomergeRepoPatch(),
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
    proxy: {
      '/sync': { target: 'ws://127.0.0.1:8080', ws: true },
      '/snapshot': { target: 'http://127.0.0.1:8080' },
      '/auth': { target: 'http://127.0.0.1:8080' },
    },
  },
});

/**
 * patches/@automerge+automerge-repo+2.5.6.patch (applied by patch-package on install; see
 * patches/README.md) makes the engine's loads and saves much cheaper. Without it the app still
 * works, only slower, so building without it would go unnoticed: refuse instead.
 */
function requireAutomergeRepoPatch(): Plugin {
  return {
    name: 'pinax:require-automerge-repo-patch',
    buildStart() {
      const file = fileURLToPath(
        new URL('./node_modules/@automerge/automerge-repo/dist/storage/StorageSubsystem.js', import.meta.url),
      );
      if (!readFileSync(file, 'utf8').includes('deferCompaction'))
        this.error('automerge-repo is not patched: run `npm install` (its postinstall runs patch-package)');
    },
  };
}
