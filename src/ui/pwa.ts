// Service worker registration and the update/install flow. Updates never reload silently: a
// waiting worker shows "Update available" and takes over only when the user presses Reload.

import { createSignal } from 'solid-js';
import { Workbox } from 'workbox-window';
import { makeLogger } from '../shared/log.ts';

interface InstallPromptEvent extends Event {
  prompt(): Promise<void>;
  userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

const [updateReady, setUpdateReady] = createSignal(false);
const [installPrompt, setInstallPrompt] = createSignal<InstallPromptEvent | null>(null);
let workbox: Workbox | undefined;

export { installPrompt, updateReady };

/** Registers once `when` resolves; the install prompt is listened for at once. */
export function registerServiceWorker(when: Promise<unknown> = Promise.resolve()): void {
  addEventListener('beforeinstallprompt', (event) => {
    event.preventDefault();
    setInstallPrompt(event as InstallPromptEvent);
  });
  addEventListener('appinstalled', () => setInstallPrompt(null));
  if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;

  void when.then(register);
}

function register(): void {
  workbox = new Workbox('/sw.js', { scope: '/' });
  workbox.addEventListener('waiting', () => setUpdateReady(true));
  workbox.addEventListener('controlling', (event) => {
    // Only a user-approved update (skipWaiting after Reload) reloads; a first install does not.
    if (event.isUpdate) location.reload();
  });
  workbox.register().then(
    (registration) => {
      // Check again when the tab comes back, and hourly for long-lived tabs.
      const check = () => void registration?.update().catch(() => undefined);
      addEventListener('visibilitychange', () => document.visibilityState === 'visible' && check());
      setInterval(check, 60 * 60 * 1000);
    },
    (error: unknown) => log.warn('service worker registration failed', error),
  );
}

export function applyUpdate(): void {
  if (!workbox) return location.reload();
  workbox.messageSkipWaiting();
}

export async function promptInstall(): Promise<void> {
  const prompt = installPrompt();
  if (!prompt) return;
  await prompt.prompt();
  await prompt.userChoice;
  setInstallPrompt(null);
}

const log = makeLogger('pinax:pwa');
