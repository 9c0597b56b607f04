// Writes sync states seldom. automerge-repo saves the sync state it holds for a peer's storage at
// most every 100 ms, so while someone types each keystroke costs a write for the sync state beside
// the one for the change itself: in the engine (the relay's sync state, to IndexedDB) and in the
// relay (each client's, a file). A stored sync state is only a hint for
// resuming with that peer: an older one costs at most a round trip more on reconnect, and none is
// ever needed for the data. So sync states are held in memory, the latest per key wins, and they
// are written every `writeEveryMs`; reads see the held value (a range read writes them first).
// Everything else passes straight through.

import type { Chunk, StorageAdapterInterface, StorageKey } from '@automerge/automerge-repo/slim';
import { makeLogger } from './log.ts';

export class SyncStateCoalescingAdapter implements StorageAdapterInterface {
  #inner: StorageAdapterInterface;
  #writeEveryMs: number;
  #held = new Map<string, { key: StorageKey; data: Uint8Array }>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(inner: StorageAdapterInterface, { writeEveryMs = 2_000 }: { writeEveryMs?: number } = {}) {
    this.#inner = inner;
    this.#writeEveryMs = writeEveryMs;
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const held = this.#held.get(keyText(key));
    if (held) return held.data;
    // A write in progress has left #held but may not be stored yet: read after it.
    await this.#writing;
    return this.#inner.load(key);
  }

  save(key: StorageKey, data: Uint8Array): Promise<void> {
    if (!isSyncState(key)) return this.#inner.save(key, data);
    this.#held.set(keyText(key), { key, data });
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, this.#writeEveryMs);
    return Promise.resolve();
  }

  async remove(key: StorageKey): Promise<void> {
    this.#held.delete(keyText(key));
    await this.#writing;
    return this.#inner.remove(key);
  }

  /** Held sync states under the prefix are written first: a range is read as stored. */
  async loadRange(prefix: StorageKey): Promise<Chunk[]> {
    if ([...this.#held.values()].some(({ key }) => startsWith(key, prefix))) void this.flush();
    await this.#writing;
    return this.#inner.loadRange(prefix);
  }

  async removeRange(prefix: StorageKey): Promise<void> {
    for (const [text, { key }] of this.#held) if (startsWith(key, prefix)) this.#held.delete(text);
    await this.#writing;
    return this.#inner.removeRange(prefix);
  }

  /** Writes every held sync state now. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = [...this.#held.values()];
    this.#held.clear();
    const write = this.#writing.then(async () => {
      for (const { key, data } of batch) {
        try {
          await this.#inner.save(key, data);
        } catch (error) {
          log.warn('could not store a sync state (it is only a hint for resuming)', error);
        }
      }
    });
    this.#writing = write;
    return write;
  }
}

const log = makeLogger('pinax:storage');

function isSyncState(key: StorageKey): boolean {
  return key[1] === 'sync-state';
}

function keyText(key: StorageKey): string {
  return key.join('\u0000');
}

function startsWith(key: StorageKey, prefix: StorageKey): boolean {
  return prefix.every((part, i) => key[i] === part);
}
