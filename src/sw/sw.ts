// The service worker: precaches the app shell, the engine bundle and the Automerge wasm so the app
// starts with no network, and serves navigations from the cached shell. It holds no app state.
// Updates wait for the user: the page sends SKIP_WAITING only after "Reload" is pressed.

import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';

declare const self: ServiceWorkerGlobalScope & {
  __WB_MANIFEST: Array<{ url: string; revision: string | null }>;
};

precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();

// Every navigation gets the app shell; the hash carries the route. The relay's own endpoints are
// not app pages.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/index.html'), {
    denylist: [/^\/sync/, /^\/healthz/, /^\/metrics/],
  }),
);

self.addEventListener('message', (event: ExtendableMessageEvent) => {
  if ((event.data as { type?: unknown } | null)?.type === 'SKIP_WAITING') void self.skipWaiting();
});
