// Computes the sync status the UI shows. "Synced" means the relay has acknowledged our latest heads
// for every loaded document (its storage id's remote heads equal ours), not merely that we sent them.
// A document whose exchange with the relay has stalled gets its sync restarted (StalledSyncRestarter).

import type { DocHandle, Repo } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../shared/log.ts';
import type { EngineMode, SyncState, SyncStatus } from '../shared/types.ts';
import type { RelayClientAdapter } from './network/relay-client-adapter.ts';
import { StalledSyncRestarter, type StalledSyncOptions } from './network/stalled-sync.ts';
import { headsOf } from './doc-heads.ts';
import { sameHeads } from './doc-heads.ts';

export type StatusListener = (status: SyncStatus) => void;

const POLL_MS = 200;
/**
 * A document unacknowledged this long is reported once (kind and state, never its id). Under the
 * e2e tests' 10 s wait for "Synced", so a test that fails there has the report in its console.
 */
const REPORT_STUCK_AFTER_MS = 8_000;

export class SyncMonitor {
  #repo: Repo;
  #relay: RelayClientAdapter | undefined;
  #mode: EngineMode;
  #status: SyncStatus;
  #listeners = new Set<StatusListener>();
  #timer: ReturnType<typeof setInterval> | undefined;
  #offRelay: (() => void) | undefined;
  /** Since when each loaded document has waited for the relay's acknowledgement; reported ones. */
  #waitingSince = new WeakMap<DocHandle<unknown>, number>();
  /** Reports made of each document's current wait: one when it is long, one more if it goes on. */
  #reported = new WeakMap<DocHandle<unknown>, number>();
  #reportStuckAfterMs: number;
  #restartOptions: StalledSyncOptions;
  #restarter: StalledSyncRestarter | undefined;

