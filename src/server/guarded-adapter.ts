// The stock WebSocketServerAdapter, hardened against hostile peers. The base class decodes each
// frame and hands it to the Repo with no checks; a bad frame can throw out of the `message` event
// (crashing the process) or reach storage. Here every frame is decoded and shape-checked first;
// junk is counted and dropped, and a socket that keeps sending junk is closed with 1003.

import { WebSocketServerAdapter } from '@automerge/automerge-repo-network-websocket';
import { cbor } from '@automerge/automerge-repo';
import type { PeerId, PeerMetadata } from '@automerge/automerge-repo';
import type { WebSocket, WebSocketServer } from 'ws';
import type { Logger } from '../shared/log.ts';
import type { Identity } from './auth.ts';
import { decodeFrame } from './frames.ts';

/** WebSocket close code for "unsupported data" (RFC 6455). */
export const CLOSE_UNSUPPORTED_DATA = 1003;
/** WebSocket close code for "policy violation" (RFC 6455). */
export const CLOSE_POLICY_VIOLATION = 1008;

export interface GuardOptions {
  log: Logger;
  /** Who is behind a socket (src/server/auth.ts); every socket is anonymous when omitted. */
  identityOf?: (socket: WebSocket) => Identity | undefined;
  /**
   * Sees every sync message before the Repo does and returns the data to apply (src/server/
   * access-guard.ts). A socket's frames keep their order while it works.
   */
  filterSync?: (identity: Identity | undefined, documentId: string, data: Uint8Array) => Promise<Uint8Array>;
  /** Close a socket once it has sent more than this many rejected frames. */
  maxJunkFrames?: number;
  keepAliveIntervalMs?: number;
}

interface SocketState {
  junk: number;
  peerId?: string;
  /** Frames waiting behind a sync message that is being filtered, in arrival order. */
  queue?: Promise<void>;
  queued: number;
}

export class GuardedWebSocketServerAdapter extends WebSocketServerAdapter {
  /** Frames dropped because they were not valid protocol messages (all sockets, since start). */
  rejectedFrames = 0;
  /** Sockets closed for sending junk. */
  closedForJunk = 0;
  /** Sockets closed for breaking an identity rule (a peer id not theirs). */
  refusedIdentity = 0;

  readonly #log: Logger;
  readonly #maxJunk: number;
  readonly #state = new WeakMap<object, SocketState>();
  readonly #identityOf: (socket: WebSocket) => Identity | undefined;
  readonly #filterSync: GuardOptions['filterSync'];
  /** Every joined peer's socket, to tell who a peer id is (for read access). */
  readonly #peerSockets = new Map<string, WebSocket>();
  /** Peer ids of authenticated devices, and their sockets: nobody else may join with them. */
  readonly #boundPeers = new Map<string, WebSocket>();
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
    this.#identityOf = options.identityOf ?? (() => undefined);
    this.#filterSync = options.filterSync;
  }

  /** Who is behind a joined peer id; undefined when it is not connected here. */
  identityOfPeer(peerId: string): Identity | undefined {
    const socket = this.#peerSockets.get(peerId);
    return socket ? this.#identityOf(socket) : undefined;
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
      // Peer ids are self-asserted, and the base class drops any earlier socket with the same one:
      // bind them to the authenticated device, or anyone could take over its connection.
      const identity = this.#identityOf(socket);
      const bound = this.#boundPeers.get(frame.senderId);
      if (identity?.kind === 'device') {
        if (identity.peerId !== frame.senderId)
          return this.#refuse(socket, 'peer id does not match the authenticated session');
        this.#boundPeers.set(frame.senderId, socket);
        socket.once('close', () => {
          if (this.#boundPeers.get(frame.senderId) === socket) this.#boundPeers.delete(frame.senderId);
        });
      } else if (bound !== undefined && bound !== socket) {
        return this.#refuse(socket, 'peer id belongs to an authenticated device');
      }
      state.peerId = frame.senderId;
      this.#peerSockets.set(frame.senderId, socket);
      socket.once('close', () => {
        if (this.#peerSockets.get(frame.senderId) === socket) this.#peerSockets.delete(frame.senderId);
      });
    } else if (frame.type === 'ephemeral' && state.peerId !== undefined && state.peerId !== frame.senderId) {
      // automerge-repo forwards an ephemeral message to every other peer of the document, keeping
      // its original sender: a client hands the relay back what the relay just relayed to it. That
      // is normal, not junk; drop it quietly (the relay already delivered it).
      return;
    } else if (state.peerId === undefined || state.peerId !== frame.senderId) {
      return this.#reject(socket, `${frame.type} from ${frame.senderId} before its join`);
    }

    const filter = this.#filterSync;
    const needsFilter = filter && (frame.type === 'sync' || frame.type === 'request') && frame.documentId;
    if (!needsFilter && state.queued === 0) return this.#deliver(bytes, socket, frame);
    state.queued++;
    state.queue = (state.queue ?? Promise.resolve())
      .then(async () => {
        if (!needsFilter) return this.#deliver(bytes, socket, frame);
        const data = frame.message['data'] as Uint8Array;
        const filtered = await filter(this.#identityOf(socket), frame.documentId!, data);
        const out = filtered === data ? bytes : cbor.encode({ ...frame.message, data: filtered });
        this.#deliver(out, socket, frame);
      })
      .catch((err: unknown) =>
        this.#reject(socket, `guard failed: ${err instanceof Error ? err.message : String(err)}`),
      )
      .finally(() => state.queued--);
  }

  #deliver(bytes: Uint8Array, socket: WebSocket, frame: { type: string; senderId: string }): void {
    if (socket.readyState !== socket.OPEN) return;
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
      state = { junk: 0, queued: 0 };
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

  /** Closes a socket that broke an identity rule, with the reason (RFC 6455 allows 123 bytes). */
  #refuse(socket: WebSocket, reason: string): void {
    this.refusedIdentity++;
    this.#log.warn(`sync: closing a socket: ${reason}`);
    if (socket.readyState === socket.OPEN)
      socket.close(CLOSE_POLICY_VIOLATION, Buffer.from(reason).subarray(0, 120).toString());
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
