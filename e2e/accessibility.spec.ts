// An axe audit (axe-core, WCAG 2.1 A and AA rules) of each screen a person meets, in light and dark
// themes: the empty start, a collection with its item panel open, history, search results, the
// dialogs and panels, the Discover and Feed pages.
// Any violation fails the test with the rule, the elements and how to fix them.

import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { AppPage, expect, test } from './support/fixtures.ts';

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

for (const colorScheme of ['light', 'dark'] as const) {
  test(`every screen passes an axe audit (${colorScheme} theme)`, async ({ relay, newDevice }) => {
    // Thirteen audits of a few seconds each on 2 shared cores: a full run took the test past 60 s.
    test.setTimeout(180_000);
    const found: string[] = [];
    const audit = async (screen: string) => found.push(...(await violationsOn(app.page, screen)));
    const context = await newDevice({ label: 'A' });
    const app = await AppPage.open(context, relay.appUrl);
    await app.page.emulateMedia({ colorScheme });
    await expect(app.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
    await audit('the empty start');

    await app.createCollection('Field notes');
    await app.newItem({ title: 'Amber birch', body: 'A walk by the **river**.', tags: 'walks, trees' });
    await app.newItem({ title: 'Cedar delta', tags: 'trees' });
    await app.writesSettled();
    await audit('a collection with its item panel open');

    await app.page.getByRole('button', { name: 'History' }).click();
    await expect(app.page.getByRole('list', { name: 'Versions' })).toBeVisible();
    await audit('an item’s history');

    await app.page.keyboard.press('/');
    await app.page.keyboard.type('birch');
    await expect(
      app.page.getByRole('list', { name: 'Search results' }).getByRole('listitem').first(),
    ).toBeVisible();
    await audit('search results');
    await app.page.keyboard.press('Escape');

    for (const [button, dialog] of [
      ['Share', 'Share'],
      ['Members', 'Members'],
      [/^You:/, 'You'],
    ] as const) {
      await app.page.getByRole('button', { name: button, exact: typeof button === 'string' }).click();
      const shown = app.page.getByRole('dialog', { name: dialog });
      await expect(shown).toBeVisible();
      await audit(`the ${dialog} dialog`);
      await shown.getByRole('button', { name: 'Close' }).click();
    }

    await app.page.getByRole('button', { name: 'Import', exact: true }).click();
    await audit('the import panel');

    await app.page.keyboard.press('?');
    await audit('the keyboard shortcuts');
    await app.page.keyboard.press('Escape');

    await app.page.getByRole('button', { name: 'Timeline', exact: true }).click();
    await expect(app.page.getByRole('button', { name: 'Timeline', exact: true })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
    await audit('the collection timeline');

    await app.collectionActions();
    await audit('the collection’s More actions');
    await app.page.keyboard.press('Escape');

    for (const page of ['Discover', 'Feed']) {
      await app.page.getByRole('link', { name: page, exact: true }).click();
      await expect(app.page.getByRole('heading', { name: page, level: 1 })).toBeVisible();
      await audit(`the ${page} page`);
    }
    // All screens first, then one report: a fix is seen against every screen at once.
    expect(found).toEqual([]);
  });
}

test('the focus ring of a list row or a search result is drawn whole, not clipped', async ({
  relay,
  newDevice,
}) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Reading list');
  await app.newItem({ title: 'The Left Hand of Darkness', body: 'Winter, on Gethen.' });
  await app.newItem({ title: 'The Dispossessed', body: 'Anarres and Urras.' });
  // Escape closes the item and puts the focus back on its row, as the keyboard left it.
  await app.page.keyboard.press('Escape');
  await expect(app.page.locator('.item-row a:focus-visible')).toHaveCount(1);
  expect(await clippedFocusRing(app.page)).toEqual([]);

  await app.writesSettled();
  await app.page.keyboard.press('/');
  await app.page.keyboard.type('the');
  const results = app.page.getByRole('list', { name: 'Search results' }).getByRole('link');
  await expect(results).toHaveCount(2);
  // After typing, a focused result shows its ring, as when tabbed to. Again if live results
  // replaced the row meanwhile (the items were still being indexed), taking the focus with it.
  await expect(async () => {
    await results.first().focus();
    await expect(app.page.locator('.search-results a:focus-visible')).toHaveCount(1, { timeout: 1_000 });
    expect(await clippedFocusRing(app.page)).toEqual([]);
  }).toPass({ timeout: 10_000 });
});

/**
 * The sides of the focused element's outline that an ancestor clips away (overflow, or paint
 * containment, which content-visibility implies): empty when the whole ring shows.
 */
async function clippedFocusRing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const focused = document.activeElement;
    if (!(focused instanceof HTMLElement)) return ['nothing focused'];
    const style = getComputedStyle(focused);
    if (style.outlineStyle === 'none') return ['no outline'];
    const spread = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
    const box = focused.getBoundingClientRect();
    const ring = {
      top: box.top - spread,
      right: box.right + spread,
      bottom: box.bottom + spread,
      left: box.left - spread,
    };
    const clipped = new Set<string>();
    for (let el = focused.parentElement; el; el = el.parentElement) {
      const s = getComputedStyle(el);
      const clips =
        s.overflow !== 'visible' || /paint|strict|content/.test(s.contain) || s.contentVisibility === 'auto';
      if (!clips) continue;
      const r = el.getBoundingClientRect();
      if (ring.top < r.top) clipped.add('top');
      if (ring.right > r.right) clipped.add('right');
      if (ring.bottom > r.bottom) clipped.add('bottom');
      if (ring.left < r.left) clipped.add('left');
    }
    return [...clipped];
  });
}

/** The audit's violations, one line each: the screen, the rule, the elements and how to fix them. */
async function violationsOn(page: Page, screen: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  return violations.map(
    (v) =>
      `${screen}: ${v.id} (${v.impact ?? 'unknown impact'}): ${v.help}\n` +
      v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary ?? ''}`).join('\n'),
  );
}
