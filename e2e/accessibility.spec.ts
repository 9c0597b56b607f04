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
    // Fourteen audits of a few seconds each on 2 shared cores: a full run took the test past 60 s.
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

    for (const page of ['Discover', 'Feed']) {
      await app.page.getByRole('link', { name: page, exact: true }).click();
      await expect(app.page.getByRole('heading', { name: page, level: 1 })).toBeVisible();
      await audit(`the ${page} page`);
    }
    // All screens first, then one report: a fix is seen against every screen at once.
    expect(found).toEqual([]);
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
