// Global search over the engine's read models: prefix and fuzzy matching, highlighted snippets, tag
// facets with counts, keyboard navigation, and results that follow edits made in another tab.

import type { Page } from '@playwright/test';
import { AppPage, expect, test } from './support/fixtures.ts';
import { closeEveryTab, expectNoSharedWorker } from './support/workers.ts';
import { deleteStored } from './support/raw-idb.ts';

/** Adds items through the engine's own command (what an import batch does), and waits until durable. */
async function addItems(page: Page, items: Array<{ title: string; body?: string; tags?: string[] }>) {
  const collectionId = /#\/c\/([^/]+)/.exec(page.url())?.[1];
  expect(collectionId).toBeTruthy();
  await page.evaluate(
    async ({ collectionId, items }) => {
      const pinax = (
        globalThis as unknown as { __pinax: { client: { command(c: unknown): Promise<unknown> } } }
      ).__pinax;
      await pinax.client.command({ type: 'addItems', collectionId, items });
    },
    { collectionId: collectionId!, items },
  );
}

function searchBox(page: Page) {
  return page.getByRole('searchbox', { name: 'Search' });
}

function results(page: Page) {
  return page.getByRole('list', { name: 'Search results' }).getByRole('listitem');
}

test('search finds items by prefix and by misspelling, with correct tag facet counts', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Field notes');
  await addItems(app.page, [
    {
      title: 'Astronomy evening',
      body: 'Saturn rings through the small telescope.',
      tags: ['space', 'night'],
    },
    { title: 'Comet sighting', body: 'A faint astronomical smudge near Cassiopeia.', tags: ['space'] },
    { title: 'Sourdough starter', body: 'Feed twice a day.', tags: ['food'] },
  ]);
  await expect(app.items()).toHaveCount(3);

  // "/" focuses the search box from anywhere.
  await app.page.locator('body').click();
  await app.page.keyboard.press('/');
  await expect(searchBox(app.page)).toBeFocused();

  // A word prefix: "astro" finds the title word and the body word, title match first.
  await app.page.keyboard.type('astro');
  await expect(results(app.page).locator('.title')).toHaveText(['Astronomy evening', 'Comet sighting']);
  await expect(results(app.page).first().locator('mark').first()).toHaveText('Astronomy');
  await expect(results(app.page).first()).toContainText('Field notes');

  // A misspelling still finds it.
  await searchBox(app.page).fill('telescpoe');
  await expect(results(app.page).locator('.title')).toHaveText(['Astronomy evening']);

  // No match says so.
  await searchBox(app.page).fill('xylophone');
  await expect(
    app.page.getByRole('region', { name: 'Search' }).getByText('No items match “xylophone”.'),
  ).toBeVisible();

  // Facet counts cover every match; a tag narrows the results.
  await searchBox(app.page).fill('a');
  await expect(app.page.getByRole('button', { name: '#space 2' })).toBeVisible();
  await expect(app.page.getByRole('button', { name: '#food 1' })).toBeVisible();
  await expect(app.page.getByRole('button', { name: '#night 1' })).toBeVisible();

  // A tag alone, with no query, lists every item with that tag.
  await searchBox(app.page).fill('');
  await searchBox(app.page).fill('s');
  await app.page.getByRole('button', { name: '#space 2' }).click();
  await searchBox(app.page).fill('');
  await expect(results(app.page).locator('.title')).toHaveText(['Astronomy evening', 'Comet sighting'], {
    useInnerText: true,
  });

  // Keyboard: arrows move, Enter opens the item.
  await searchBox(app.page).focus();
  await app.page.keyboard.press('ArrowDown');
  await expect(results(app.page).nth(1)).toHaveAttribute('aria-current', 'true');
  await app.page.keyboard.press('Enter');
  await expect(app.title()).toHaveValue(/Astronomy evening|Comet sighting/);
  await expect(app.page.getByRole('list', { name: 'Search results' })).toHaveCount(0);
});

