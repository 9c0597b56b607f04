// Shared e2e fixtures: every test gets its own real relay process (free port, temp data dir)
// serving the built app from dist/, and helpers to open "devices" (browser contexts, each with its
// own SharedWorker engine and IndexedDB) and tabs.

import fs from 'node:fs';
import { test as base, expect, type Browser, type BrowserContext, type Page } from '@playwright/test';
import {
  spawnRelay,
  type SpawnRelayOptions,
  type SpawnedRelay,
} from '../../src/server/testing/spawn-relay.ts';

export interface RelayControl {
  /** The current relay process (changes after restart()). */
  current(): SpawnedRelay;
  /** http://localhost:<port>: a secure context, so service workers and WebCrypto work. */
  appUrl: string;
  /** SIGTERM (clean) or SIGKILL the relay, keeping its port and data for restart(). */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the relay again on its port; `wipeData` starts it with nothing, as after losing its disk. */
  restart(options?: { wipeData?: boolean }): Promise<void>;
}

export interface DeviceOptions {
  noSharedWorker?: boolean;
  /** Names the device in the console log printed when a test fails. */
  label?: string;
}

export interface Fixtures {
  /** Extra options for the fixture relay, e.g. `test.use({ relayOptions: { maxFrameBytes: 65536 } })`. */
  relayOptions: Pick<SpawnRelayOptions, 'maxFrameBytes'>;
  relay: RelayControl;
  /** Opens a new device: a fresh browser context (own engine, IndexedDB and service worker). */
  newDevice: (options?: DeviceOptions) => Promise<BrowserContext>;
}

export const test = base.extend<Fixtures>({
  relayOptions: [{}, { option: true }],
  relay: async ({ relayOptions }, use, testInfo) => {
    let relay = await spawnRelay(relayOptions);
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
      async restart({ wipeData = false } = {}) {
        if (running) await control.stop();
        if (wipeData) await fs.promises.rm(dataDir, { recursive: true, force: true });
        relay = await spawnRelay({ ...relayOptions, port, dataDir });
        running = true;
      },
    };
    await use(control);
    if (running) await relay.kill();
    if (testInfo.status !== testInfo.expectedStatus)
      await testInfo.attach('relay output', { body: relay.output(), contentType: 'text/plain' });
    await fs.promises.rm(dataDir, { recursive: true, force: true });
  },
  newDevice: async ({ browser }, use, testInfo) => {
    const contexts: BrowserContext[] = [];
    // SharedWorker logs are invisible to Playwright; the engine forwards its warnings to every tab's
    // console as "[pinax:engine] ...", so the tab consoles tell most of the story of a failure.
    const log: string[] = [];
    const start = Date.now();
    await use(async (options = {}) => {
      const context = await openDevice(browser, options);
      const label = options.label ?? `device ${contexts.length + 1}`;
      contexts.push(context);
      context.on('console', (message) => {
        if (message.type() === 'debug') return;
        log.push(`${elapsed()} [${label}] ${message.type()}: ${message.text()}`);
      });
      context.on('weberror', (error) =>
        log.push(`${elapsed()} [${label}] pageerror: ${error.error().message}`),
      );
      return context;
    });
    for (const context of contexts) await context.close().catch(() => undefined);
    if (testInfo.status !== testInfo.expectedStatus && log.length > 0) {
      await testInfo.attach('browser console', { body: log.join('\n'), contentType: 'text/plain' });
      console.error(`--- browser console (${testInfo.title}) ---\n${log.slice(-200).join('\n')}`);
    }
    function elapsed(): string {
      return `+${((Date.now() - start) / 1000).toFixed(1)}s`;
    }
  },
});

export { expect };

