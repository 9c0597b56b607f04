// Test helpers: two automerge-repo network adapters joined in memory, with no sockets, for unit
// tests of sync behaviour between Repos in one process.

import { NetworkAdapter } from '@automerge/automerge-repo';
import type { Message, PeerId, PeerMetadata } from '@automerge/automerge-repo';

/** Two ends of an in-memory link; one end's sends can be held and released all at once. */
export function linkPair(): [LinkEnd, LinkEnd] {
  const a = new LinkEnd();
  const b = new LinkEnd();
  a.other = b;
  b.other = a;
  return [a, b];
}

export class LinkEnd extends NetworkAdapter {
  other: LinkEnd | undefined;
  onSend: ((message: Message) => void) | undefined;
  #held: Message[] | null = null;

  isReady(): boolean {
    return true;
  }

  whenReady(): Promise<void> {
    return Promise.resolve();
  }

  connect(peerId: PeerId, peerMetadata?: PeerMetadata): void {
    this.peerId = peerId;
    if (peerMetadata) this.peerMetadata = peerMetadata;
  }

  /** Announces each end to the other, once both repos have connected their ends. */
  connectTo(other: LinkEnd): void {
    this.emit('peer-candidate', { peerId: other.peerId!, peerMetadata: other.peerMetadata ?? {} });
    other.emit('peer-candidate', { peerId: this.peerId!, peerMetadata: this.peerMetadata ?? {} });
  }

  send(message: Message): void {
    this.onSend?.(message);
    if (this.#held) this.#held.push(message);
    else this.#deliver([message]);
  }

  disconnect(): void {}

  holdSends(): void {
    this.#held = [];
  }

  heldCount(): number {
    return this.#held?.length ?? 0;
  }

  releaseSends(): void {
    const held = this.#held ?? [];
    this.#held = null;
    this.#deliver(held);
  }

  #deliver(messages: Message[]): void {
    const other = this.other;
    setTimeout(() => {
      for (const message of messages) other?.emit('message', structuredClone(message));
    }, 0);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
