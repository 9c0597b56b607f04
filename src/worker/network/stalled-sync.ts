// Restarts the sync of a document with the relay when the exchange has stalled. Automerge's sync
// protocol assumes every message arrives: after sending changes, a peer's sync state waits for the
// answer ("in flight") and will not send those changes again in that session. If the message or the
// answer is lost (or the relay drops it without a word), the document stays unacknowledged until
// the next local change or reconnection, and the status says "Syncing" for good. The e2e suite saw
// this a few times in hundreds of runs, always on a document just created.
//
// A restart is cheap: automerge-repo's DocSynchronizer.beginSync starts the peer's sync state over
// from the heads both sides are known to share, so the first message carries heads and a Bloom
// filter, no changes; the relay's answer says what it lacks, and only that is sent. It is only
// tried once no message for the document has passed either way for a while, so a slow relay still
// busy with a large batch is left alone, and it backs off while the document stays unacknowledged
// (a change the relay refuses stays so, and is retried rarely).

import type { DocHandle, DocumentId, PeerId, Repo } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../../shared/log.ts';

export interface StalledSyncOptions {
  /** How long a document must be unacknowledged, with no message for it either way, to restart. */
  quietMs?: number;
  /** The longest wait between restarts of a document that stays unacknowledged. */
  maxBackoffMs?: number;
}

export class StalledSyncRestarter {
  readonly #repo: Repo;
  readonly #quietMs: number;
  readonly #maxBackoffMs: number;
  /** When a message for each document last went to or came from the relay. */
  readonly #lastTraffic = new Map<DocumentId, number>();
  /** Documents restarted in their current wait: when, and how long until the next restart. */
  readonly #restarts = new WeakMap<DocHandle<unknown>, { at: number; backoffMs: number; count: number }>();
  readonly #relayPeerId: () => PeerId | null;
  readonly #unsubscribe: () => void;

  constructor(repo: Repo, relayPeerId: () => PeerId | null, options: StalledSyncOptions = {}) {
    this.#repo = repo;
    this.#relayPeerId = relayPeerId;
    this.#quietMs = options.quietMs ?? DEFAULT_QUIET_MS;
    this.#maxBackoffMs = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    // Sync traffic only: presence (ephemeral messages) flows every few seconds whatever the sync
    // does, and would keep a stalled document looking busy.
    const incoming = (message: { type: string; senderId: PeerId; documentId?: DocumentId }) => {
      if (SYNC_TYPES.has(message.type) && message.senderId === this.#relayPeerId())
        this.#touch(message.documentId);
    };
    const outgoing = (message: { type: string; targetId: PeerId; documentId?: DocumentId }) => {
      if (SYNC_TYPES.has(message.type) && message.targetId === this.#relayPeerId())
        this.#touch(message.documentId);
    };
    repo.networkSubsystem.on('message', incoming);
    repo.synchronizer.on('message', outgoing);
    this.#unsubscribe = () => {
      repo.networkSubsystem.off('message', incoming);
      repo.synchronizer.off('message', outgoing);
    };
  }

  /**
   * Restarts the sync of `handle` (ready, unacknowledged by the relay since `waitingSince`) when it
   * has stalled and its backoff allows; returns whether it did.
   */
  restartIfStalled(handle: DocHandle<unknown>, waitingSince: number, now: number): boolean {
    const relay = this.#relayPeerId();
    if (!relay || now - waitingSince < this.#quietMs) return false;
    const lastTraffic = this.#lastTraffic.get(handle.documentId) ?? 0;
    if (now - lastTraffic < this.#quietMs) return false;
    const previous = this.#restarts.get(handle);
    if (previous && now - previous.at < previous.backoffMs) return false;
    const synchronizer = this.#repo.synchronizer.docSynchronizers[handle.documentId];
    if (!synchronizer?.hasPeer(relay)) return false;
    this.#restarts.set(handle, {
      at: now,
      backoffMs: Math.min(this.#maxBackoffMs, (previous?.backoffMs ?? this.#quietMs) * 2),
      count: (previous?.count ?? 0) + 1,
    });
    this.#touch(handle.documentId);
    if (!previous) log.info(`restarting the sync of a stalled ${kindOf(handle)} with the relay`);
    void synchronizer.beginSync([relay]);
    return true;
  }

  /**
   * For a report of a long wait: how often this wait restarted the sync, and when a sync message
   * for the document last passed to or from the relay.
   */
  describe(handle: DocHandle<unknown>, now: number): string {
    const restarts = this.#restarts.get(handle)?.count ?? 0;
    const lastTraffic = this.#lastTraffic.get(handle.documentId);
    const traffic =
      lastTraffic === undefined
        ? 'no sync message with the relay yet'
        : `last sync message with the relay ${((now - lastTraffic) / 1000).toFixed(1)} s ago`;
    return `sync restarted ${restarts} time${restarts === 1 ? '' : 's'}, ${traffic}`;
  }

  /** The relay acknowledged `handle`: a later wait starts with no backoff. */
  acknowledged(handle: DocHandle<unknown>): void {
    this.#restarts.delete(handle);
  }

  dispose(): void {
    this.#unsubscribe();
    this.#lastTraffic.clear();
  }

  #touch(documentId: DocumentId | undefined): void {
    if (documentId) this.#lastTraffic.set(documentId, Date.now());
  }
}

const DEFAULT_QUIET_MS = 3_000;
const SYNC_TYPES: ReadonlySet<string> = new Set(['sync', 'request', 'doc-unavailable']);
const DEFAULT_MAX_BACKOFF_MS = 60_000;

const log = makeLogger('pinax:sync');

/** A document's kind for the log: never its id, which is a read capability. */
function kindOf(handle: DocHandle<unknown>): string {
  const kind = handle.isReady() ? (handle.doc() as { kind?: unknown } | undefined)?.kind : undefined;
  return typeof kind === 'string' ? kind : 'document';
}
