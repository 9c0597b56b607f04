import { ImmutableString } from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { DidKey } from '../identity/did-key.ts';
import type { CertifiedDevice } from '../identity/testing.ts';
import { newCertifiedDevice } from '../identity/testing.ts';
import type { Reaction } from './reactions.ts';
import { collectionReactions, itemReactions, signReaction } from './reactions.ts';

type Member = CertifiedDevice;
const newMember = newCertifiedDevice;

/** A reaction without its author, who is the member signing it. */
type Unsigned = Reaction extends infer R ? (R extends Reaction ? Omit<R, 'user'> : never) : never;

async function entry(member: Member, reaction: Unsigned): Promise<ImmutableString> {
  const signed = await signReaction(member.deviceKey, member.device, member.chain, {
    ...reaction,
    user: member.user,
  });
  return new ImmutableString(JSON.stringify(signed));
}

const base = { collection: 'c1', item: 'i1' };

describe('item reactions', () => {
  it('counts signed likes (latest per member) and lists comments in order', async () => {
    const [ada, bo] = await Promise.all([newMember(), newMember()]);
    const entries = [
      await entry(ada, { kind: 'like', on: true, at: 1, ...base }),
      await entry(bo, { kind: 'like', on: true, at: 2, ...base }),
      await entry(bo, { kind: 'like', on: false, at: 3, ...base }),
      await entry(bo, { kind: 'comment', id: 'x', name: 'Bo', text: 'Second', at: 5, ...base }),
      await entry(ada, { kind: 'comment', id: 'y', name: 'Ada', text: 'First', at: 4, ...base }),
      // Another item's and another collection's entries are not this item's.
      await entry(ada, { kind: 'like', on: true, at: 6, collection: 'c1', item: 'i2' }),
      await entry(bo, { kind: 'like', on: true, at: 7, collection: 'c2', item: 'i1' }),
    ];
    const reactions = await itemReactions('c1', 'i1', entries, () => true);
    expect(reactions.likes).toEqual([ada.user]);
    expect(reactions.comments.map((c) => [c.text, c.verified])).toEqual([
      ['First', true],
      ['Second', true],
    ]);
    expect(reactions.unverified).toBe(0);
  });

  it('marks tampered entries and non-members’ entries unverified, and never counts them', async () => {
    const [ada, stranger] = await Promise.all([newMember(), newMember()]);
    const genuine = JSON.parse(
      (await entry(ada, { kind: 'comment', id: 'x', name: 'Ada', text: 'Nice', at: 1, ...base })).toString(),
    ) as { reaction: { text: string } };
    genuine.reaction.text = 'Rewritten by someone else';
    const forgedLike = JSON.parse(
      (await entry(ada, { kind: 'like', on: true, at: 2, ...base })).toString(),
    ) as {
      reaction: { at: number };
    };
    forgedLike.reaction.at = 99;
    const entries = [
      new ImmutableString(JSON.stringify(genuine)),
      new ImmutableString(JSON.stringify(forgedLike)),
      await entry(stranger, { kind: 'like', on: true, at: 3, ...base }),
      await entry(stranger, { kind: 'comment', id: 'z', name: 'Eve', text: 'Spam', at: 4, ...base }),
      new ImmutableString('not json'),
      'not even an ImmutableString',
    ];
    const isMember = (user: DidKey) => user === ada.user;
    const reactions = await itemReactions('c1', 'i1', entries, isMember);
    expect(reactions.likes).toEqual([]);
    expect(reactions.comments.map((c) => [c.text, c.verified])).toEqual([
      ['Rewritten by someone else', false],
      ['Spam', false],
    ]);
    expect(reactions.unverified).toBe(4);
  });

  it('lists a collection’s comments and likes as news, oldest first, without withdrawn likes', async () => {
    const [ada, stranger] = await Promise.all([newMember(), newMember()]);
    const entries = [
      await entry(ada, {
        kind: 'comment',
        id: 'x',
        name: 'Ada',
        text: 'Later',
        at: 3,
        collection: 'c1',
        item: 'i2',
      }),
      await entry(ada, { kind: 'like', on: true, at: 1, ...base }),
      await entry(ada, { kind: 'like', on: false, at: 2, ...base }),
      await entry(stranger, { kind: 'comment', id: 'y', name: 'Eve', text: 'Spam', at: 4, ...base }),
      await entry(ada, {
        kind: 'comment',
        id: 'z',
        name: 'Ada',
        text: 'Elsewhere',
        at: 5,
        collection: 'c2',
        item: 'i1',
      }),
    ];
    const news = await collectionReactions('c1', entries, (user) => user === ada.user);
    expect(news.map((n) => [n.kind, n.item, n.text, n.verified])).toEqual([
      ['like', 'i1', '', true],
      ['comment', 'i2', 'Later', true],
      ['comment', 'i1', 'Spam', false],
    ]);
  });
});
