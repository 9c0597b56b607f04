// The relay never needs most of what it relays as JavaScript objects: it applies, stores and
// forwards changes, all of which Automerge's backend does alone. So the relay process keeps its
// documents unmaterialized (a Pinax patch to Automerge, see patches/README.md): applying a
// 10k-item import then costs about a sixth of the time, and loading one from disk a quarter. An
// unmaterialized document's root is an empty object, so relay code that reads a document's content
// goes through here; these work on materialized documents too (tests, other processes).

import * as Automerge from '@automerge/automerge';
import type { DocHandle } from '@automerge/automerge-repo';

const UNMATERIALIZED = Symbol.for('_am_pinax_unmaterialized');

/**
 * From now on, documents this process creates or loads have no JS value. Call it once, first thing
 * in a process that only stores and relays documents; documents made before keep theirs.
 */
export function stopMaterializingDocuments(): void {
  (globalThis as Record<symbol, unknown>)[UNMATERIALIZED] = true;
}

/** Undoes stopMaterializingDocuments for documents made from now on (for tests in a shared process). */
export function resumeMaterializingDocuments(): void {
  delete (globalThis as Record<symbol, unknown>)[UNMATERIALIZED];
}

/** The document's whole current value as plain objects, or undefined while it is not ready. */
export function valueOf(handle: DocHandle<unknown> | undefined): unknown {
  return handle?.isReady() ? Automerge.toJS(handle.doc()) : undefined;
}

/**
 * One field of the document's root, without building the rest of the document (a collection's
 * `creator` beside its 10k items). Strings come back as strings (collaborative or not), objects as
 * plain objects; undefined when the field or the document is missing.
 */
export function rootFieldOf(handle: DocHandle<unknown> | undefined, key: string): unknown {
  if (!handle?.isReady()) return undefined;
  const backend = Automerge.getBackend(handle.doc());
  const found = backend.getWithType('_root', key);
  if (!found) return undefined;
  const [type, value] = found;
  if (type === 'text') return backend.text(value);
  if (type === 'map' || type === 'list' || type === 'table') return backend.materialize(value);
  return value;
}
