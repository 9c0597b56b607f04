// Timings of history on a 10k-item collection (10 changes of 1,000 items, then 500 one-item edits).
// Skipped unless PINAX_PERF=1: building the document alone takes several seconds.
//   PINAX_PERF=1 npx vitest run src/worker/history/history.perf.test.ts
// PINAX_PERF_EDITS=3000 changes the number of one-item edits.

import * as Automerge from '@automerge/automerge';
import { describe, expect, it } from 'vitest';
import type { CollectionDoc } from '../domain/collection-doc.ts';
import { initialCollection, insertItem, patchItem, setDeleted } from '../domain/collection-doc.ts';
import { HistoryIndex, collectionTimeline, itemAtVersion, itemHistory } from './item-history.ts';

const BODY = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. '.repeat(18); // ~1 KB
const WORDS = ['amber', 'birch', 'cobalt', 'dune', 'ember', 'fjord', 'granite', 'harbor', 'indigo'];

describe.runIf(import.meta.env.PINAX_PERF === '1')('history on a 10k-item collection', () => {
  it('stays well under 200 ms per question', () => {
    let doc = Automerge.change(Automerge.init<CollectionDoc>(), (d) => {
      Object.assign(d, initialCollection('Perf', '', 1));
    });
    const ids: string[] = [];
    for (let c = 0; c < 10; c++) {
      doc = Automerge.change(doc, (d) => {
        for (let i = 0; i < 1_000; i++) {
          const id = `item-${c}-${i}`;
          ids.push(id);
          const title = Array.from({ length: 6 }, (_, w) => WORDS[(i + w * c) % WORDS.length]).join(' ');
          insertItem(d, id, { title, body: BODY, tags: ['a', `t${i % 7}`, `c${c}`] }, Date.now());
        }
      });
    }
    const hot = ids[4_321]!;
    const edits = Number(import.meta.env.PINAX_PERF_EDITS ?? 500);
    const edited = new Set<string>();
    for (let k = 0; k < edits; k++) {
      const id = k % 10 === 0 ? hot : ids[(k * 7_919) % ids.length]!;
      edited.add(id);
      doc = Automerge.change(doc, (d) => {
        if (k % 50 === 25) setDeleted(d, id, true, k);
        else if (k % 3 === 0) patchItem(d, id, { tags: ['a', `k${k}`] }, k);
        else patchItem(d, id, { title: `edit ${k}` }, k);
      });
    }

    const cold = ids.findLast((id) => !edited.has(id))!; // created in the last bulk change, never edited
    const results: Record<string, string> = {};
    const time = (label: string, fn: () => unknown, runs = 5) => {
      const ms: number[] = [];
      for (let r = 0; r < runs; r++) {
        const start = performance.now();
        fn();
        ms.push(performance.now() - start);
      }
      const sorted = [...ms].sort((a, b) => a - b);
      results[label] = `first ${ms[0]!.toFixed(1)} ms, median ${sorted[sorted.length >> 1]!.toFixed(1)} ms`;
      return sorted[sorted.length >> 1]!;
    };

    expect(itemHistory(doc, hot).length).toBeGreaterThan(40);
    expect(itemHistory(doc, cold).map((v) => v.summary)).toEqual(['Created']);
    const stateless = time(
      `itemHistory (stateless), item with ${itemHistory(doc, hot).length} versions`,
      () => itemHistory(doc, hot),
    );
    time('itemHistory (stateless), item never edited', () => itemHistory(doc, cold));
    const oldest = itemHistory(doc, hot).at(-1)!.id;
    time('itemAtVersion (stateless), oldest version of that item', () =>
      itemAtVersion(doc, hot, undefined, oldest),
    );
    const timeline = time('collectionTimeline({ limit: 50 }) (stateless)', () =>
      collectionTimeline(doc, { limit: 50 }),
    );
    time(
      'collectionTimeline reaching the 1,000-item changes (stateless)',
      () => collectionTimeline(doc, { offset: edits, limit: 11 }),
      2,
    );

    const index = new HistoryIndex();
    time('HistoryIndex first itemHistory (builds metadata)', () => index.itemHistory(doc, hot), 1);
    time('HistoryIndex itemHistory, unchanged doc', () => index.itemHistory(doc, hot));
    const later: Array<typeof doc> = [];
    for (let r = 0; r < 5; r++)
      later.push(
        Automerge.change(later.at(-1) ?? doc, (d) => void patchItem(d, hot, { title: `again ${r}` }, r)),
      );
    let run = 0;
    time('HistoryIndex itemHistory after one more edit of it', () => index.itemHistory(later[run++]!, hot));
    time('HistoryIndex timeline({ limit: 50 }), warm', () => index.timeline(later.at(-1)!, { limit: 50 }));

    time(
      'for comparison: getAllChanges + decodeChange of every change',
      () => {
        for (const change of Automerge.getAllChanges(doc)) Automerge.decodeChange(change);
      },
      1,
    );
    time(
      'for comparison: Automerge.view of the whole document',
      () => {
        const heads = Automerge.getHeads(doc);
        return Automerge.view(doc, heads).buckets;
      },
      1,
    );
    console.info(results);
    if (edits === 500) {
      expect(stateless).toBeLessThan(200);
      expect(timeline).toBeLessThan(200);
    }
  });
});
