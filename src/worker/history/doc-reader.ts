// Targeted reads of an Automerge document at given heads. `Automerge.view(doc, heads)` materializes
// the whole document (measured: ~350 ms per view of a 10k-item collection), so history reads single
// objects through the document's backend instead (~0.01 ms per key, ~0.15 ms per item).
//
// `getBackend` is exported by @automerge/automerge but marked @hidden; every use of it is in this
// file, so a future Automerge that drops it means changing one module (diffPath is the fallback).
// Every method swallows errors: a hostile or half-synced document must never make history throw.

import { Automerge } from '@automerge/automerge-repo/slim';

export type Heads = string[];

/** One value of a map key; `op` is the id of the op that wrote it (for objects: the object's id). */
export interface ValueRef {
  op: string;
  object: boolean;
}

export class DocReader {
  readonly #backend: Backend;

  private constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** A reader for an Automerge document, or undefined for anything else. */
  static of(doc: unknown): DocReader | undefined {
    try {
      if (!Automerge.isAutomerge(doc)) return undefined;
      return new DocReader(Automerge.getBackend(doc as Automerge.Doc<unknown>));
    } catch {
      return undefined;
    }
  }

  /** Every concurrent value of obj[key] at heads (undefined heads: now). */
  values(obj: string, key: string, heads?: Heads): ValueRef[] {
    try {
      return this.#backend.getAll(obj, key, heads).map((value) => ({
        op: value.length === 3 ? value[2] : value[1],
        object: value.length === 2,
      }));
    } catch {
      return [];
    }
  }

  /** Ids of the map objects under obj[key], conflicting ones included. */
  maps(obj: string, key: string, heads?: Heads): string[] {
    try {
      return this.#backend.getAll(obj, key, heads).flatMap((value) => (value[0] === 'map' ? [value[1]] : []));
    } catch {
      return [];
    }
  }

  /** The id of the map under obj[key] that wins the conflict, as the document shows it. */
  map(obj: string, key: string, heads?: Heads): string | undefined {
    try {
      const value = this.#backend.getWithType(obj, key, heads);
      return value?.[0] === 'map' ? value[1] : undefined;
    } catch {
      return undefined;
    }
  }

  /** The winning scalar value of obj[key]; text objects are read as a string. */
  scalar(obj: string, key: string, heads?: Heads): unknown {
    try {
      const value = this.#backend.getWithType(obj, key, heads);
      if (!value) return undefined;
      if (value[0] === 'text') return this.#backend.text(value[1], heads);
      if (value[0] === 'map' || value[0] === 'list' || value[0] === 'table') return undefined;
      return value[1];
    } catch {
      return undefined;
    }
  }

  keys(obj: string, heads?: Heads): string[] {
    try {
      return this.#backend.keys(obj, heads);
    } catch {
      return [];
    }
  }

  /** The object as plain JS values (ImmutableStrings stay ImmutableStrings). */
  materialize(obj: string, heads?: Heads): unknown {
    try {
      return this.#backend.materialize(obj, heads);
    } catch {
      return undefined;
    }
  }

  /** Where an object sits (e.g. ['buckets', '3f', itemId]), or undefined when it is not visible. */
  path(obj: string, heads?: Heads): ReadonlyArray<string | number> | undefined {
    try {
      return this.#backend.objInfo(obj, heads).path;
    } catch {
      return undefined;
    }
  }
}

type Backend = ReturnType<typeof Automerge.getBackend>;