export async function openDevice(
  browser: Browser,
  options: { noSharedWorker?: boolean } = {},
): Promise<BrowserContext> {
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
    const before = this.page.url();
    await this.page.getByRole('button', { name: 'New item', exact: true }).click();
    // The new item's editor opens (its id in the URL) with the caret in its empty title.
    await expect(this.page).not.toHaveURL(before);
    await expect(this.page).toHaveURL(/#\/c\/[^/]+\/i\/[^/]+$/);
    await expect(this.title()).toHaveValue('');
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
    return this.items().filter({ hasText: title });
  }

  /** Every row of the collection's item list (the list is virtualized: rows in view, plus a margin). */
  items() {
    return this.page.getByRole('list', { name: 'Items', exact: true }).getByRole('listitem');
  }

  /** The title shown in each row, for exact comparisons (a row's text also holds snippet, tags, time). */
  rowTitles() {
    return this.items().locator('.title');
  }

  /** The body snippet shown in each row. */
  rowSnippets() {
    return this.items().locator('.snippet');
  }

  /**
   * Sets this profile's display name in the "You" dialog. Waits for the identity first: on a fresh
   * profile the engine is still making its keys, and the save would wait on them.
   */
  async setDisplayName(name: string): Promise<void> {
    const you = this.page.getByRole('button', { name: /^You: .*, key .{4}·.{4}$/ });
    await expect(you).toBeVisible({ timeout: 30_000 });
    await you.click();
    const dialog = this.page.getByRole('dialog', { name: 'You' });
    await dialog.getByRole('textbox', { name: 'Display name' }).fill(name);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await expect(dialog.getByRole('status')).toHaveText('Saved.', { timeout: 20_000 });
    await dialog.getByRole('button', { name: 'Close' }).click();
  }

  /** This profile's user key (did:key), from the "You" dialog. */
  async userKey(): Promise<string> {
    await this.page.getByRole('button', { name: /^You:/ }).click();
    const dialog = this.page.getByRole('dialog', { name: 'You' });
    const key = await dialog.getByRole('textbox', { name: /Your key/ }).inputValue();
    await dialog.getByRole('button', { name: 'Close' }).click();
    return key;
  }

  /** Adds a user, by key, to the collection shown, through its Members dialog (as an owner). */
  async addMember(key: string, role: 'owner' | 'editor' | 'viewer', name?: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Members', exact: true }).click();
    const dialog = this.page.getByRole('dialog', { name: 'Members' });
    await dialog.getByRole('textbox', { name: 'Member key' }).fill(key);
    if (name) await dialog.getByRole('textbox', { name: 'Name (optional)' }).fill(name);
    await dialog.getByRole('combobox', { name: 'Role', exact: true }).selectOption(role);
    await dialog.getByRole('button', { name: 'Add member' }).click();
    await expect(dialog.getByRole('status')).toHaveText('Member added.');
    await dialog.getByRole('button', { name: 'Close' }).click();
    await this.writesSettled();
  }

  /**
   * Makes `other` an editor of the collection this page shows (this device owns it), and waits
   * until `other`'s engine knows it: since members and roles, a link alone only lets you view.
   */
  async shareForEditing(other: AppPage): Promise<void> {
    await this.addMember(await other.userKey(), 'editor');
    await expect(this.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  }

  /** Waits until this page may edit the collection it shows (its editing controls are there). */
  async canEdit(): Promise<void> {
    await expect(this.page.getByRole('button', { name: 'New item', exact: true })).toBeVisible({
      timeout: 30_000,
    });
  }

  /** Opens an item's editor from its row and waits until the editor shows that title. */
  async openItem(title: string): Promise<void> {
    await this.items()
      .filter({ has: this.page.locator('.title', { hasText: title }) })
      .getByRole('link')
      .click();
    await expect(this.title()).toHaveValue(title);
  }

  /** The collection's less used actions (Follow, Publish, Rename, Delete): the toolbar's "More" list,
   * opened if it is not. Each action closes the list again. */
  async collectionActions() {
    const actions = this.page.getByRole('group', { name: 'More' });
    if (!(await actions.isVisible()))
      await this.page.getByRole('button', { name: 'More', exact: true }).click();
    await expect(actions).toBeVisible();
    return actions;
  }

  collectionLinks() {
    return this.page.getByRole('navigation', { name: 'Collections' }).getByRole('link');
  }

  heading(name: string) {
    return this.page.getByRole('heading', { name, exact: true });
  }

  /** Polls until a service worker is activated for this page (no `navigator.serviceWorker.ready`: it
   * never settles on a page without one). */
  async serviceWorkerActivated(): Promise<void> {
    await expect
      .poll(
        () =>
          this.page.evaluate(async () => {
            const registration = await navigator.serviceWorker.getRegistration();
            return registration?.active?.state ?? 'none';
          }),
        { timeout: 30_000 },
      )
      .toBe('activated');
  }

  /** True once a service worker controls this page (after the first install, only after a reload). */
  controlled(): Promise<boolean> {
    return this.page.evaluate(() => navigator.serviceWorker.controller !== null);
  }

  /** Writes this tab has sent and the engine has not acknowledged yet. */
  pendingWrites(): Promise<number> {
    return this.page.evaluate(() =>
      (
        globalThis as unknown as { __pinax: { client: { pendingWrites(): number } } }
      ).__pinax.client.pendingWrites(),
    );
  }

  /** Resolves once the engine has acknowledged every write this tab sent (i.e. they are durable). */
  async writesSettled(): Promise<void> {
    await this.page.waitForFunction(
      () =>
        (
          globalThis as { __pinax?: { client: { pendingWrites(): number } } }
        ).__pinax?.client.pendingWrites() === 0,
    );
  }
}
