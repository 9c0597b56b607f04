import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IntWriter, packInts, unpackInto, unpackInts } from './packed-ints.ts';

describe('packed integers', () => {
  it('round-trips any integers in [0, 2^31)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0x7fffffff })), (values) => {
        expect([...(unpackInts(packInts(values)) ?? [])]).toEqual(values);
      }),
    );
  });

  it('takes one character below 32 and two below 1,024', () => {
    expect(packInts([0, 31])).toHaveLength(2);
    expect(packInts([32, 1023])).toHaveLength(4);
    expect(packInts([0x7fffffff])).toHaveLength(7);
    const writer = new IntWriter(1);
    for (let i = 0; i < 1000; i++) writer.push(i);
    expect([...(unpackInts(writer.toString()) ?? [])]).toEqual(Array.from({ length: 1000 }, (_, i) => i));
  });

  it('refuses anything that is not such an encoding', () => {
    expect(unpackInts(42)).toBeUndefined();
    expect(unpackInts(null)).toBeUndefined();
    expect(unpackInts('AB!')).toBeUndefined();
    expect(unpackInts('Aé')).toBeUndefined();
    // A number left open (its last digit says more follow).
    expect(unpackInts('Ag')).toBeUndefined();
    // More than 31 bits.
    expect(unpackInts('_______')).toBeUndefined();
    expect(unpackInts('gggggC')).toBeDefined();
    expect(unpackInts('ggggggC')).toBeUndefined();
    expect(unpackInts('')).toEqual(new Int32Array(0));
  });

  it('decodes exactly the expected count into a typed array, within a maximum', () => {
    const text = packInts([1, 2, 70_000]);
    expect(unpackInto(text, new Int32Array(3), 3, 0x7fffffff)).toBe(true);
    expect(unpackInto(text, new Int32Array(3), 2, 0x7fffffff)).toBe(false);
    expect(unpackInto(text, new Int32Array(4), 4, 0x7fffffff)).toBe(false);
    expect(unpackInto(text, new Uint16Array(3), 3, 0xffff)).toBe(false);
    expect(unpackInto(text, new Int32Array(2), 3, 0x7fffffff)).toBe(false);
    expect(unpackInto(undefined, new Int32Array(3), 3, 0x7fffffff)).toBe(false);
  });
});
