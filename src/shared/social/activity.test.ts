import { ImmutableString } from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { CertifiedDevice } from '../identity/testing.ts';
import { newCertifiedDevice } from '../identity/testing.ts';
import type { ActivityAction } from './activity.ts';
import { readActivity, signActivity } from './activity.ts';

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
});
