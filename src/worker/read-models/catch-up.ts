// Which items the read models must re-derive to catch up with a document: from the heads they were
// derived at to the document's current heads.

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
    const touched = touchedItems(Automerge.diff(doc, from, to));
    return touched.all ? 'all' : [...touched.ids];
  } catch (error) {
    // Heads the document does not know (storage replaced, say): a mismatch, so rebuild.
    log.warn('read models could not catch up by diff; rebuilding', error);
    return 'all';
  }
}

const log = makeLogger('pinax:read-models');
