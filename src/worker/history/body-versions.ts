// Versions of an item's body document (`{ kind: 'pinax.body', text }`, see ../bodies.ts).
//
// A body document is small and only ever holds the text, so every change is a "Body edited"
// version without decoding it, except the seed: the root change (no deps) that copies the
// collection's snapshot when the document is created. It repeats what the collection already held,
// so it is not a version.

import { readString } from '../domain/collection-doc.ts';
import type { ChangeInfo } from './change-log.ts';
import { ChangeLog } from './change-log.ts';
import { DocReader } from './doc-reader.ts';
import type { Heads } from './doc-reader.ts';

export class BodyHistory {
  readonly #log = new ChangeLog();
  readonly #reader: DocReader;

  private constructor(bodyDoc: unknown, reader: DocReader) {
    this.#reader = reader;
    this.#log.update(bodyDoc);
  }

  /** The history of a body document; undefined for anything that is not an Automerge document. */
  static of(bodyDoc: unknown): BodyHistory | undefined {
    const reader = DocReader.of(bodyDoc);
    return reader && new BodyHistory(bodyDoc, reader);
  }

  /** The body edits, in causal order. */
  versions(): ChangeInfo[] {
    return this.#log.changes().filter((change) => change.deps.length > 0);
  }

  /** A body edit by hash; undefined for the seed or an unknown hash. */
  version(hash: string): ChangeInfo | undefined {
    const change = this.#log.get(hash);
    return change && change.deps.length > 0 ? change : undefined;
  }

  /**
   * The text right after the last edit made before `time` (seconds), or undefined when there was
   * none. On equal times the collection change counts as earlier (see HistoryIndex).
   */
  textBefore(time: number): string | undefined {
    let last: ChangeInfo | undefined;
    for (const change of this.versions()) {
      if (change.time < time && (!last || change.time >= last.time)) last = change;
    }
    return last ? this.textAt([last.hash]) : undefined;
  }

  /** The text at heads (undefined: now). */
  textAt(heads?: Heads): string | undefined {
    const text = this.#reader.scalar('_root', 'text', heads);
    return text === undefined ? undefined : readString(text);
  }
}
