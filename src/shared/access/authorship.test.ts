import { describe, expect, it } from 'vitest';
import { forgesAuthor } from './authorship.ts';

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
