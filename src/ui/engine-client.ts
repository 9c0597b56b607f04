// The tab's side of the engine protocol. Tabs never load Automerge: they send commands, hold live
// subscriptions and render what comes back. A SharedWorker hosts one engine per profile; without
// SharedWorker each tab starts a dedicated worker engine and engines bridge over BroadcastChannel.

import { makeLogger } from '../shared/log.ts';
import type {
  Command,
  CommandResults,
  EngineMessage,
  RpcError,
  Subscription,
  SubscriptionPayloads,
  TabMessage,
} from '../shared/protocol.ts';
import { PROTOCOL_VERSION } from '../shared/protocol.ts';
import type { EngineMode } from '../shared/types.ts';

export interface EngineClient {
  readonly mode: EngineMode;
  command<C extends Command>(cmd: C): Promise<CommandResults[C['type']]>;
  subscribe<S extends Subscription>(
    sub: S,
    onData: (payload: SubscriptionPayloads[S['type']]) => void,
  ): () => void;
  /** Called when the engine speaks another protocol version; returns the unsubscribe. */
  onReloadRequired(listener: (reason: string) => void): () => void;
  /** Writes sent but not yet acknowledged as durable. */
  pendingWrites(): number;
}

export class EngineRequestError extends Error {
  readonly rpc: RpcError;
  constructor(rpc: RpcError) {
    super(rpc.message);
    this.rpc = rpc;
  }
}

/** What to tell the user about a failed command: the engine's own message when it sent one. */
export function errorMessage(error: unknown): string {
  return error instanceof EngineRequestError ? error.rpc.message : String(error);
}

export function connectEngine(): EngineClient {
  const { port, mode } = openEnginePort();
  let nextId = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  const subscriptions = new Map<number, (payload: unknown) => void>();
  const reloadListeners = new Set<(reason: string) => void>();

  const post = (message: TabMessage | { t: 'bye' }) => port.postMessage(message);

  port.addEventListener('message', (event: MessageEvent<EngineMessage>) => {
    const message = event.data;
    switch (message?.t) {
      case 'ack':
        pending.get(message.id)?.resolve(message.result);
        pending.delete(message.id);
        return;
      case 'err':
        pending.get(message.id)?.reject(new EngineRequestError(message.error));
        pending.delete(message.id);
        return;
      case 'data':
        subscriptions.get(message.id)?.(message.payload);
        return;
      case 'reload':
        for (const listener of reloadListeners) listener(message.reason);
        return;
      case 'log':
        if (message.level === 'error') engineLog.error(`${message.namespace}: ${message.text}`);
        else engineLog.warn(`${message.namespace}: ${message.text}`);
        return;
      case 'welcome':
        log.debug('engine ready', message.mode);
        return;
      default:
        log.warn('dropped an unknown message from the engine');
    }
  });
  port.start();
  post({ t: 'hello', v: PROTOCOL_VERSION });
  addEventListener('pagehide', (event: PageTransitionEvent) => {
    if (!event.persisted) post({ t: 'bye' });
  });
  addEventListener('beforeunload', (event) => {
    // Acknowledged writes are durable; only unacknowledged ones could be lost by leaving now.
    if (pending.size > 0) event.preventDefault();
  });

  const client: EngineClient = {
    mode,
    command(cmd) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        post({ t: 'cmd', id, cmd });
      });
    },
    subscribe(sub, onData) {
      const id = nextId++;
      subscriptions.set(id, onData as (payload: unknown) => void);
      post({ t: 'sub', id, sub });
      return () => {
        subscriptions.delete(id);
        post({ t: 'unsub', id });
      };
    },
    onReloadRequired(listener) {
      reloadListeners.add(listener);
      return () => reloadListeners.delete(listener);
    },
    pendingWrites: () => pending.size,
  };
  // A narrow hook for tests and benchmarks: post raw (possibly malformed) messages to the engine.
  (globalThis as { __pinax?: unknown }).__pinax = {
    client,
    postRaw: (message: unknown) => port.postMessage(message),
  };
  return client;
}

const log = makeLogger('pinax:engine-client');
const engineLog = makeLogger('pinax:engine');

function openEnginePort(): { port: MessagePort; mode: EngineMode } {
  if (typeof SharedWorker === 'function') {
    const worker = new SharedWorker(new URL('../worker/shared-entry.ts', import.meta.url), {
      type: 'module',
      name: 'pinax-engine',
    });
    return { port: worker.port, mode: 'shared-worker' };
  }
  const worker = new Worker(new URL('../worker/dedicated-entry.ts', import.meta.url), {
    type: 'module',
    name: 'pinax-engine',
  });
  const channel = new MessageChannel();
  worker.postMessage(null, [channel.port2]);
  return { port: channel.port1, mode: 'dedicated-worker' };
}
