// A fresh device's first large document load runs Automerge's wasm cold: V8 compiles each function
// on its first call, and runs baseline code until it has seen the function run for a while. A link
// opened on a fresh device downloads the collection's snapshot first; meanwhile the engine has
// nothing to do, so it loads a small document a few times, and V8 optimizes in the background.
// Measured on a fresh profile opening a link, 6 runs each, medians: the 10,000-item snapshot's
// load 1.25 → 1.04 s (searchable 4.38 → 4.14 s); 1,000 items: load ~0.6 → ~0.4 s.
//
// One load per task, and none once the download is over: a small snapshot arrives in a few
// milliseconds, and all four loads in one go then held its bytes (and everything after) back. The
// document comes saved (warm-up-document.ts): building it here compiled code a load never runs.

import { Automerge } from '@automerge/automerge-repo/slim';
import { makeLogger } from '../shared/log.ts';
import { WARM_UP_DOCUMENT_BASE64 } from './warm-up-document.ts';

/**
 * Loads a small document up to WARM_UP_LOADS times, one per task, until `download` settles. Runs
 * once per engine; later calls do nothing (warm code stays warm).
 */
export function warmUpDocumentLoading(download: Promise<unknown>): void {
  if (warmed) return;
  warmed = true;
  let done = false;
  void download.finally(() => (done = true)).catch(() => undefined);
  const saved = warmUpDocument();
  let rounds = 0;
  const round = () => {
    if (done || rounds++ >= WARM_UP_LOADS) return;
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

/** The saved small document the warm-up loads. */
export function warmUpDocument(): Uint8Array {
  return Uint8Array.from(atob(WARM_UP_DOCUMENT_BASE64), (c) => c.charCodeAt(0));
}

let warmed = false;
const WARM_UP_LOADS = 4;
const log = makeLogger('pinax:warm-up');
