// The metadata of every change of one document (hash, actor, time, deps, op range), kept up to
// date incrementally. Metadata comes from `getChangesMetaSince`, which does not decode ops: ~10-30 ms
// for all changes of a 10k-item collection, against ~400-800 ms to encode and decode them all.
//
// It also answers "which change wrote op `12@actor`": an op id is a counter and an actor, and each
// change owns the counters startOp..maxOp of its actor.

import { Automerge } from '@automerge/automerge-repo/slim';
import { claimedAuthor } from '../../shared/access/authorship.ts';
import type { Heads } from './doc-reader.ts';
import { sameHeads } from '../doc-heads.ts';

export interface ChangeInfo {
  hash: string;
  actor: string;
  /** The user the change names as its author (checked by the relay on arrival); see authorship.ts. */
  author?: string;
  /** Seconds since the epoch, as the writer's clock said (Automerge's default precision). */
  time: number;
  deps: Heads;
  startOp: number;
  maxOp: number;
  /** Position in a causal order of the document's changes: ancestors come first. */
  order: number;
}

export type LogUpdate = 'unchanged' | 'appended' | 'reset';

export class ChangeLog {
  #changes: ChangeInfo[] = [];
  #byHash = new Map<string, ChangeInfo>();
  /** Per actor, its changes by ascending startOp (an actor's changes are causally ordered). */
  #byActor = new Map<string, ChangeInfo[]>();
  #heads: Heads = [];
  #newestFirst: ChangeInfo[] | undefined;
  /** One string per author: a 10k-change log names a handful of users, not 10k copies of them. */
  #authors = new Map<string, string>();

  /** Catches up with `doc`. Returns 'reset' when `doc` is not a continuation of what was seen. */
  update(doc: unknown): LogUpdate {
    let heads: Heads;
    try {
      if (!Automerge.isAutomerge(doc)) return this.#reset([]);
      const amDoc = doc as Automerge.Doc<unknown>;
      heads = Automerge.getHeads(amDoc);
      if (sameHeads(heads, this.#heads)) return 'unchanged';
      const continues = this.#heads.length > 0 && Automerge.hasHeads(amDoc, this.#heads);
      const metas = Automerge.getChangesMetaSince(amDoc, continues ? this.#heads : []);
      const result = continues ? 'appended' : this.#reset(heads);
      for (const meta of metas) this.#add(meta);
      this.#heads = heads;
      this.#newestFirst = undefined;
      return result;
    } catch {
      return this.#reset([]);
    }
  }

  get heads(): Heads {
    return this.#heads;
  }

  get size(): number {
    return this.#changes.length;
  }

  /** Every change in causal order. */
  changes(): readonly ChangeInfo[] {
    return this.#changes;
  }

  get(hash: string): ChangeInfo | undefined {
    return this.#byHash.get(hash);
  }

  /** The change that wrote op `counter@actor`. */
  changeOfOp(opId: string): ChangeInfo | undefined {
    const at = opId.indexOf('@');
    const counter = Number(opId.slice(0, at));
    const changes = this.#byActor.get(opId.slice(at + 1));
    if (at < 1 || !Number.isSafeInteger(counter) || !changes) return undefined;
    let low = 0;
    let high = changes.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const change = changes[mid]!;
      if (counter < change.startOp) high = mid - 1;
      else if (counter > change.maxOp) low = mid + 1;
      else return change;
    }
    return undefined;
  }

  /** Every change, newest first: by time, then causal order (clocks of devices disagree). */
  newestFirst(): readonly ChangeInfo[] {
    this.#newestFirst ??= [...this.#changes].sort((a, b) => b.time - a.time || b.order - a.order);
    return this.#newestFirst;
  }

  #add(meta: Automerge.ChangeMetadata): void {
    if (this.#byHash.has(meta.hash)) return;
    const author = claimedAuthor(meta.message);
    const info: ChangeInfo = {
      hash: meta.hash,
      actor: meta.actor,
      ...(author ? { author: this.#intern(author) } : {}),
      time: Number.isFinite(meta.time) ? meta.time : 0,
      deps: [...meta.deps],
      startOp: meta.startOp,
      maxOp: meta.maxOp,
      order: this.#changes.length,
    };
    this.#changes.push(info);
    this.#byHash.set(info.hash, info);
    const own = this.#byActor.get(info.actor);
    if (!own) this.#byActor.set(info.actor, [info]);
    else {
      own.push(info);
      // Metadata arrives in causal order, so this only sorts when a batch interleaves oddly.
      if (own.length > 1 && own[own.length - 2]!.startOp > info.startOp) own.sort(byStartOp);
    }
  }

  #intern(author: string): string {
    const known = this.#authors.get(author);
    if (known !== undefined) return known;
    this.#authors.set(author, author);
    return author;
  }

  #reset(heads: Heads): LogUpdate {
    this.#changes = [];
    this.#byHash.clear();
    this.#byActor.clear();
    this.#heads = heads;
    this.#newestFirst = undefined;
    return 'reset';
  }
}

function byStartOp(a: ChangeInfo, b: ChangeInfo): number {
  return a.startOp - b.startOp;
}
