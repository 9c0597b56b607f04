// Arrays of non-negative integers as compact ASCII strings, for the index snapshot: each number is a
// little-endian varint of 5-bit digits, one URL-safe base64 character per digit (bit 5 set: more
// digits follow). Numbers below 32 take one character, below 1,024 two.
//
// A JSON array of numbers takes a character per decimal digit plus a comma, and JSON.parse makes a
// JS number of each; a long string is read by JSON.parse at memory speed and decoded here by a tight
// loop straight into typed arrays, several times faster on a snapshot's millions of postings.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DIGITS = new Int8Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DIGITS[ALPHABET.charCodeAt(i)] = i;
const CODES = Uint8Array.from(ALPHABET, (c) => c.charCodeAt(0));

/** Appends integers in [0, 2^31) to a growing encoding. */
export class IntWriter {
  #bytes: Uint8Array;
  #at = 0;

  constructor(expected = 64) {
    this.#bytes = new Uint8Array(Math.max(16, expected));
  }

  push(value: number): void {
    if (this.#at + 7 > this.#bytes.length) {
      const grown = new Uint8Array(this.#bytes.length * 2);
      grown.set(this.#bytes);
      this.#bytes = grown;
    }
    let v = value;
    while (v >= 32) {
      this.#bytes[this.#at++] = CODES[(v & 31) | 32]!;
      v >>>= 5;
    }
    this.#bytes[this.#at++] = CODES[v]!;
  }

  toString(): string {
    return new TextDecoder().decode(this.#bytes.subarray(0, this.#at));
  }
}

/**
 * Decodes exactly `count` numbers, each at most `max`, into `out[0…count)`; false when `text` is
 * not a string holding exactly that.
 */
export function unpackInto(
  text: unknown,
  out: Int32Array | Uint16Array,
  count: number,
  max: number,
): boolean {
  if (typeof text !== 'string' || out.length < count) return false;
  // Walked as the string's own characters: a byte copy (TextEncoder) costs as much again in
  // allocation and garbage collection on a cold start, when this runs once on megabytes. A character
  // above 255 is masked into the table's range, so it must be checked apart.
  let n = 0;
  let value = 0;
  let shift = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code > 127 ? -1 : DIGITS[code]!;
    // At most 7 digits, the 7th only 0 or 1 (31 bits in all).
    if (digit < 0 || (shift === 30 && digit > 1)) return false;
    value |= (digit & 31) << shift;
    if (digit >= 32) shift += 5;
    else {
      if (n === count || value > max) return false;
      out[n++] = value;
      value = 0;
      shift = 0;
    }
  }
  return n === count && shift === 0;
}

export function packInts(values: ArrayLike<number>): string {
  const writer = new IntWriter(values.length + 16);
  for (let i = 0; i < values.length; i++) writer.push(values[i]!);
  return writer.toString();
}

/** The integers `packInts` encoded, or undefined when `text` is not such an encoding. */
export function unpackInts(text: unknown): Int32Array | undefined {
  if (typeof text !== 'string') return undefined;
  // Every number ends with exactly one digit below 32.
  let count = 0;
  for (let i = 0; i < text.length; i++) if ((DIGITS[text.charCodeAt(i) & 0xff] ?? -1) < 32) count++;
  const out = new Int32Array(count);
  return unpackInto(text, out, count, 0x7fffffff) ? out : undefined;
}
