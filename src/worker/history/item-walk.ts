// Which collection changes wrote to one item, found without decoding the log.
//
// Every value Automerge holds records the op that wrote it, and an op overwrites exactly the values
// of its key that were visible at the deps of its change. So, starting from the item's values
// visible now, reading each key again at the deps of the change that wrote it reaches every earlier
// write of that key. The cost grows with the item's own history, not with the document's: a
// 10k-item collection seeded in 1,000-item changes costs the same as a small one.
//
// Blind spot: a value that was deleted (not overwritten) is only found when its change also wrote
// something that is found. Pinax's writers always set updatedAt in the same change, so this only
// misses writes from foreign clients whose values were later deleted.

import { bucketOf } from '../domain/collection-doc.ts';
import type { ChangeLog } from './change-log.ts';
import type { DocReader, Heads, ValueRef } from './doc-reader.ts';

/**
 * Hashes of the changes that wrote to `itemId` and are not in `known`. `known` must be a previous
 * result (plus its own `known`): the pasts of known changes are not walked again, which is what
 * makes the walk incremental.
 */
export function itemWriters(
  reader: DocReader,
  log: ChangeLog,
  itemId: string,
  known: ReadonlySet<string>,
): string[] {
  const found: string[] = [];
  const seenChanges = new Set(known);
  const seenOps = new Set<string>();
  const scanned = new Set<string>();
  const done = new Set<string>();
  const tasks: Task[] = [];

  const discover = (value: ValueRef, place: Place, heads: Heads | undefined): void => {
    if (seenOps.has(value.op)) return;
    seenOps.add(value.op);
    const change = log.changeOfOp(value.op);
    if (change && !seenChanges.has(change.hash)) {
      seenChanges.add(change.hash);
      found.push(change.hash);
    }
    if (change && !known.has(change.hash) && change.deps.length > 0)
      tasks.push({ ...place, heads: change.deps });
    // A newly seen object (the item itself, or its tags map) is read whole, where it was seen.
    if (value.object && (place.kind === 'entry' || (place.kind === 'field' && place.key === 'tags'))) {
      scan(value.op, place.kind === 'entry' ? 'field' : 'tag', heads);
    }
  };
  const scan = (obj: string, kind: Place['kind'], heads: Heads | undefined): void => {
    if (scanned.has(obj)) return;
    scanned.add(obj);
    for (const key of reader.keys(obj, heads)) {
      for (const value of reader.values(obj, key, heads)) discover(value, { kind, obj, key }, heads);
    }
  };

  for (const buckets of reader.maps('_root', 'buckets')) {
    for (const bucket of reader.maps(buckets, bucketOf(itemId))) {
      for (const value of reader.values(bucket, itemId)) {
        discover(value, { kind: 'entry', obj: bucket, key: itemId }, undefined);
      }
    }
  }
  for (let task = tasks.pop(); task; task = tasks.pop()) {
    const id = `${task.obj}\u0000${task.key}\u0000${[...task.heads].sort().join(',')}`;
    if (done.has(id)) continue;
    done.add(id);
    for (const value of reader.values(task.obj, task.key, task.heads)) discover(value, task, task.heads);
  }
  return found;
}

/** A key of the item: its bucket entry, one of its fields, or one of its tags. */
interface Place {
  kind: 'entry' | 'field' | 'tag';
  obj: string;
  key: string;
}

interface Task extends Place {
  heads: Heads;
}
