import type { JSX } from 'solid-js';
import { createContext, createSignal, onCleanup, useContext } from 'solid-js';
import type { Subscription, SubscriptionPayloads } from '../shared/protocol.ts';
import type { EngineClient } from './engine-client.ts';

const EngineContext = createContext<EngineClient>();

export function EngineProvider(props: { client: EngineClient; children: JSX.Element }): JSX.Element {
  return <EngineContext.Provider value={props.client}>{props.children}</EngineContext.Provider>;
}

export function useEngine(): EngineClient {
  const client = useContext(EngineContext);
  if (!client) throw new Error('useEngine outside EngineProvider');
  return client;
}

/** A signal holding the latest payload of a live engine subscription, unsubscribed on cleanup. */
export function createEngineSubscription<S extends Subscription>(
  client: EngineClient,
  sub: S,
): () => SubscriptionPayloads[S['type']] | undefined {
  const [value, setValue] = createSignal<SubscriptionPayloads[S['type']]>();
  const unsubscribe = client.subscribe(sub, (payload) => setValue(() => payload));
  onCleanup(unsubscribe);
  return value;
}
