// Serves one tab over a MessagePort: version handshake, commands, and live subscriptions. Every
// message is validated; junk is logged and dropped, and a handler never throws across the port.

import { makeLogger } from '../shared/log.ts';
import type { Command, EngineMessage, Subscription } from '../shared/protocol.ts';
import { ERROR_CODES, PROTOCOL_VERSION, parseTabMessage } from '../shared/protocol.ts';
import type { EngineMode } from '../shared/types.ts';
import { CommandError } from './commands.ts';

export interface RpcHandlers {
  mode: EngineMode;
  run(cmd: Command): Promise<unknown>;
  /** Starts a live subscription; `push` may be called many times; returns the unsubscribe. */
  subscribe(sub: Subscription, push: (payload: unknown) => void): () => void;
}

export interface PortLike {
  postMessage(message: unknown): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  start?(): void;
  close?(): void;
}

/** Serves a tab until it says goodbye; `onClose` runs then. Returns a disposer. */
export function serveTab(
  port: PortLike,
  handlers: RpcHandlers,
  onClose: () => void = () => undefined,
): () => void {
  const subscriptions = new Map<number, () => void>();
  let welcomed = false;
  let disposed = false;

  const post = (message: EngineMessage) => {
    if (disposed) return;
    try {
      port.postMessage(message);
    } catch (error) {
      log.warn('could not post to tab', error);
    }
  };

  const dispose = () => {
    if (disposed) return;
    disposed = true;
    for (const unsubscribe of subscriptions.values()) unsubscribe();
    subscriptions.clear();
    port.removeEventListener('message', onMessage);
    onClose();
  };

  const onMessage = (event: MessageEvent) => {
    try {
      handle(event.data);
    } catch (error) {
      log.error('handler failed', error);
    }
  };

  const handle = (raw: unknown) => {
    if (isBye(raw)) return dispose();
    const message = parseTabMessage(raw);
    if (typeof message === 'string') {
      log.warn('dropped a malformed message from a tab:', message);
      const id = idOf(raw);
      if (id !== undefined && welcomed)
        post({
          t: 'err',
          id,
          error: { code: ERROR_CODES.invalid, message: `Malformed request: ${message}` },
        });
      return;
    }
    if (message.t === 'hello') {
      if (message.v !== PROTOCOL_VERSION) {
        post({
          t: 'reload',
          engineVersion: PROTOCOL_VERSION,
          reason: 'Pinax was updated. Reload to continue.',
        });
        return;
      }
      welcomed = true;
      post({ t: 'welcome', v: PROTOCOL_VERSION, mode: handlers.mode });
      return;
    }
    if (!welcomed) {
      log.warn('dropped a request before the version handshake');
      return;
    }
    switch (message.t) {
      case 'cmd':
        handlers.run(message.cmd).then(
          (result) => post({ t: 'ack', id: message.id, result: result ?? null }),
          (error: unknown) => post({ t: 'err', id: message.id, error: toRpcError(error) }),
        );
        return;
      case 'sub': {
        subscriptions.get(message.id)?.();
        const unsubscribe = handlers.subscribe(message.sub, (payload) =>
          post({ t: 'data', id: message.id, payload }),
        );
        subscriptions.set(message.id, unsubscribe);
        return;
      }
      case 'unsub':
        subscriptions.get(message.id)?.();
        subscriptions.delete(message.id);
        return;
    }
  };

  port.addEventListener('message', onMessage);
  port.start?.();
  return dispose;
}

/** Tells a tab it must reload (it shows the reason and a Reload button, never reloads by itself). */
export function postReload(port: PortLike, reason: string): void {
  try {
    port.postMessage({ t: 'reload', engineVersion: PROTOCOL_VERSION, reason } satisfies EngineMessage);
  } catch {
    // the tab is gone
  }
}

export function postLog(port: PortLike, level: 'warn' | 'error', namespace: string, text: string): void {
  try {
    port.postMessage({ t: 'log', level, namespace, text } satisfies EngineMessage);
  } catch {
    // the tab is gone
  }
}

const log = makeLogger('pinax:rpc');

function toRpcError(error: unknown) {
  if (error instanceof CommandError) return error.rpc;
  log.error('command failed', error);
  return { code: ERROR_CODES.internal, message: `Could not save this change: ${String(error)}. Try again.` };
}

function isBye(raw: unknown): boolean {
  return typeof raw === 'object' && raw !== null && (raw as { t?: unknown }).t === 'bye';
}

function idOf(raw: unknown): number | undefined {
  const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) ? id : undefined;
}