test('a new search opens with its own results, never the last search\'s "No items match"', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Openings');
  await addItems(app.page, [{ title: 'Comet sighting' }, { title: 'Sourdough starter' }]);
  await expect(app.items()).toHaveCount(2);
  // The search before this one ended with nothing found, then Escape closed it.
  await searchBox(app.page).fill('xylophone');
  await expect(
    app.page.getByRole('region', { name: 'Search' }).getByText('No items match “xylophone”.'),
  ).toBeVisible();
  await searchBox(app.page).press('Escape');
  await expect(app.page.locator('section.search')).toHaveCount(0);
  // The live region that announces the status stays in the page, empty, with the panel closed: a
  // region inserted already holding its text may not be announced.
  await expect(app.page.getByRole('status', { name: 'Search status' })).toHaveText('');

  // Everything the panel shows, and the live region says, from the first keystroke of the next search on.
  await app.page.evaluate(() => {
    const seen = { shown: [] as string[], announced: [] as string[] };
    (globalThis as unknown as { __searchStatuses: typeof seen }).__searchStatuses = seen;
    const record = (list: string[], selector: string) => {
      const status = document.querySelector(selector)?.textContent?.trim();
      if (status && list.at(-1) !== status) list.push(status);
    };
    new MutationObserver(() => {
      record(seen.shown, 'section.search p.search-status');
      record(seen.announced, '[role="status"][aria-label="Search status"]');
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  await searchBox(app.page).click();
  await app.page.keyboard.type('c');
  await expect(results(app.page).locator('.title')).toHaveText(['Comet sighting']);
  const statuses = await app.page.evaluate(
    () => (globalThis as unknown as { __searchStatuses: unknown }).__searchStatuses,
  );
  expect(statuses).toEqual({ shown: ['1 result'], announced: ['1 result'] });
});

test('an edit in tab 2 changes the search results shown in tab 1', async ({ relay, newDevice }) => {
  const context = await newDevice();
  const one = await AppPage.open(context, relay.appUrl);
  const collectionUrl = await one.createCollection('Live search');
  await addItems(one.page, [{ title: 'Quarterly budget', body: 'numbers' }, { title: 'Garden plan' }]);
  await searchBox(one.page).fill('budget');
  await expect(results(one.page).locator('.title')).toHaveText(['Quarterly budget']);

  const two = await AppPage.open(context, collectionUrl);
  await two.openItem('Garden plan');
  await two.title().fill('Garden budget');
  await two.writesSettled();

  await one.page.bringToFront();
  // Both match; which ranks first is the index's business (BM25 favours the shorter title).
  await expect
    .poll(async () => (await results(one.page).locator('.title').allInnerTexts()).sort())
    .toEqual(['Garden budget', 'Quarterly budget']);

  await two.page.bringToFront();
  await two.title().fill('Garden plan again');
  await two.writesSettled();
  await one.page.bringToFront();
  await expect(results(one.page).locator('.title')).toHaveText(['Quarterly budget']);
});

test('a keystroke whose answer was worked out ahead shows it before the engine answers, and results stay live', async ({
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const one = await AppPage.open(context, relay.appUrl);
  const collectionUrl = await one.createCollection('Typing ahead');
  await addItems(one.page, [{ title: 'Amber lamp' }, { title: 'Amble path' }, { title: 'Garden plan' }]);
  // Records which answers the engine pushed ahead of time, when its own first answer to each query
  // came, and whether the panel showed that query's answer before it.
  await one.page.evaluate(() => {
    const seen = { ahead: [] as string[], own: new Set<string>(), shownFirst: [] as string[] };
    (globalThis as unknown as { __typing: typeof seen }).__typing = seen;
    type Payload = { query: string; ahead?: true };
    const client = (
      globalThis as unknown as {
        __pinax: { client: { subscribe(sub: unknown, onData: (p: Payload) => void): () => void } };
      }
    ).__pinax.client;
    const subscribe = client.subscribe.bind(client);
    client.subscribe = (sub, onData) =>
      subscribe(sub, (payload) => {
        if (payload.ahead) seen.ahead.push(payload.query);
        else seen.own.add(payload.query);
        onData(payload);
      });
    new MutationObserver(() => {
      const shown = document.querySelector<HTMLElement>('section.search')?.dataset.resultsFor;
      if (shown && !seen.own.has(shown) && !seen.shownFirst.includes(shown)) seen.shownFirst.push(shown);
    }).observe(document.querySelector('main')!, {
      childList: true,
      subtree: true,
      attributes: true,
      attributeFilter: ['data-results-for'],
    });
  });
  const typing = () =>
    one.page.evaluate(() => {
      const seen = (globalThis as unknown as { __typing: { ahead: string[]; shownFirst: string[] } })
        .__typing;
      return { ahead: [...seen.ahead], shownFirst: [...seen.shownFirst] };
    });

  // "ambe" is one letter from both "amber" and "amble" (fuzzy from 4 letters on).
  await searchBox(one.page).pressSequentially('ambe');
  await expect
    .poll(async () => (await results(one.page).locator('.title').allInnerTexts()).sort())
    .toEqual(['Amber lamp', 'Amble path']);
  // The index continues "ambe" only with "r" (amber): worked out ahead.
  await expect.poll(async () => (await typing()).ahead).toContain('amber');
  await searchBox(one.page).press('r');
  await expect(results(one.page).locator('.title')).toHaveText(['Amber lamp']);
  await expect(one.page.locator('section.search')).toHaveAttribute('data-results-for', 'amber');
  expect((await typing()).shownFirst).toContain('amber');

  // An edit in another tab still reaches results shown from answers worked out ahead.
  const two = await AppPage.open(context, collectionUrl);
  await two.openItem('Garden plan');
  await two.title().fill('Amberwood garden');
  await two.writesSettled();
  await one.page.bringToFront();
  await expect
    .poll(async () => (await results(one.page).locator('.title').allInnerTexts()).sort())
    .toEqual(['Amber lamp', 'Amberwood garden']);
  // Back to "ambe": the answer kept for a Backspace is from before the edit; the engine's follows.
  await searchBox(one.page).press('Backspace');
  await expect
    .poll(async () => (await results(one.page).locator('.title').allInnerTexts()).sort())
    .toEqual(['Amber lamp', 'Amberwood garden', 'Amble path']);
  await expect(one.page.locator('section.search')).toHaveAttribute('data-results-for', 'ambe');
});

test('after every tab closes, search answers from the persisted index with the relay gone', async ({
  browser,
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const app = await AppPage.open(context, relay.appUrl);
  await app.createCollection('Persisted');
  await addItems(app.page, [{ title: 'Lighthouse keeper', body: 'foghorn at dusk', tags: ['coast'] }]);
  await searchBox(app.page).fill('foghorn');
  await expect(results(app.page).locator('.title')).toHaveText(['Lighthouse keeper']);
  // The index is saved to IndexedDB in the background, a moment after changes settle.
  await expect
    .poll(
      () =>
        app.page.evaluate(
          () =>
            new Promise<string>((resolve, reject) => {
              const open = indexedDB.open('pinax');
              open.onerror = () => reject(new Error(String(open.error)));
              open.onsuccess = () => {
                const db = open.result;
                const get = db.transaction('searchIndex').objectStore('searchIndex').get('global');
                get.onsuccess = () => {
                  db.close();
                  resolve(String((get.result as { index?: string } | undefined)?.index ?? ''));
                };
              };
            }),
        ),
      { timeout: 15_000 },
    )
    .toContain('foghorn');
  // Starting with no network at all needs the service worker (installed once the engine settles).
  await app.serviceWorkerActivated();

  await Promise.all(context.pages().map((page) => page.close()));
  await expectNoSharedWorker(browser, relay.appUrl);
  await relay.stop();
  await context.setOffline(true);

  const again = await AppPage.open(context, relay.appUrl);
  await searchBox(again.page).fill('lighthouse');
  await expect(results(again.page).locator('.title')).toHaveText(['Lighthouse keeper']);
  await expect(results(again.page)).toContainText('Persisted');
});

test('a collection deleted just before the last tab closed is gone from search after a restart', async ({
  browser,
  relay,
  newDevice,
}) => {
  const context = await newDevice();
  const app = await AppPage.open(context, relay.appUrl);
  await app.createCollection('Kept');
  await addItems(app.page, [{ title: 'Meadow lark', tags: ['bird'] }]);
  const goneUrl = await app.createCollection('Gone');
  const goneId = /#\/c\/([^/]+)/.exec(goneUrl)![1]!;
  await addItems(app.page, [
    { title: 'Meadow pipit', tags: ['bird'] },
    { title: 'Meadow vole', tags: ['mammal'] },
  ]);
  // The stored index (saved once changes settle) holds both collections.
  await expect.poll(() => storedIndexCollections(app.page), { timeout: 15_000 }).toContain(goneId);

  // Deleted, and the tab closed at once: the index is not saved again before the engine stops.
  await app.page.evaluate(async (collectionId) => {
    const pinax = (
      globalThis as unknown as { __pinax: { client: { command(c: unknown): Promise<unknown> } } }
    ).__pinax;
    await pinax.client.command({ type: 'deleteCollection', collectionId });
  }, goneId);
  await closeEveryTab(browser, context, relay.appUrl);

  const again = await AppPage.open(context, relay.appUrl);
  await searchBox(again.page).fill('meadow');
  await expect(results(again.page).locator('.title')).toHaveText(['Meadow lark']);
  await expect(
    again.page.getByRole('region', { name: 'Search' }).getByText('1 result', { exact: true }),
  ).toBeVisible();
  await expect(again.page.getByRole('button', { name: '#bird 1' })).toBeVisible();
  await expect(again.page.getByRole('button', { name: /^#mammal/ })).toHaveCount(0);
});

/** The collections the stored search index has heads for, read from IndexedDB as it is. */
function storedIndexCollections(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open('pinax');
        open.onerror = () => reject(new Error(String(open.error)));
        open.onsuccess = () => {
          const db = open.result;
          const read = db.transaction('searchIndex', 'readonly').objectStore('searchIndex').get('global');
          read.onsuccess = () => {
            db.close();
            const row = read.result as { heads?: Record<string, unknown> } | undefined;
            resolve(Object.keys(row?.heads ?? {}));
          };
          read.onerror = () => reject(new Error(String(read.error)));
        };
      }),
  );
}

test('a search while the index is rebuilt at start-up says it is indexing, never "No items match"', async ({
  browser,
  relay,
  newDevice,
}) => {
  test.slow();
  const context = await newDevice();
  const app = await AppPage.open(context, relay.appUrl);
  await app.createCollection('Rebuilt');
  const count = 3000;
  for (let start = 0; start < count; start += 1000)
    await addItems(
      app.page,
      Array.from({ length: 1000 }, (_, i) => ({ title: `Entry ${start + i}`, body: 'a wombat burrow' })),
    );
  await searchBox(app.page).fill('wombat');
  await expect(
    app.page.getByRole('region', { name: 'Search' }).getByText(`${count} results`, { exact: true }),
  ).toBeVisible({ timeout: 30_000 });
  // Let the sidebar row (its item count) and the catalog land, then lose the stored index, as an
  // index format change does.
  await expect(app.collectionLinks()).toContainText([`${count}`]);
  await closeEveryTab(browser, context, relay.appUrl);
  await deleteStored(context, relay.appUrl, 'searchIndex', 'global');

  // Every status the search shows, from the first one on.
  await context.addInitScript(() => {
    const seen: string[] = [];
    (globalThis as unknown as { __searchStatuses: string[] }).__searchStatuses = seen;
    new MutationObserver(() => {
      const status = document.querySelector('section.search p.search-status')?.textContent?.trim();
      if (status && seen.at(-1) !== status) seen.push(status);
      if (
        document.querySelector('section.search progress[aria-label="Indexing"]') &&
        seen.at(-1) !== 'indexing'
      )
        seen.push('indexing');
    }).observe(document, { childList: true, subtree: true, characterData: true });
  });
  const again = await AppPage.open(context, relay.appUrl);
  await searchBox(again.page).fill('wombat');
  await expect(
    again.page.getByRole('region', { name: 'Search' }).getByText(`${count} results`, { exact: true }),
  ).toBeVisible({ timeout: 60_000 });
  // Only until the index has caught up.
  await expect(again.page.getByRole('progressbar', { name: 'Indexing', exact: true })).toHaveCount(0);
  const statuses = await again.page.evaluate(
    () => (globalThis as unknown as { __searchStatuses: string[] }).__searchStatuses,
  );
  expect(statuses).toContain('indexing');
  expect(statuses.filter((status) => status.startsWith('No items match'))).toEqual([]);
});
