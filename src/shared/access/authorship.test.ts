import { describe, expect, it } from 'vitest';
import { authorClaim, claimedAuthor, forgesAuthor } from './authorship.ts';

const me = 'did:key:zMe';

describe('forgesAuthor', () => {
  it('accepts changes that name their own user, or no one', () => {
    expect(forgesAuthor([{ action: 'set', key: 'author', value: me }], me)).toBe(false);
    expect(forgesAuthor([{ action: 'set', key: 'title', value: 'did:key:zSomeoneElse' }], me)).toBe(false);
    expect(forgesAuthor([{ action: 'set', key: 'author', value: true }], me)).toBe(false); // a tag
    expect(forgesAuthor([{ action: 'del', key: 'author' }], me)).toBe(false);
  });

  it('refuses another user’s name, and an author others could edit', () => {
    expect(forgesAuthor([{ action: 'set', key: 'author', value: 'did:key:zOther' }], me)).toBe(true);
    expect(forgesAuthor([{ action: 'makeText', key: 'author' }], me)).toBe(true);
    expect(forgesAuthor([{ action: 'makeMap', key: 'author' }], me)).toBe(true);
  });
});

describe('author claims', () => {
  it('names the user it was made for', () => {
    expect(claimedAuthor(authorClaim(me))).toBe(me);
  });

  it('names no one in any other message', () => {
    for (const message of [
      null,
      undefined,
      '',
      'a note',
      `${authorClaim(me)} and more`,
      'pinax-author nobody',
    ])
      expect(claimedAuthor(message)).toBeUndefined();
  });
});
