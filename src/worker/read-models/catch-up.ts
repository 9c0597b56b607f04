// Which items the read models must re-derive to catch up with a document: from the heads they were
// derived at to the document's current heads. Working that out (Automerge.diff) is one synchronous
// block that grows with what changed: ~1.5 s in Node for an import of 10,000 items, which an engine
// stopped in the middle of a large import (bulk-write.ts) would meet at its next start. Past
// LARGE_CATCH_UP_OPS the answer is 'all': a rebuild, in slices that let other work in.

import { Automerge } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../../shared/log.ts';
import { sameHeads } from '../doc-heads.ts';
import type { CollectionDoc } from '../domain/collection-doc.ts';
import { touchedItems } from '../domain/materialize.ts';

/** The items to re-derive to bring models at `from` heads to `to`: 'all' when that is unknown. */
export function catchUpIds(
  doc: CollectionDoc,
  from: string[] | undefined,
  to: string[],
): string[] | 'all' | 'none' {
  if (!from) return 'all';
  if (sameHeads(from, to)) return 'none';
  try {
    if (opsSince(doc, from) > LARGE_CATCH_UP_OPS) return 'all';
    const touched = touchedItems(Automerge.diff(doc, from, to));
    return touched.all ? 'all' : [...touched.ids];
  } catch (error) {
    // Heads the document does not know (storage replaced, say): a mismatch, so rebuild.
    log.warn('read models could not catch up by diff; rebuilding', error);
    return 'all';
  }
}

/** About 2,000 new items (~10 ops each); a diff of 3,000 took ~0.33 s in Node. */
export const LARGE_CATCH_UP_OPS = 20_000;

/** How many operations the changes since `heads` hold, from their metadata alone. */
function opsSince(doc: CollectionDoc, heads: string[]): number {
  let ops = 0;
  for (const change of Automerge.getChangesMetaSince(doc, heads)) ops += change.maxOp - change.startOp + 1;
  return ops;
}

const log = makeLogger('pinax:read-models');
