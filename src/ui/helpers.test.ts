import { describe, expect, it } from 'vitest';
import { diffRegion } from './caret.ts';
import { makeCoalescingWriter } from './coalescing-writer.ts';
import { parseRoute } from './router.ts';

describe('parseRoute', () => {
  it('reads collection and item links', () => {
    expect(parseRoute('')).toEqual({ page: 'home' });
    expect(parseRoute('#/c/4A99ZhYT6yPofUbog5W3ef1HaeE1')).toEqual({
      page: 'collection',
      collectionId: '4A99ZhYT6yPofUbog5W3ef1HaeE1',
      itemId: null,
    });
    expect(parseRoute('#/c/4A99ZhYT6yPofUbog5W3ef1HaeE1/i/abc_-1')).toMatchObject({ itemId: 'abc_-1' });
  });

  it.each([
    '#/x',
    '#/c/',
    '#/c/0OIl-not-base58',
    '#/c/%E0%A4%A',
    '#/c/4A99ZhYT6yPofUbog5W3ef1HaeE1/i/<script>',
  ])('explains a malformed link %s', (hash) => {
    const route = parseRoute(hash);
    expect(route.page).toBe('invalid');
  });
});

describe('coalescing writer', () => {
  it('sends at once, keeps one write in flight, and always lands the latest value', async () => {
    const sent: string[] = [];
    const releases: Array<() => void> = [];
    const writer = makeCoalescingWriter<string>(
      (value) => {
        sent.push(value);
        return new Promise<void>((resolve) => releases.push(resolve));
      },
      () => undefined,
    );
    writer.write('a');
    writer.write('ab');
    writer.write('abc');
    expect(sent).toEqual(['a']);
    expect(writer.busy()).toBe(true);
    releases.shift()?.();
    await Promise.resolve();
    expect(sent).toEqual(['a', 'abc']);
    releases.shift()?.();
    await Promise.resolve();
    expect(writer.busy()).toBe(false);
  });

  it('reports a failed write and keeps going', async () => {
    const errors: unknown[] = [];
    const writer = makeCoalescingWriter<string>(
      (value) => (value === 'bad' ? Promise.reject(new Error('nope')) : Promise.resolve()),
      (error) => errors.push(error),
    );
    writer.write('bad');
    writer.write('good');
    await new Promise((r) => setTimeout(r, 0));
    expect(errors).toHaveLength(1);
    expect(writer.busy()).toBe(false);
  });
});

describe('diffRegion', () => {
  it('finds where a remote edit starts and how much it grew', () => {
    expect(diffRegion('The quick fox', 'The very quick fox')).toEqual({ start: 4, delta: 5 });
    expect(diffRegion('abc', 'abc')).toEqual({ start: 3, delta: 0 });
  });
});

describe('variant', () => {
  it('narrows a tagged union or gives undefined', async () => {
    const { variant } = await import('./variant.ts');
    type Shape = { kind: 'a'; x: number } | { kind: 'b'; y: string };
    const value = { kind: 'b', y: 'hi' } as Shape;
    expect(variant(value, 'kind', 'b')?.y).toBe('hi');
    expect(variant(value, 'kind', 'a')).toBeUndefined();
  });
});
