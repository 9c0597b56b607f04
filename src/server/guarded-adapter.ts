// The stock WebSocketServerAdapter, hardened against hostile peers. The base class decodes each
// frame and hands it to the Repo with no checks; a bad frame can throw out of the `message` event
// (crashing the process) or reach storage. Here every frame is decoded and shape-checked first;
// junk is counted and dropped, and a socket that keeps sending junk is closed with 1003.

import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import type { PeerId, PeerMetadata } from '@automerge/automerge-repo';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../shared/log.ts';
import { decodeFrame } from './frames.ts';

/** WebSocket close code for "unsupported data" (RFC 6455). */
export const CLOSE_UNSUPPORTED_DATA = 1003;

export interface GuardOptions {
  log: Logger;
  /** Close a socket once it has sent more than this many rejected frames. */
  maxJunkFrames?: number;
  keepAliveIntervalMs?: number;
}

interface SocketState {
  junk: number;
  peerId?: string;
}

export class GuardedWebSocketServerAdapter extends WebSocketServerAdapter {
  /** Frames dropped because they were not valid protocol messages (all sockets, since start). */
  rejectedFrames = 0;
  /** Sockets closed for sending junk. */
  closedForJunk = 0;

  readonly #log: Logger;
  readonly #maxJunk: number;
  readonly #state = new WeakMap<object, SocketState>();
  #connected!: () => void;
  readonly #whenConnected = new Promise<void>((resolve) => (this.#connected = resolve));

  constructor(server: WebSocketServer, options: GuardOptions) {
    // Same class; @types/ws is seen once through ESM here and once through CJS by isomorphic-ws.
    super(
      server as unknown as ConstructorParameters<typeof WebSocketServerAdapter>[0],
      options.keepAliveIntervalMs ?? 5000,
    );
    this.#log = options.log;
    this.#maxJunk = options.maxJunkFrames ?? 20;
  }

  override connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    super.connect(peerId, peerMetadata);
    this.#connected();
  }

  /** Resolves once the Repo has connected this adapter: only then does it listen for sockets. */
  whenConnected(): Promise<void> {
    return this.#whenConnected;
  }

  override receiveMessage(messageBytes: Uint8Array, socket: WebSocket): void {
    try {
      this.#receive(toBytes(messageBytes), socket);
    } catch (err) {
      // Never let anything escape into ws's event emitter: that would crash the relay.
      this.#reject(socket, `handler threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  #receive(bytes: Uint8Array, socket: WebSocket): void {
    if (bytes.byteLength === 0) {
      this.rejectedFrames++;
      this.#close(socket, 'zero-length frame');
      return;
    }
    const checked = decodeFrame(bytes);
    if (!checked.ok) return this.#reject(socket, checked.reason);
    const { frame } = checked;
    const state = this.#stateOf(socket);

    if (frame.type === 'join') {
      if (frame.senderId === this.peerId) return this.#reject(socket, "join with the relay's own peer id");
      if (state.peerId !== undefined && state.peerId !== frame.senderId)
        return this.#reject(socket, 'second join with a different peer id');
      state.peerId = frame.senderId;
    } else if (frame.type === 'ephemeral' && state.peerId !== undefined && state.peerId !== frame.senderId) {
      // automerge-repo forwards an ephemeral message to every other peer of the document, keeping
      // its original sender: a client hands the relay back what the relay just relayed to it. That
      // is normal, not junk; drop it quietly (the relay already delivered it).
      return;
    } else if (state.peerId === undefined || state.peerId !== frame.senderId) {
      return this.#reject(socket, `${frame.type} from ${frame.senderId} before its join`);
    }

    try {
      // The base class decodes again; CBOR byte strings are slices, so that is cheap.
      super.receiveMessage(bytes, socket);
    } catch (err) {
      this.#log.warn('sync: dropped a frame the repo could not handle', {
        type: frame.type,
        peer: frame.senderId,
        error: err instanceof Error ? err.message : String(err),
      });
      this.rejectedFrames++;
    }
  }

  #stateOf(socket: WebSocket): SocketState {
    let state = this.#state.get(socket);
    if (!state) {
      state = { junk: 0 };
      this.#state.set(socket, state);
    }
    return state;
  }

  #reject(socket: WebSocket, reason: string): void {
    this.rejectedFrames++;
    const state = this.#stateOf(socket);
    state.junk++;
    // One warning per socket is enough to diagnose; the rest would let a peer flood the log.
    if (state.junk === 1) this.#log.warn(`sync: dropped a bad frame (${reason})`, { peer: state.peerId });
    else this.#log.debug(`sync: dropped a bad frame (${reason})`, { peer: state.peerId, junk: state.junk });
    if (state.junk > this.#maxJunk) this.#close(socket, `too many invalid frames (last: ${reason})`);
  }

  #close(socket: WebSocket, reason: string): void {
    if (socket.readyState !== socket.OPEN) return;
    this.closedForJunk++;
    this.#log.warn(`sync: closing a socket: ${reason}`);
    // Close reasons are limited to 123 bytes.
    socket.close(CLOSE_UNSUPPORTED_DATA, Buffer.from(reason).subarray(0, 120).toString());
  }
}

function toBytes(data: unknown): Uint8Array {
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  return new Uint8Array(0);
}
