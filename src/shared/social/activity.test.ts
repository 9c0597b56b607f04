import { ImmutableString } from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { CertifiedDevice } from '../identity/testing.ts';
import { newCertifiedDevice } from '../identity/testing.ts';
import type { ActivityAction } from './activity.ts';
import type { Role } from '../access/entries.ts';
import { readActivity, signActivity, type RoleLookup } from './activity.ts';

type Author = CertifiedDevice;
const newAuthor = newCertifiedDevice;

async function entry(author: Author, action: ActivityAction, at: number): Promise<string> {
  const activity = { ...action, id: `e${at}`, user: author.user, name: 'Bo', at };
  return JSON.stringify(await signActivity(author.deviceKey, author.device, author.chain, activity));
}

const comment: ActivityAction = {
  verb: 'comment',
  collection: 'c',
  item: 'i',
  title: 'Dune',
  text: 'A classic.',
};

describe('activity streams', () => {
  it('verifies the owner’s signed entries', async () => {
    const bo = await newAuthor();
    const views = await readActivity(bo.user, [
      new ImmutableString(await entry(bo, comment, 1)),
      new ImmutableString(await entry(bo, { verb: 'publish', collection: 'c', title: 'Books' }, 2)),
    ]);
    expect(views.map((v) => [v.verb, v.verified])).toEqual([
      ['comment', true],
      ['publish', true],
    ]);
  });

  it('marks a tampered entry, or one by someone else, unverified; skips junk', async () => {
    const [bo, eve] = await Promise.all([newAuthor(), newAuthor()]);
    const tampered = JSON.parse(await entry(bo, comment, 1)) as { activity: { text: string } };
    tampered.activity.text = 'Something Bo never said';
    const views = await readActivity(bo.user, [
      new ImmutableString(JSON.stringify(tampered)),
      // Eve's own valid entry, written into Bo's stream.
      new ImmutableString(await entry(eve, comment, 2)),
      new ImmutableString('{"activity": {"verb": "launch"}}'),
      42,
    ]);
    expect(views.map((v) => [v.verb === 'comment' ? v.text : v.verb, v.verified])).toEqual([
      ['Something Bo never said', false],
      ['A classic.', false],
    ]);
  });

  it('marks an entry unverified when its author had no right to act in the collection', async () => {
    const bo = await newAuthor();
    const roles: Record<string, Role | null> = {
      owned: 'owner',
      edited: 'editor',
      viewed: 'viewer',
      foreign: null,
    };
    const asked: string[] = [];
    const roleOf: RoleLookup = (collection, user) => {
      asked.push(collection);
      return Promise.resolve(user === bo.user ? roles[collection] : null);
    };
    const actions: ActivityAction[] = [
      { verb: 'publish', collection: 'owned', title: 'Mine' },
      { verb: 'publish', collection: 'edited', title: 'Not mine' },
      { verb: 'tag', collection: 'edited', item: 'i', title: 'Dune', tag: 'sf' },
      { verb: 'tag', collection: 'viewed', item: 'i', title: 'Dune', tag: 'sf' },
      { ...comment, collection: 'viewed' },
      { ...comment, collection: 'foreign' },
      { verb: 'like', collection: 'foreign', item: 'i', title: 'Dune' },
      // A collection this device does not hold: only the signature can be checked.
      { verb: 'publish', collection: 'unknown', title: 'Elsewhere' },
      { verb: 'follow', title: 'Ann', followed: 'did:key:z6Mkf' },
    ];
    const texts = await Promise.all(actions.map((action, i) => entry(bo, action, i)));
    const views = await readActivity(bo.user, texts, new Map(), roleOf);
    expect(views.map((v) => v.verified)).toEqual([true, false, true, false, true, false, false, true, true]);
    expect(asked).toHaveLength(8); // a follow names no collection
  });
});
