// Reads the header of an Automerge change chunk (its dependencies and message) without decoding its
// operations. The guards look at every change a peer sends, and `Automerge.decodeChange` turns all
// of a change's operations into JavaScript: ~46 µs for a one-item edit and ~41 ms for a 1,000-item
// import batch on this machine, where the header alone is a few microseconds whatever the size.
//
// Layout (Automerge binary format, change chunk): magic (4 bytes), checksum (4), chunk type (1),
// body length (uLEB128), then the body: dependency count (uLEB) and each 32-byte hash, actor (uLEB
// length + bytes), seq (uLEB), start op (uLEB), time (sLEB), message (uLEB length + UTF-8; length 0
// for none), then other actors and the operation columns, which are not read here.

export interface ChangeHeader {
  /** Hex hashes of the changes this one builds on. */
  deps: string[];
  /** The change's time, milliseconds since the epoch as its author's clock said (0 for none). */
  time: number;
  /** The change's message; null when it has none. */
  message: string | null;
  /** Where the header ends in the chunk: the rest holds the other actors and the operations. */
  end: number;
}

/** Chunk type of a single, uncompressed change. */
export const CHANGE_CHUNK = 1;

/**
 * The header of a single uncompressed change chunk; undefined for any other chunk (a whole
 * document, a compressed change). Throws on a truncated or malformed chunk.
 */
export function changeHeaderOf(chunk: Uint8Array): ChangeHeader | undefined {
  if (chunk[8] !== CHANGE_CHUNK) return undefined;
  const reader = new Reader(chunk, 9);
  reader.uleb(); // body length
  const depCount = reader.uleb();
  const deps: string[] = [];
  for (let i = 0; i < depCount; i++) deps.push(toHex(reader.bytes(32)));
  reader.bytes(reader.uleb()); // actor
  reader.uleb(); // seq
  reader.uleb(); // start op
  const time = reader.sleb();
  const messageLength = reader.uleb();
  const message = messageLength === 0 ? null : TEXT.decode(reader.bytes(messageLength));
  return { deps, time, message, end: reader.at };
}

// ---- helpers ----

const TEXT = new TextDecoder('utf-8', { fatal: true });

class Reader {
  #bytes: Uint8Array;
  #at: number;

  constructor(bytes: Uint8Array, at: number) {
    this.#bytes = bytes;
    this.#at = at;
  }

  get at(): number {
    return this.#at;
  }

  bytes(length: number): Uint8Array {
    const end = this.#at + length;
    if (end > this.#bytes.length) throw new Error('truncated change header');
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
    const byte = this.#bytes[this.#at++];
    if (byte === undefined) throw new Error('truncated change header');
    return byte;
  }
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
