// A raw client for the relay's /sync endpoint, for sending it things no well-behaved peer would:
// a minimal CBOR encoder (enough for protocol-shaped maps) and a WebSocket wrapper that records how
// the relay closed it.

import WebSocket from 'ws';

export type CborValue =
  string | number | boolean | null | Uint8Array | CborValue[] | { [key: string]: CborValue };

/** Encodes maps, arrays, text and byte strings, small integers, booleans and null as CBOR. */
export function cbor(value: CborValue): Uint8Array {
  const out: number[] = [];
  const head = (major: number, length: number) => {
    if (length < 24) out.push((major << 5) | length);
    else if (length < 0x100) out.push((major << 5) | 24, length);
    else if (length < 0x10000) out.push((major << 5) | 25, length >> 8, length & 0xff);
    else
      out.push(
        (major << 5) | 26,
        (length >>> 24) & 0xff,
        (length >> 16) & 0xff,
        (length >> 8) & 0xff,
        length & 0xff,
      );
  };
  const write = (v: CborValue): void => {
    if (v === null) out.push(0xf6);
    else if (v === true) out.push(0xf5);
    else if (v === false) out.push(0xf4);
    else if (typeof v === 'number') {
      if (!Number.isInteger(v) || Math.abs(v) > 0xffffffff) throw new Error('cbor: only 32-bit integers');
      if (v >= 0) head(0, v);
      else head(1, -1 - v);
    } else if (typeof v === 'string') {
      const bytes = Buffer.from(v, 'utf8');
      head(3, bytes.length);
      out.push(...bytes);
    } else if (v instanceof Uint8Array) {
      head(2, v.length);
      out.push(...v);
    } else if (Array.isArray(v)) {
      head(4, v.length);
      v.forEach(write);
    } else {
      const entries = Object.entries(v);
      head(5, entries.length);
      for (const [key, item] of entries) {
        write(key);
        write(item);
      }
    }
  };
  write(value);
  return Uint8Array.from(out);
}

export interface RawSocket {
  socket: WebSocket;
  /** Resolves with the close code and reason once the connection is closed (by either side). */
  closed: Promise<{ code: number; reason: string }>;
  /** Sends and waits until the frame is written to the network (or the send fails). */
  send(data: Uint8Array | string): Promise<void>;
}

export async function openRawSocket(syncUrl: string): Promise<RawSocket> {
  const socket = new WebSocket(syncUrl);
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  // A relay that cuts us off mid-send is one of the expected outcomes, not a test error.
  socket.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    closed,
    send: (data) =>
      new Promise<void>((resolve) => {
        if (socket.readyState !== WebSocket.OPEN) return resolve();
        socket.send(data, () => resolve());
      }),
  };
}

export function randomBytes(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 65536)
    crypto.getRandomValues(bytes.subarray(i, Math.min(length, i + 65536)));
  return bytes;
}
