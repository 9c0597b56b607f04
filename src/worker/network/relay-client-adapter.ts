// A WebSocket client NetworkAdapter for the relay. It speaks the same wire protocol as
// @automerge/automerge-repo-network-websocket (CBOR join/peer/error + repo messages, protocol "1"),
// but reconnects with capped exponential backoff and full jitter instead of a fixed interval, retries
// at once when the browser comes back online, and reports its connection state to the sync status.

import { milestone } from '../milestones.ts';
import { NetworkAdapter, cbor } from '@automerge/automerge-repo/slim';
import type { Message, PeerId, PeerMetadata } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../../shared/log.ts';

export type RelayConnectionState = 'offline' | 'connecting' | 'connected';

export interface RelayConnectionInfo {
  state: RelayConnectionState;
  relayPeerId: PeerId | null;
  lastError: string | null;
}

export interface RelayClientOptions {
  /** First retry delay; doubles per failure up to maxDelayMs. */
  minDelayMs?: number;
  maxDelayMs?: number;
  /** How long find() waits for a first connection before it treats the relay as absent. */
  readyTimeoutMs?: number;
  /**
   * Runs before each connection attempt (the relay session handshake). A rejection skips the
   * attempt; its message goes to the sync status details and the attempt is retried later.
   */
  beforeConnect?: (peerId: PeerId) => Promise<void>;
  /** Makes the socket (tests in Node pass one that sends a session cookie). */
  createSocket?: (url: string) => WebSocket;
  /**
   * Sees each message from the relay before the Repo does and returns the one to apply (the
   * engine's guard, network/incoming-guard.ts). Messages keep their order while it works.
   */
  filterIncoming?: (message: Message) => Message | Promise<Message>;
}

export const PROTOCOL_V1 = '1';

export class RelayClientAdapter extends NetworkAdapter {
  readonly url: string;
  #options: Required<Omit<RelayClientOptions, 'beforeConnect' | 'createSocket' | 'filterIncoming'>>;
  #beforeConnect: RelayClientOptions['beforeConnect'];
  #filterIncoming: RelayClientOptions['filterIncoming'];
  /** Messages waiting behind one the filter is still working on, and the end of that queue. */
  #waiting = 0;
  #queue: Promise<void> = Promise.resolve();
  #createSocket: (url: string) => WebSocket;
  /** Bumped per attempt: an attempt still awaiting its handshake when a newer one starts gives up. */
  #attemptId = 0;
  #socket: WebSocket | undefined;
  #attempt = 0;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #ready = false;
  #readyResolve: (() => void) | undefined;
  #readyPromise = new Promise<void>((resolve) => (this.#readyResolve = resolve));
  #info: RelayConnectionInfo = { state: 'connecting', relayPeerId: null, lastError: null };
  #listeners = new Set<(info: RelayConnectionInfo) => void>();
  #removeOnline: (() => void) | undefined;

  constructor(url: string, options: RelayClientOptions = {}) {
    super();
    this.url = url;
    const { beforeConnect, createSocket, filterIncoming, ...timing } = options;
    // At most 15 s between attempts: one HTTP request each, and a relay back from a restart is found soon.
    this.#options = { minDelayMs: 500, maxDelayMs: 15_000, readyTimeoutMs: 1_000, ...timing };
    this.#beforeConnect = beforeConnect;
    this.#filterIncoming = filterIncoming;
    this.#createSocket = createSocket ?? ((url) => new WebSocket(url));
  }

  isReady(): boolean {
    return this.#ready;
  }

  whenReady(): Promise<void> {
    return this.#readyPromise;
  }

  get info(): RelayConnectionInfo {
    return this.#info;
  }

