// A fresh device's first large document load runs Automerge's wasm cold: V8 compiles each function
// on its first call, and runs baseline code until it has seen the function run for a while. A link
// opened on a fresh device downloads the collection's snapshot first; meanwhile the engine has
// nothing to do, so it loads a small document a few times, and V8 optimizes in the background.
// Measured on a fresh profile opening a link, 6 runs each, medians: the 10,000-item snapshot's
// load 1.25 → 1.04 s (searchable 4.38 → 4.14 s); 1,000 items: load ~0.6 → ~0.4 s.
//
// One load per task, and none once the download is over: a small snapshot arrives in a few
// milliseconds, and all four loads in one go then held its bytes (and everything after) back. The
// documents come saved (warm-up-document.ts): building them here compiled code a load never runs.
//
// First four loads of a 30-item document, then, while the download still goes on (a large
// collection), four of a 200-item one. Side by side on fresh profiles, medians: the 200-item loads
// alone made a 10,000-item collection searchable sooner (4.12 → 3.98 s, 3 runs each) but a
// 1,000-item one later (2.05 → 2.26 s, 6 runs each), their longer tasks holding its short download
// back. Both in turn, against the 30-item loads alone: 10,000 items 3.90 → 3.62 s (3 runs each),
// 1,000 items 2.34 → 2.23 s (5 runs each).

import { Automerge } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../shared/log.ts';
import { WARM_UP_LARGE_BASE64, WARM_UP_SMALL_BASE64 } from './warm-up-document.ts';

/**
 * Loads the small document, then the large one, WARM_UP_LOADS times each, one load per task, until
 * `download` settles. Runs once per engine; later calls do nothing (warm code stays warm).
 */
export function warmUpDocumentLoading(download: Promise<unknown>): void {
  if (warmed) return;
  warmed = true;
  let done = false;
  void download.finally(() => (done = true)).catch(() => undefined);
  const documents = warmUpDocuments();
  let rounds = 0;
  const round = () => {
    if (done || rounds >= 2 * WARM_UP_LOADS) return;
    const saved = rounds++ < WARM_UP_LOADS ? documents.small : documents.large;
    try {
      Automerge.getHeads(Automerge.load(saved));
    } catch (error) {
      log.warn('could not warm up document loading', error);
      return;
    }
    setTimeout(round, 0);
  };
  round();
}

/** The saved documents the warm-up loads. */
export function warmUpDocuments(): { small: Uint8Array; large: Uint8Array } {
  const decode = (base64: string) => Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return { small: decode(WARM_UP_SMALL_BASE64), large: decode(WARM_UP_LARGE_BASE64) };
}

let warmed = false;
/** Loads of each document. */
const WARM_UP_LOADS = 4;
const log = makeLogger('pinax:warm-up');
