import { defineConfig, type Plugin } from 'vite';
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
    plugins: () => [automergeRepoLoadFixes()],
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
    },
  },
});

/**
 * Two build-time edits to automerge-repo 2.5.6's engine code, each worth hundreds of milliseconds on
 * a 10k-item collection (a fresh device's first load and every cold open). The build fails loudly
 * if the code they edit ever changes upstream.
 * - StorageSubsystem loads a stored document with `loadIncremental(init(), bytes)`, which builds the
 *   JS document by applying a patch per value: ~3x slower than `load(bytes)` (Node: 0.9 s against
 *   0.32 s). The two accept the same input (a snapshot plus incremental chunks, in any order) and
 *   give the same document.
 * - DocHandle computes `diff(doc, [], heads)` for the "change" event when a document first appears
 *   (loaded or received): every value of the document decoded again into patches (~0.5 s) that no
 *   one is listening for yet. It now emits that first "change" with no patches; our listeners
 *   treat an empty patch list as "re-read everything".
 */
function automergeRepoLoadFixes(): Plugin {
  const edits: Array<{ file: RegExp; from: string; to: string }> = [
    {
      file: /storage[\\/]StorageSubsystem\.js$/,
      from: 'A.loadIncremental(A.init(), binary)',
      to: 'A.load(binary)',
    },
    {
      file: /[\\/]DocHandle\.js$/,
      from: 'const patches = A.diff(after, beforeHeads, afterHeads);\n            if (patches.length > 0) {',
      to: 'const patches = beforeHeads.length === 0 ? [] : A.diff(after, beforeHeads, afterHeads);\n            if (patches.length > 0 || beforeHeads.length === 0) {',
    },
  ];
  return {
    name: 'pinax:automerge-repo-load-fixes',
    transform(code, id) {
      if (!/@automerge[\\/]automerge-repo[\\/]dist[\\/]/.test(id)) return null;
      const edit = edits.find((e) => e.file.test(id));
      if (!edit) return null;
      if (!code.includes(edit.from))
        this.error(`automerge-repo changed (${id}): revisit automergeRepoLoadFixes in vite.config.ts`);
      return { code: code.replace(edit.from, edit.to), map: null };
    },
  };
}
