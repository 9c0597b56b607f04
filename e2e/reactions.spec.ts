// Comments and likes in real browsers against a real relay: a viewer (a member) likes and comments,
// the owner sees both and likes too; a stranger with the link sees them but cannot react.

import { ImmutableString, type AutomergeUrl, type DocHandle } from '@automerge/automerge-repo';
import { waitForRelayToHave } from '../src/server/testing/clients.ts';
import { connectDevice, linkDevice, type DeviceClient } from '../src/server/testing/device-client.ts';
import { AppPage, expect, test, type Fixtures } from './support/fixtures.ts';

test('members like and comment on an item; everyone sees it; a stranger cannot react', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const url = await a.createCollection('Book club');
  await a.newItem({ title: 'Dune' });
  await a.writesSettled();

  const b = await AppPage.open(await newDevice({ label: 'B' }), relay.appUrl);
  await b.setDisplayName('Bo');
  await expect(b.page.getByRole('button', { name: /^You: Bo,/ })).toBeVisible();
  await a.addMember(await b.userKey(), 'viewer');
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });

  await b.page.evaluate((hash) => (location.hash = hash), new URL(url).hash);
  await expect(b.rowTitles()).toHaveText(['Dune'], { timeout: 30_000 });
  await b.items().filter({ hasText: 'Dune' }).getByRole('link').click();
  const bReactions = b.page.getByRole('region', { name: 'Comments and likes' });
  await bReactions.getByRole('button', { name: 'Like (0)' }).click();
  await expect(bReactions.getByRole('button', { name: 'Liked (1)' })).toHaveAttribute('aria-pressed', 'true');
  await bReactions.getByRole('textbox', { name: 'Add a comment' }).fill('A classic.');
  await bReactions.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(bReactions.getByRole('list', { name: 'Comments' }).getByRole('listitem')).toHaveCount(1);

  await a.openItem('Dune');
  const aReactions = a.page.getByRole('region', { name: 'Comments and likes' });
  const aComments = aReactions.getByRole('list', { name: 'Comments' }).getByRole('listitem');
  await expect(aComments).toHaveCount(1, { timeout: 30_000 });
  await expect(aComments.first()).toContainText('Bo');
  await expect(aComments.first()).toContainText('A classic.');
  await expect(aComments.first()).not.toContainText('unverified');
  await aReactions.getByRole('button', { name: 'Like (1)' }).click();
  await expect(bReactions.getByRole('button', { name: 'Liked (2)' })).toBeVisible({ timeout: 30_000 });

  const c = await AppPage.open(await newDevice({ label: 'C' }), url);
  await expect(c.rowTitles()).toHaveText(['Dune'], { timeout: 30_000 });
  await c.items().filter({ hasText: 'Dune' }).getByRole('link').click();
  const cReactions = c.page.getByRole('region', { name: 'Comments and likes' });
  await expect(cReactions.getByRole('list', { name: 'Comments' }).getByRole('listitem')).toHaveCount(1, {
    timeout: 30_000,
  });
  await expect(cReactions.getByRole('button', { name: 'Like (2)' })).toBeDisabled();
  await expect(cReactions.getByRole('textbox', { name: 'Add a comment' })).toHaveCount(0);
});

test('a reader made a member while the item is open can react at once, without opening it again', async ({
  relay,
  newDevice,
}) => {
  const { a, other: b } = await oneItemOpenedElsewhere({ relay, newDevice }, 'Book club', 'Dune', 'B');
  await b.items().filter({ hasText: 'Dune' }).getByRole('link').click();
  const bReactions = b.page.getByRole('region', { name: 'Comments and likes' });
  await expect(bReactions.getByRole('button', { name: 'Like (0)' })).toBeDisabled();

  await a.addMember(await b.userKey(), 'viewer');
  await expect(bReactions.getByRole('button', { name: 'Like (0)' })).toBeEnabled({ timeout: 30_000 });
  await bReactions.getByRole('button', { name: 'Like (0)' }).click();
  await expect(bReactions.getByRole('button', { name: 'Liked (1)' })).toHaveAttribute('aria-pressed', 'true');
});

