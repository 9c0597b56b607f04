// A cursor over the bytes of an Automerge chunk: raw byte ranges and LEB128 integers, the two
// encodings its headers and columns are made of. Every read checks its bounds and throws on
// truncated or overlong input, which callers treat as a malformed chunk.

export class ByteReader {
  #bytes: Uint8Array;
  #at: number;
  #end: number;

  /** Reads `bytes` from `at` up to `end` (default: the end of `bytes`). */
  constructor(bytes: Uint8Array, at: number, end = bytes.length) {
    this.#bytes = bytes;
    this.#at = at;
    this.#end = Math.min(end, bytes.length);
  }

  get at(): number {
    return this.#at;
  }

  get done(): boolean {
    return this.#at >= this.#end;
  }

  bytes(length: number): Uint8Array {
    const end = this.#at + length;
    if (end > this.#end) throw new Error('truncated chunk');
    const out = this.#bytes.subarray(this.#at, end);
    this.#at = end;
    return out;
  }

  uleb(): number {
    let value = 0;
    for (let shift = 0; shift < 56; shift += 7) {
      const byte = this.#next();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    throw new Error('uLEB128 value too long');
  }

  sleb(): number {
    let value = 0;
    for (let shift = 0; shift < 63; shift += 7) {
      const byte = this.#next();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return byte & 0x40 ? value - 2 ** (shift + 7) : value;
    }
    throw new Error('sLEB128 value too long');
  }

  #next(): number {
    if (this.#at >= this.#end) throw new Error('truncated chunk');
    return this.#bytes[this.#at++]!;
  }
}
