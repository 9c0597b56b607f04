// Import (JSON and Markdown, in batches with progress, problems listed by position) and export
// (JSON, a zip of Markdown, the raw Automerge document) through the UI, and bad files refused.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { AppPage, expect, test } from './support/fixtures.ts';

interface Record {
  title: string;
  body: string;
  tags: string[];
}

function importInput(page: Page) {
  return page.getByLabel('Import file', { exact: true });
}

async function openTransfer(page: Page) {
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(importInput(page)).toBeVisible();
}

async function exportAs(page: Page, button: string): Promise<Buffer> {
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: button, exact: true }).click();
  const file = await download;
  return fs.promises.readFile(await file.path());
}

const sorted = (records: Record[]) =>
  records.map((r) => JSON.stringify([r.title, r.body, [...r.tags].sort()])).sort();

test('import 1,000 JSON items with 3 invalid ones, then export and re-import round-trips', async ({
  relay,
  newDevice,
}) => {
  test.setTimeout(120_000);
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Imported');
  const records: unknown[] = Array.from({ length: 1000 }, (_, i) => ({
    title: `Imported record ${i + 1}`,
    body: `Body of record ${i + 1}, zebrafish ${i % 7}`,
    tags: [`group-${i % 5}`],
  }));
  records[9] = { title: 42, body: 'title is not text' };
  records[499] = { title: 'Too long a body', body: 'x'.repeat(1_100_000) };
  records[999] = { title: 'Bad tags', tags: { not: 'a list' } };

  await openTransfer(app.page);
  await importInput(app.page).setInputFiles({
    name: 'records.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(records)),
  });
  await expect(app.page.getByRole('status').filter({ hasText: 'Imported 997 items.' })).toBeVisible({
    timeout: 60_000,
  });
  await expect(app.page.getByRole('progressbar', { name: 'Import progress' })).toBeVisible();
  const problems = app.page.getByRole('list', { name: 'Import problems' }).getByRole('listitem');
  await expect(problems).toHaveCount(3);
  await expect(problems.nth(0)).toContainText('records.json, item 10:');
  await expect(problems.nth(1)).toContainText('records.json, item 500:');
  await expect(problems.nth(2)).toContainText('records.json, item 1000:');
  await expect(app.page.getByText('997 items', { exact: true })).toBeVisible();

  // All 997 are searchable.
  await app.page.getByRole('searchbox', { name: 'Search' }).fill('zebrafish');
  await expect(app.page.getByText('997 results', { exact: true })).toBeVisible({ timeout: 30_000 });
  // Imported items record who imported them, as every other change records its author.
  await app.page.getByRole('searchbox', { name: 'Search' }).press('Enter');
  await expect(app.title()).toHaveValue(/^Imported record \d+$/);
  await expect(app.page.getByText(/^Last changed by /)).toBeVisible();
  await app.page.getByRole('button', { name: 'Close item' }).click();
  await app.page.getByRole('searchbox', { name: 'Search' }).fill('');
  await openTransfer(app.page); // opening the item closed it

  // Export in each format, import each into a fresh collection: the same items come back.
  const json = await exportAs(app.page, 'Export JSON');
  const exported = JSON.parse(json.toString('utf8')) as Record[];
  expect(exported).toHaveLength(997);
  const zip = await exportAs(app.page, 'Export Markdown (zip)');
  const binary = await exportAs(app.page, 'Export Automerge binary');

  for (const [name, buffer, mimeType] of [
    ['again.json', json, 'application/json'],
    ['again.zip', zip, 'application/zip'],
    ['again.automerge', binary, 'application/octet-stream'],
  ] as const) {
    await app.createCollection(`Round trip ${name}`);
    await openTransfer(app.page);
    await importInput(app.page).setInputFiles({ name, mimeType, buffer });
    await expect(app.page.getByRole('status').filter({ hasText: 'Imported 997 items.' })).toBeVisible({
      timeout: 60_000,
    });
    const again = JSON.parse((await exportAs(app.page, 'Export JSON')).toString('utf8')) as Record[];
    expect(sorted(again), name).toEqual(sorted(exported));
  }
});

test('bad files get a clear error and nothing is imported', async ({ relay, newDevice }) => {
  const app = await AppPage.open(await newDevice(), relay.appUrl);
  await app.createCollection('Careful');
  await openTransfer(app.page);
  const status = app.page.getByRole('status').filter({ hasText: /Nothing was imported|larger than/ });
  const problems = app.page.getByRole('list', { name: 'Import problems' }).getByRole('listitem');

  await importInput(app.page).setInputFiles({
    name: 'notes.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{ not json'),
  });
  await expect(problems).toHaveText([/notes\.json: Not valid JSON/]);
  await expect(app.page.getByText('Nothing was imported.')).toBeVisible();

  await importInput(app.page).setInputFiles({
    name: 'object.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"title":"x"}'),
  });
  await expect(problems).toHaveText([/object\.json: .*array/i]);

  const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  await importInput(app.page).setInputFiles({ name: 'junk.md', mimeType: 'text/markdown', buffer: junk });
  await expect(problems).toHaveText([/junk\.md: Not a text file/i]);

  const big = path.join(os.tmpdir(), `pinax-50mb-${process.pid}.json`);
  await fs.promises.writeFile(big, Buffer.alloc(50 * 1024 * 1024, 0x20));
  try {
    await importInput(app.page).setInputFiles(big);
    await expect(app.page.getByRole('alert')).toContainText('larger than 20 MB. Nothing was imported.');
  } finally {
    await fs.promises.rm(big, { force: true });
  }
  void status;
  await expect(app.page.getByText('0 items', { exact: true })).toBeVisible();
  await expect(app.items()).toHaveCount(0);
});
