// Shared e2e fixtures: every test gets its own real relay process (free port, temp data dir)
// serving the built app from dist/, and helpers to open "devices" (browser contexts, each with its
// own SharedWorker engine and IndexedDB) and tabs.

import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { spawnRelay, type SpawnedRelay } from '../../src/server/testing/spawn-relay.ts';

export interface RelayControl {
  /** The current relay process (changes after restart()). */
  current(): SpawnedRelay;
  /** http://localhost:<port>: a secure context, so service workers and WebCrypto work. */
  appUrl: string;
  /** SIGTERM (clean) or SIGKILL the relay, keeping its port and data for restart(). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  restart(): Promise<void>;
}

export interface Fixtures {
  relay: RelayControl;
  /** Opens a new device: a fresh browser context (own engine, IndexedDB and service worker). */
  newDevice: (options?: { noSharedWorker?: boolean }) => Promise<BrowserContext>;
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  relay: async ({}, use) => {
    let relay = await spawnRelay();
    const { port, dataDir } = relay;
    let running = true;
    const control: RelayControl = {
      current: () => relay,
      appUrl: `http://localhost:${port}`,
      async stop(signal = 'SIGTERM') {
        if (!running) return;
        running = false;
        if (signal === 'SIGKILL') await relay.kill();
        else await relay.stop('SIGTERM');
      },
      async restart() {
        if (running) await control.stop();
        relay = await spawnRelay({ port, dataDir });
        running = true;
      },
    };
    await use(control);
    if (running) await relay.kill();
  },
  newDevice: async ({ browser }, use) => {
    const contexts: BrowserContext[] = [];
    await use(async (options = {}) => {
      const context = await openDevice(browser, options);
      contexts.push(context);
      return context;
    });
    for (const context of contexts) await context.close().catch(() => undefined);
  },
});

export { expect };

export async function openDevice(browser: Browser, options: { noSharedWorker?: boolean } = {}): Promise<BrowserContext> {
  const context = await browser.newContext();
  if (options.noSharedWorker) {
    await context.addInitScript(() => {
      delete (window as { SharedWorker?: unknown }).SharedWorker;
    });
  }
  return context;
}

/** A page object over the app's accessible names (the contract in the foundation issue). */
export class AppPage {
  constructor(readonly page: Page) {}

  static async open(context: BrowserContext, url: string): Promise<AppPage> {
    const page = await context.newPage();
    await page.goto(url);
    return new AppPage(page);
  }

  syncStatus() {
    return this.page.getByRole('status', { name: 'Sync status' });
  }

  async createCollection(name: string): Promise<string> {
    await this.page.getByRole('button', { name: 'New collection' }).click();
    await this.page.getByRole('textbox', { name: 'Name' }).fill(name);
    await this.page.getByRole('button', { name: 'Create', exact: true }).click();
    await expect(this.page.getByRole('heading', { name, exact: true })).toBeVisible();
    return this.page.url();
  }

  async newItem(fields: { title?: string; body?: string; tags?: string } = {}): Promise<void> {
    await this.page.getByRole('button', { name: 'New item', exact: true }).click();
    await expect(this.title()).toBeFocused();
    if (fields.title !== undefined) await this.title().fill(fields.title);
    if (fields.tags !== undefined) await this.tags().fill(fields.tags);
    if (fields.body !== undefined) await this.body().fill(fields.body);
  }

  title() {
    return this.page.getByRole('textbox', { name: 'Title', exact: true });
  }

  body() {
    return this.page.getByRole('textbox', { name: 'Body', exact: true });
  }

  tags() {
    return this.page.getByRole('textbox', { name: 'Tags', exact: true });
  }

  itemRow(title: string | RegExp) {
    return this.page.getByRole('list', { name: 'Items' }).getByRole('listitem').filter({ hasText: title });
  }

  /** Resolves once the engine has acknowledged every write this tab sent (i.e. they are durable). */
  async writesSettled(): Promise<void> {
    await this.page.waitForFunction(
      () => (globalThis as { __pinax?: { client: { pendingWrites(): number } } }).__pinax?.client.pendingWrites() === 0,
    );
  }
}
