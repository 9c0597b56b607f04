import { describe, expect, it } from 'vitest';
import { LIMITS, checkBody, checkName, checkTitle, parseTags, utf8ByteLength } from './limits.ts';
import { parseTabMessage } from './protocol.ts';

describe('parseTabMessage', () => {
  it('accepts well-formed messages', () => {
    expect(parseTabMessage({ t: 'hello', v: 1 })).toEqual({ t: 'hello', v: 1 });
    expect(parseTabMessage({ t: 'cmd', id: 3, cmd: { type: 'createCollection', name: 'A' } })).toEqual({
      t: 'cmd',
      id: 3,
      cmd: { type: 'createCollection', name: 'A' },
    });
    expect(
      parseTabMessage({
        t: 'cmd',
        id: 4,
        cmd: { type: 'updateItem', collectionId: 'c', itemId: 'i', tags: ['a'] },
      }),
    ).toMatchObject({ cmd: { type: 'updateItem', tags: ['a'] } });
    expect(
      parseTabMessage({ t: 'sub', id: 5, sub: { type: 'item', collectionId: 'c', itemId: 'i' } }),
    ).toMatchObject({
      t: 'sub',
    });
  });

  it("passes a search's request for answers ahead through only as true", () => {
    const search = (extra: Record<string, unknown>) =>
      parseTabMessage({ t: 'sub', id: 6, sub: { type: 'search', query: 'mea', ...extra } });
    expect(search({ ahead: true })).toEqual({
      t: 'sub',
      id: 6,
      sub: { type: 'search', query: 'mea', ahead: true },
    });
    expect(search({ ahead: false })).toEqual({ t: 'sub', id: 6, sub: { type: 'search', query: 'mea' } });
    expect(search({ ahead: 'yes' })).toBe('bad search ahead');
  });

  it.each([
    null,
    42,
    'hello',
    [],
    { t: 'cmd' },
    { t: 'cmd', id: 1.5, cmd: { type: 'createCollection', name: 'x' } },
    { t: 'cmd', id: 1, cmd: { type: 'nope' } },
    { t: 'cmd', id: 1, cmd: { type: 'updateItem', collectionId: 'c' } },
    { t: 'cmd', id: 1, cmd: { type: 'updateItem', collectionId: 'c', itemId: 'i', title: 7 } },
    { t: 'cmd', id: 1, cmd: { type: 'updateItem', collectionId: 'c', itemId: 'i', tags: 'a,b' } },
    { t: 'cmd', id: 1, cmd: { type: 'createCollection', name: 'x'.repeat(LIMITS.rpcMaxStringChars + 1) } },
    { t: 'sub', id: 1, sub: { type: 'collection' } },
    { t: 'unsub' },
    { t: 'evil', id: 1 },
  ])('rejects junk %#', (junk) => {
    expect(typeof parseTabMessage(junk)).toBe('string');
  });

  it('drops unknown extra fields instead of passing them through', () => {
    const parsed = parseTabMessage({
      t: 'cmd',
      id: 1,
      cmd: { type: 'deleteItem', collectionId: 'c', itemId: 'i', x: 1 },
    });
    expect(parsed).toEqual({ t: 'cmd', id: 1, cmd: { type: 'deleteItem', collectionId: 'c', itemId: 'i' } });
  });
});

describe('limits', () => {
  it('bounds names to 1..200 characters', () => {
    expect(checkName('')).toMatchObject({ field: 'name' });
    expect(checkName('   ')).toMatchObject({ field: 'name' });
    expect(checkName('a'.repeat(200))).toBeUndefined();
    expect(checkName('a'.repeat(201))?.message).toMatch(/201 of at most 200/);
  });

  it('bounds titles to 1,000 characters and bodies to 1 MB of UTF-8', () => {
    expect(checkTitle('a'.repeat(1_000))).toBeUndefined();
    expect(checkTitle('a'.repeat(1_001))).toMatchObject({ field: 'title' });
    expect(checkBody('a'.repeat(1_000_000))).toBeUndefined();
    expect(checkBody('a'.repeat(1_000_001))).toMatchObject({ field: 'body' });
    expect(checkBody('é'.repeat(500_001))).toMatchObject({ field: 'body' });
  });

  it('counts UTF-8 bytes like TextEncoder', () => {
    // Shared code is typed without DOM or Node globals; the test runs in Node, which has TextEncoder.
    const encoder = new (
      globalThis as unknown as { TextEncoder: new () => { encode(s: string): Uint8Array } }
    ).TextEncoder();
    for (const text of ['', 'abc', 'é', '€', '😀', 'a😀é€\u{10FFFF}', '\uD800x']) {
      expect(utf8ByteLength(text)).toBe(encoder.encode(text).length);
    }
  });

  it('parses comma-separated tags as a set', () => {
    expect(parseTags(' a, b ,, a,c ')).toEqual(['a', 'b', 'c']);
  });
});

describe('addItems', () => {
  it('accepts a batch and names the position of a bad record', () => {
    expect(
      parseTabMessage({
        t: 'cmd',
        id: 1,
        cmd: { type: 'addItems', collectionId: 'c', items: [{ title: 'a' }, {}] },
      }),
    ).toMatchObject({ cmd: { items: [{ title: 'a' }, {}] } });
    expect(
      parseTabMessage({
        t: 'cmd',
        id: 1,
        cmd: { type: 'addItems', collectionId: 'c', items: [{}, { title: 5 }] },
      }),
    ).toBe('item 2: title must be a string');
    expect(
      typeof parseTabMessage({ t: 'cmd', id: 1, cmd: { type: 'addItems', collectionId: 'c', items: [] } }),
    ).toBe('string');
  });
});

describe('body limit message', () => {
  it('gives exact byte counts just over the limit', () => {
    expect(checkBody('a'.repeat(1_000_001))?.message).toContain('1,000,001 bytes of at most 1,000,000 bytes');
  });
});