test('following a commenter puts their activity in the Feed, newest first; a tampered entry shows unverified; tagging shows', async ({
  relay,
  newDevice,
}) => {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const url = await a.createCollection('Reading list');
  await a.newItem({ title: 'Solaris' });
  await a.writesSettled();
  const b = await AppPage.open(await newDevice({ label: 'B' }), relay.appUrl);
  await a.shareForEditing(b);
  await b.page.evaluate((hash) => (location.hash = hash), new URL(url).hash);
  await b.openItem('Solaris');
  const bReactions = b.page.getByRole('region', { name: 'Comments and likes' });
  await bReactions.getByRole('button', { name: 'Like (0)' }).click();
  await expect(bReactions.getByRole('button', { name: 'Liked (1)' })).toBeVisible();
  await bReactions.getByRole('textbox', { name: 'Add a comment' }).fill('Strange and wonderful.');
  await bReactions.getByRole('button', { name: 'Comment', exact: true }).click();
  await expect(bReactions.getByRole('list', { name: 'Comments' }).getByRole('listitem')).toHaveCount(1);
  await expect(b.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });

  await a.openItem('Solaris');
  const aComment = a.page
    .getByRole('region', { name: 'Comments and likes' })
    .getByRole('list', { name: 'Comments' })
    .getByRole('listitem');
  await expect(aComment).toHaveCount(1, { timeout: 30_000 });
  await aComment.getByRole('button', { name: /^Follow / }).click();
  await expect(aComment).toContainText('Following');

  await a.page.getByRole('link', { name: 'Feed', exact: true }).click();
  const feed = a.page.getByRole('list', { name: 'Feed' }).getByRole('listitem');
  await expect(feed).toHaveCount(2, { timeout: 30_000 });
  await expect(feed.nth(0)).toContainText('commented on Solaris: “Strange and wonderful.”');
  await expect(feed.nth(1)).toContainText('liked Solaris');
  await expect(a.page.getByRole('list', { name: 'Feed' })).not.toContainText('unverified');

  // Only B's devices may write B's stream: a stranger with a key of its own writes a copy of B's
  // comment with new words, and the relay refuses it (it never reaches A).
  const collectionId = new URL(url).hash.replace('#/c/', '');
  const refusedBefore = await relayMetric(relay.current().url, 'pinax_relay_refused_changes_total');
  const stranger = await connectDevice(relay.current());
  try {
    await forgeComment(stranger, collectionId, 'A stranger’s words.');
    await expect
      .poll(() => relayMetric(relay.current().url, 'pinax_relay_refused_changes_total'))
      .toBeGreaterThan(refusedBefore);
  } finally {
    await stranger.repo.shutdown();
  }

  // So the forger is a compromised device B linked: a stock automerge-repo client in Node. Its
  // copy reaches A, whose feed shows it marked unverified.
  await b.page.getByRole('button', { name: /^You:/ }).click();
  const you = b.page.getByRole('dialog', { name: 'You' });
  await you.getByRole('button', { name: 'Link a device' }).click();
  const pairingLink = await you.getByRole('textbox', { name: 'Pairing link' }).inputValue();
  const compromised = await linkDevice(relay.current(), pairingLink);
  await expect(you.getByRole('region', { name: 'Link a device' }).getByRole('status')).toContainText(
    'is linked',
  );
  await you.getByRole('button', { name: 'Close' }).click();
  const forger = await connectDevice(relay.current(), { device: compromised });
  try {
    await waitForRelayToHave(forger.repo, await forgeComment(forger, collectionId, 'Words Bo never wrote.'));
  } finally {
    await forger.repo.shutdown();
  }
  await expect(feed).toHaveCount(3, { timeout: 30_000 });
  await expect(feed.nth(0)).toContainText('Words Bo never wrote.');
  await expect(feed.nth(0)).toContainText('unverified');
  await expect(feed.nth(1)).not.toContainText('unverified');
  await expect(a.page.getByRole('list', { name: 'Feed' })).not.toContainText('A stranger’s words.');

  // Tagging is news too.
  await b.tags().fill('scifi');
  await b.writesSettled();
  await expect(feed).toHaveCount(4, { timeout: 30_000 });
  await expect(feed.nth(0)).toContainText('tagged Solaris “scifi”');
  await expect(feed.nth(0)).not.toContainText('unverified');
});