  /** Subscribes to connection changes; returns the unsubscribe. */
  onInfo(listener: (info: RelayConnectionInfo) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    this.peerMetadata = peerMetadata ?? {};
    this.#closed = false;
    // With no relay reachable, find() must not hang: after a short wait we count as "ready" and
    // documents we don't have are reported unavailable instead of pending forever.
    setTimeout(() => this.#markReady(), this.#options.readyTimeoutMs);
    this.#listenForOnline();
    this.#open();
  }

  send(message: Message): void {
    const socket = this.#socket;
    if (!socket || socket.readyState !== socket.OPEN) return; // resynced on reconnect
    if ('data' in message && message.data?.byteLength === 0) return;
    try {
      socket.send(encode(message));
    } catch (error) {
      log.warn('send failed', error);
    }
  }

  disconnect(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    this.#removeOnline?.();
    this.#dropSocket();
    this.#setInfo({ state: 'offline', relayPeerId: null });
  }

  /** Retry now instead of waiting out the backoff (the browser said it is online again). */
  reconnectNow(): void {
    if (this.#closed || this.#info.state === 'connected') return;
    clearTimeout(this.#retryTimer);
    this.#attempt = 0;
    this.#open();
  }

  #open(): void {
    this.#dropSocket();
    this.#setInfo({ state: 'connecting', relayPeerId: null });
    const attempt = ++this.#attemptId;
    milestone('relay-handshake');
    const handshake = this.#beforeConnect && this.peerId ? this.#beforeConnect(this.peerId) : undefined;
    if (!handshake) return this.#openSocket();
    handshake.then(
      () => {
        milestone('relay-authenticated');
        if (attempt === this.#attemptId && !this.#closed) this.#openSocket();
      },
      (error: unknown) => {
        if (attempt !== this.#attemptId || this.#closed) return;
        const refused = error instanceof Error && error.name === 'SessionRefused';
        this.#setInfo({
          state: isOffline() ? 'offline' : 'connecting',
          lastError: refused ? `The relay refused this device: ${error.message}` : `Cannot reach ${this.url}`,
        });
        this.#scheduleRetry();
      },
    );
  }

  #openSocket(): void {
    let socket: WebSocket;
    try {
      socket = this.#createSocket(this.url);
    } catch (error) {
      this.#setInfo({ lastError: `Cannot open ${this.url}: ${String(error)}` });
      this.#scheduleRetry();
      return;
    }
    socket.binaryType = 'arraybuffer';
    socket.addEventListener('open', () => this.#sendJoin());
    socket.addEventListener('message', (event: MessageEvent) => this.#receive(event.data));
    socket.addEventListener('close', (event: CloseEvent) => this.#onClose(socket, event));
    // Browsers give no detail on socket errors; the close event that follows drives the retry.
    socket.addEventListener('error', () => undefined);
    this.#socket = socket;
  }

  #sendJoin(): void {
    if (!this.peerId || !this.#socket) return;
    const join = {
      type: 'join',
      senderId: this.peerId,
      peerMetadata: this.peerMetadata ?? {},
      supportedProtocolVersions: [PROTOCOL_V1],
    };
    this.#socket.send(encode(join));
  }

  #receive(data: unknown): void {
    // A listener never throws: a throw here escapes dispatch. Bad frames are logged and dropped.
    try {
      if (!(data instanceof ArrayBuffer) || data.byteLength === 0) {
        log.warn('dropped a non-binary or empty frame from the relay');
        return;
      }
      const message: unknown = cbor.decode(new Uint8Array(data));
      if (
        !isRecord(message) ||
        typeof message['type'] !== 'string' ||
        typeof message['senderId'] !== 'string'
      ) {
        log.warn('dropped a malformed frame from the relay');
        return;
      }
      if (message['type'] === 'peer') {
        milestone('relay-joined');
        const relayPeerId = message['senderId'] as PeerId;
        this.#attempt = 0;
        this.#setInfo({ state: 'connected', relayPeerId, lastError: null });
        this.#markReady();
        this.emit('peer-candidate', {
          peerId: relayPeerId,
          peerMetadata: isRecord(message['peerMetadata']) ? message['peerMetadata'] : {},
        });
      } else if (message['type'] === 'error') {
        const text = typeof message['message'] === 'string' ? message['message'] : 'unknown error';
        log.warn('relay reported an error:', text);
        this.#setInfo({ lastError: `Relay: ${text}` });
      } else {
        this.#deliver(message as unknown as Message);
      }
    } catch (error) {
      log.warn('dropped an undecodable frame from the relay', error);
    }
  }

  /** Hands a message to the Repo, through the filter when there is one, in arrival order. */
  #deliver(message: Message): void {
    const filter = this.#filterIncoming;
    if (!filter) return void this.emit('message', message);
    const socket = this.#socket;
    // Only what the socket it came on is still open for: after a reconnect the Repo starts over.
    const emit = (out: Message) => {
      if (socket === this.#socket) this.emit('message', out);
    };
    if (this.#waiting === 0) {
      const out = filter(message);
      if (!(out instanceof Promise)) return emit(out);
      // Its failure is handled by the queue below; this only keeps it from counting as unhandled
      // until the queue reaches it.
      out.catch(() => undefined);
      return this.#enqueue(() => out, emit);
    }
    this.#enqueue(() => filter(message), emit);
  }

  /** Filters with `step` once every message before it has been handed on, then hands it on. */
  #enqueue(step: () => Message | Promise<Message>, emit: (out: Message) => void): void {
    this.#waiting++;
    this.#queue = this.#queue
      .then(step)
      .then(emit)
      .catch((error: unknown) => log.warn('dropped a message the guard could not check', error))
      .finally(() => this.#waiting--);
  }

  #onClose(socket: WebSocket, event: CloseEvent): void {
    if (socket !== this.#socket) return;
    const relayPeerId = this.#info.relayPeerId;
    this.#socket = undefined;
    if (relayPeerId) this.emit('peer-disconnected', { peerId: relayPeerId });
    const reason = event.reason ? `: ${event.reason}` : '';
    this.#setInfo({
      state: isOffline() ? 'offline' : 'connecting',
      relayPeerId: null,
      lastError: relayPeerId ? `Connection closed (${event.code}${reason})` : `Cannot reach ${this.url}`,
    });
    if (!this.#closed) this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    clearTimeout(this.#retryTimer);
    const { minDelayMs, maxDelayMs } = this.#options;
    const cap = Math.min(maxDelayMs, minDelayMs * 2 ** this.#attempt);
    this.#attempt++;
    // Full jitter: many clients losing one relay must not all come back in the same instant.
    const delay = Math.round(cap / 2 + Math.random() * (cap / 2));
    this.#retryTimer = setTimeout(() => this.#open(), delay);
  }

  #dropSocket(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (!socket) return;
    const relayPeerId = this.#info.relayPeerId;
    try {
      socket.close();
    } catch {
      // already closing
    }
    if (relayPeerId) this.emit('peer-disconnected', { peerId: relayPeerId });
  }

  #listenForOnline(): void {
    if (this.#removeOnline || typeof addEventListener !== 'function') return;
    const online = () => this.reconnectNow();
    const offline = () => this.#setInfo({ state: 'offline' });
    addEventListener('online', online);
    addEventListener('offline', offline);
    this.#removeOnline = () => {
      removeEventListener('online', online);
      removeEventListener('offline', offline);
    };
  }

  #markReady(): void {
    if (this.#ready) return;
    this.#ready = true;
    this.#readyResolve?.();
  }

  #setInfo(patch: Partial<RelayConnectionInfo>): void {
    this.#info = { ...this.#info, ...patch };
    for (const listener of this.#listeners) listener(this.#info);
  }
}

const log = makeLogger('pinax:relay-client');

// cbor-x's declarations don't resolve through automerge-repo's re-export; pin the shape we use.
const encode = cbor.encode as (value: unknown) => Uint8Array<ArrayBuffer>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isOffline(): boolean {
  return typeof navigator !== 'undefined' && navigator.onLine === false;
}