  constructor(
    repo: Repo,
    mode: EngineMode,
    relayUrl: string,
    {
      reportStuckAfterMs = REPORT_STUCK_AFTER_MS,
      restartStalled = {},
    }: { reportStuckAfterMs?: number; restartStalled?: StalledSyncOptions } = {},
  ) {
    this.#repo = repo;
    this.#reportStuckAfterMs = reportStuckAfterMs;
    this.#restartOptions = restartStalled;
    this.#mode = mode;
    this.#status = {
      state: 'Connecting',
      relayUrl,
      pendingDocuments: 0,
      lastSyncedAt: null,
      lastError: null,
      engineMode: mode,
      holdsRelayConnection: false,
    };
  }

  get status(): SyncStatus {
    return this.#status;
  }

  /** Starts watching a relay connection (this engine holds it); call once. */
  attachRelay(relay: RelayClientAdapter): void {
    this.#relay = relay;
    this.#restarter = new StalledSyncRestarter(
      this.#repo,
      () => (relay.info.state === 'connected' ? relay.info.relayPeerId : null),
      this.#restartOptions,
    );
    this.#offRelay = relay.onInfo(() => this.refresh());
    this.#timer = setInterval(() => this.refresh(), POLL_MS);
    this.refresh();
  }

  /** Shows a status computed elsewhere (the engine holding the relay connection, in fallback mode). */
  adopt(status: SyncStatus): void {
    this.#publish({ ...status, engineMode: this.#mode, holdsRelayConnection: false });
  }

  /** Subscribes to status changes; returns the unsubscribe. */
  subscribe(listener: StatusListener): () => void {
    this.#listeners.add(listener);
    listener(this.#status);
    return () => this.#listeners.delete(listener);
  }

  dispose(): void {
    clearInterval(this.#timer);
    this.#offRelay?.();
    this.#restarter?.dispose();
    this.#listeners.clear();
  }

  /**
   * Resolves true once the relay has acknowledged every loaded document, or false when `timeoutMs`
   * passes first (offline, or a change the relay refuses).
   */
  async whenSynced(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // Without the relay connection this engine shows the holder's status, which lags a write made
    // here by up to a poll of the holder's.
    if (!this.#relay) await sleep(2 * POLL_MS);
    for (;;) {
      this.refresh();
      if (this.#status.state === 'Synced') return true;
      if (Date.now() >= deadline) return false;
      await sleep(POLL_MS);
    }
  }

  refresh(): void {
    const relay = this.#relay;
    if (!relay) return;
    const info = relay.info;
    let state: SyncState;
    let pending = 0;
    if (info.state === 'connected' && info.relayPeerId) {
      const storageId = this.#repo.getStorageIdOfPeer(info.relayPeerId);
      pending = storageId ? this.#countUnacknowledged(storageId) : 1;
      state = pending === 0 ? 'Synced' : 'Syncing';
    } else {
      state = info.state === 'offline' ? 'Offline' : 'Connecting';
    }
    this.#publish({
      ...this.#status,
      state,
      pendingDocuments: pending,
      lastSyncedAt: state === 'Synced' ? Date.now() : this.#status.lastSyncedAt,
      lastError: state === 'Synced' ? null : info.lastError,
      holdsRelayConnection: true,
    });
  }

  #countUnacknowledged(storageId: Parameters<DocHandle<unknown>['getRemoteHeads']>[0]): number {
    let pending = 0;
    const now = Date.now();
    for (const handle of Object.values(this.#repo.handles)) {
      // A document still being fetched (a link just opened on a fresh device) is not synced yet.
      const fetching = handle.state === 'requesting' || handle.state === 'loading';
      const remote = !fetching && handle.isReady() ? handle.getRemoteHeads(storageId) : undefined;
      const waiting = fetching || (handle.isReady() && (!remote || !sameHeads(remote, headsOf(handle))));
      if (!waiting) {
        this.#waitingSince.delete(handle);
        this.#reported.delete(handle);
        this.#restarter?.acknowledged(handle);
        continue;
      }
      pending++;
      const since = this.#waitingSince.get(handle) ?? now;
      this.#waitingSince.set(handle, since);
      if (!fetching) this.#restarter?.restartIfStalled(handle, since, now);
      const reports = this.#reported.get(handle) ?? 0;
      if (reports < 2 && now - since >= this.#reportStuckAfterMs * (reports === 0 ? 1 : 4)) {
        this.#reported.set(handle, reports + 1);
        const restarts = this.#restarter ? `; ${this.#restarter.describe(handle, now)}` : '';
        log.warn(`${describeWait(handle, remote)} for ${Math.round((now - since) / 1000)} s${restarts}`);
      }
    }
    return pending;
  }

  #publish(next: SyncStatus): void {
    const previous = this.#status;
    this.#status = next;
    const changed =
      previous.state !== next.state ||
      previous.pendingDocuments !== next.pendingDocuments ||
      previous.lastError !== next.lastError ||
      previous.holdsRelayConnection !== next.holdsRelayConnection ||
      // While synced, refresh the "last synced" time shown in details at most every few seconds.
      (next.lastSyncedAt ?? 0) - (previous.lastSyncedAt ?? 0) > 5_000;
    if (!changed) return;
    for (const listener of this.#listeners) listener(next);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const log = makeLogger('pinax:sync');

/**
 * What a document waiting for the relay is (its kind, state and how its heads compare), for the
 * log: never its id, which is a read capability, nor its heads.
 */
function describeWait(handle: DocHandle<unknown>, remote: readonly string[] | undefined): string {
  const kind = handle.isReady() ? (handle.doc() as { kind?: unknown } | undefined)?.kind : undefined;
  const what = `a ${typeof kind === 'string' ? kind : 'document'} (${handle.state})`;
  if (!handle.isReady()) return `${what} has waited to arrive`;
  const ours = headsOf(handle);
  if (!remote) return `${what} has waited for the relay's first acknowledgement (${ours.length} heads here)`;
  const common = ours.filter((head) => remote.includes(head)).length;
  return `${what} has waited for the relay to acknowledge it: ${ours.length} heads here, ${remote.length} acknowledged, ${common} in common`;
}
