// What the read models still have to derive, as search and the collection screens report it: the
// collections being rebuilt from their documents, and those the stored index fell short of at
// start-up (index-gaps.ts) until tracking has caught them up. A rebuild takes over its collection's
// gap: from then on it counts down as the rebuild's progress.

import type { IndexGap } from './index-gaps.ts';

export interface RebuildProgress {
  /**
   * Live items still to (re)derive across collections being rebuilt, or that the stored index lacked
   * at start-up and whose documents are still loading (an estimate until then); 0 when idle.
   */
  pending: number;
  total: number;
  /** The same per collection being rebuilt (a collection just arrived, or a format change). */
  collections: Record<string, { pending: number; total: number }>;
}

export class IndexingProgress {
  #rebuilding = new Map<string, IndexGap>();
  #gaps = new Map<string, IndexGap>();
  #listeners = new Set<(progress: RebuildProgress) => void>();

  /** The stored index's gaps, once it is loaded. */
  setGaps(gaps: Map<string, IndexGap>): void {
    this.#gaps = gaps;
  }

  /** Whether any item is still to be indexed (report().pending > 0), without building the report. */
  get indexing(): boolean {
    for (const source of [this.#gaps, this.#rebuilding])
      for (const p of source.values()) if (p.pending > 0) return true;
    return false;
  }

  get anyRebuilding(): boolean {
    return this.#rebuilding.size > 0;
  }

  isRebuilding(collectionId: string): boolean {
    return this.#rebuilding.has(collectionId);
  }

  /** A rebuild of `total` live items starts; it replaces the collection's gap. */
  beginRebuild(collectionId: string, total: number): void {
    this.#gaps.delete(collectionId);
    this.#rebuilding.set(collectionId, { pending: total, total });
  }

  /** `done` more live items of the rebuild are derived; tells the listeners. */
  advanceRebuild(collectionId: string, done: number): void {
    const progress = this.#rebuilding.get(collectionId);
    if (progress) progress.pending = Math.max(0, progress.pending - done);
    this.emit();
  }

  endRebuild(collectionId: string): void {
    this.#rebuilding.delete(collectionId);
  }

  /** The collection's read models have caught up (or never will): its gap is closed. */
  closeGap(collectionId: string): void {
    if (this.#gaps.delete(collectionId)) this.emit();
  }

  report(): RebuildProgress {
    let pending = 0;
    let total = 0;
    const collections: RebuildProgress['collections'] = {};
    // Read on every search: walks both maps without copying them.
    for (const source of [this.#gaps, this.#rebuilding])
      for (const [id, p] of source) {
        pending += p.pending;
        total += p.total;
        collections[id] = { pending: p.pending, total: p.total };
      }
    return { pending, total, collections };
  }

  /** Progress, pushed at once and on every change; returns the unsubscribe. */
  subscribe(listener: (progress: RebuildProgress) => void): () => void {
    this.#listeners.add(listener);
    listener(this.report());
    return () => this.#listeners.delete(listener);
  }

  emit(): void {
    const progress = this.report();
    for (const listener of this.#listeners) listener(progress);
  }
}