test('following a collection puts its members’ comments in the Feed', async ({ relay, newDevice }) => {
  // C only reads the link, and follows the collection.
  const { a, other: c } = await oneItemOpenedElsewhere({ relay, newDevice }, 'Film club', 'Stalker', 'C');
  await (await c.collectionActions()).getByRole('button', { name: 'Follow', exact: true }).click();
  const actions = await c.collectionActions();
  await expect(actions.getByRole('button', { name: 'Following', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );

  await a.openItem('Stalker');
  const reactions = a.page.getByRole('region', { name: 'Comments and likes' });
  await reactions.getByRole('textbox', { name: 'Add a comment' }).fill('See it twice.');
  await reactions.getByRole('button', { name: 'Comment', exact: true }).click();

  await c.page.getByRole('link', { name: 'Feed', exact: true }).click();
  const feed = c.page.getByRole('list', { name: 'Feed' }).getByRole('listitem');
  await expect(feed).toHaveCount(1, { timeout: 30_000 });
  await expect(feed.first()).toContainText('commented on Stalker: “See it twice.”');
  await expect(feed.first()).not.toContainText('unverified');
});

/**
 * Copies the author's comment entry into the author's activity stream with new words, as `client`
 * (the stream is found through the collection's social document); returns the stream.
 */
async function forgeComment(
  client: DeviceClient,
  collectionId: string,
  text: string,
): Promise<DocHandle<{ entries: ImmutableString[] }>> {
  const { repo } = client;
  const collection = await repo.find<{ social: unknown }>(`automerge:${collectionId}` as AutomergeUrl);
  const social = await repo.find<{ entries: unknown[] }>(String(collection.doc().social) as AutomergeUrl);
  const reaction = JSON.parse(String(social.doc().entries[0])) as { reaction: { activity: string } };
  const stream = await repo.find<{ entries: ImmutableString[] }>(reaction.reaction.activity as AutomergeUrl);
  const original = stream
    .doc()
    .entries.map(String)
    .find((entry) => entry.includes('"comment"'));
  const forged = JSON.parse(original!) as { activity: { text: string; id: string; at: number } };
  forged.activity.text = text;
  forged.activity.id = `forged-${Date.now()}`;
  forged.activity.at = Date.now();
  stream.change((doc) => void doc.entries.push(new ImmutableString(JSON.stringify(forged))));
  return stream;
}

async function relayMetric(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(new URL('/metrics', baseUrl))).text();
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  if (!match) throw new Error(`no metric ${name}`);
  return Number(match[1]);
}

/** A makes a collection holding one item, synced to the relay; another device opens its link. */
async function oneItemOpenedElsewhere(
  { relay, newDevice }: Pick<Fixtures, 'relay' | 'newDevice'>,
  collection: string,
  item: string,
  label: string,
): Promise<{ a: AppPage; other: AppPage }> {
  const a = await AppPage.open(await newDevice({ label: 'A' }), relay.appUrl);
  const url = await a.createCollection(collection);
  await a.newItem({ title: item });
  await a.writesSettled();
  await expect(a.syncStatus()).toHaveText(/^Synced$/, { timeout: 30_000 });
  const other = await AppPage.open(await newDevice({ label }), url);
  await expect(other.rowTitles()).toHaveText([item], { timeout: 30_000 });
  return { a, other };
}
