// Live search over the read models: the persisted search index (src/worker/search) answers, the catalog supplies
// what a hit shows. Results are pushed again whenever a read model changes, so a subscriber sees
// edits from any tab, device or peer without asking.

import { FIRST_FRAME_HITS } from '../../shared/queries.ts';
import type { SearchRequest, SearchResultItem, SearchResults } from '../../shared/queries.ts';
import type { CollectionId, ItemId } from '../../shared/types.ts';
import { makeLogger } from '../../shared/log.ts';
import type { ReadModels } from '../read-models/read-models.ts';
import { shownAnswer } from '../../shared/search-key.ts';
import { answerAhead, nextQueries } from './search-ahead.ts';

export interface CollectionNames {
  /**
   * Names of the joined collections; hits in any other collection are left out. Undefined until
   * they are first read: a search answered then would drop every hit ("No items match", for a
   * moment, on a cold start).
   */
  current(): ReadonlyMap<string, string> | undefined;
  /** Returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

export function subscribeSearch(
  readModels: ReadModels,
  names: CollectionNames,
  request: SearchRequest,
  push: (results: SearchResults) => void,
): () => void {
  let active = true;
  let running = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerDue = 0;
  /** What was last pushed, without its timing: the same results are not sent again. */
  let lastPushed: string | undefined;
  /** Read-model changes seen (SearchResults.epoch): answers from an earlier epoch may be out of date. */
  let epoch = 0;
  let answered = false;
  let cancelAhead = (): void => undefined;
  let aheadTimer: ReturnType<typeof setTimeout> | undefined;
  const stopAhead = (): void => {
    cancelAhead();
    clearTimeout(aheadTimer);
    aheadTimer = undefined;
  };
  /**
   * Answers ahead of the next keystroke (search-ahead.ts), for the results of `answeredEpoch`: at
   * once after the subscription's first answer (a keystroke), later after a change, so that a burst
   * of changes (a sync, an import) does not answer a round of queries each time.
   */
  const startAhead = (joined: ReadonlyMap<string, string>, answeredEpoch: number, delayMs: number): void => {
    stopAhead();
    // A screenful is all a keystroke's frame shows: fewer hits to look up, send and read.
    const aheadLimit = Math.min(request.limit ?? DEFAULT_LIMIT, FIRST_FRAME_HITS);
    const begin = (): void => {
      aheadTimer = undefined;
      cancelAhead = answerAhead(
        nextQueries(readModels.index, request.query),
        (query) => search(readModels, joined, { ...request, query, limit: aheadLimit }),
        (results) => push({ ...results, epoch: answeredEpoch }),
      );
    };
    if (delayMs === 0) begin();
    else aheadTimer = setTimeout(begin, delayMs);
  };

  const run = async (): Promise<void> => {
    const joined = names.current();
    // Not read yet: the names subscription below runs the search once they are.
    if (!joined) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    const runEpoch = epoch;
    try {
      const results = await search(readModels, joined, request);
      // Every change anywhere re-runs every open search; most change nothing it shows (an edit to
      // an item that does not match). Sending those anyway costs a postMessage and a re-render in
      // every tab on each keystroke.
      const key = shownAnswer(results);
      if (active && key !== lastPushed) {
        lastPushed = key;
        push({ ...results, epoch: runEpoch });
      }
      // While indexing, answers are incomplete and about to change.
      if (request.ahead && active && epoch === runEpoch && !readModels.indexing)
        startAhead(joined, runEpoch, answered ? AHEAD_AFTER_CHANGE_MS : 0);
      answered = true;
    } catch (error) {
      log.error('search failed', error);
    } finally {
      running = false;
      if (again && active) {
        again = false;
        void run();
      }
    }
  };
  // Many changes in a burst (an import, a sync) become one re-run per frame; while a collection is
  // being indexed, one per RERUN_WHILE_INDEXING_MS (its slices change the index every few
  // milliseconds, and searching after each took a share of the rebuild's time). The re-run for the
  // end of indexing is never held back: that answer is the complete one.
  const rerun = (collectionId?: string, delayMs?: number) => {
    if (
      request.collectionId !== undefined &&
      collectionId !== undefined &&
      collectionId !== request.collectionId
    )
      return;
    epoch += 1;
    stopAhead();
    // Read on every change to any collection, for every open search: no report is built.
    const due =
      performance.now() + (delayMs ?? (readModels.indexing ? RERUN_WHILE_INDEXING_MS : RERUN_DELAY_MS));
    if (timer !== undefined) {
      if (timerDue <= due) return;
      clearTimeout(timer);
    }
    timerDue = due;
    timer = setTimeout(() => {
      timer = undefined;
      void run();
    }, due - performance.now());
  };
  const offModels = readModels.subscribe(rerun);
  // subscribeProgress reports the current progress at once; the run below already reads it, and
  // re-running for that report searched every keystroke's query twice.
  let reportedNow = true;
  // Indexing just ended: that answer goes out in the next task, ahead of the work that waits for
  // the end of a load (saving the index, preparing the document for edits).
  const offProgress = readModels.subscribeProgress((progress) => {
    if (!reportedNow) rerun(undefined, progress.pending === 0 ? 0 : undefined);
  });
  reportedNow = false;
  const offNames = names.subscribe(() => rerun());
  void run();
  return () => {
    active = false;
    clearTimeout(timer);
    stopAhead();
    offModels();
    offProgress();
    offNames();
  };
}

/** One search: index hits, their catalog rows and collection names. */
export async function search(
  readModels: ReadModels,
  names: ReadonlyMap<string, string>,
  request: SearchRequest,
): Promise<SearchResults> {
  await readModels.ready;
  const started = performance.now();
  const options = {
    ...(request.collectionId !== undefined ? { collectionId: request.collectionId } : {}),
    ...(request.tag !== undefined ? { tag: request.tag } : {}),
    limit: request.limit ?? DEFAULT_LIMIT,
  };
  const outcome = readModels.index.search(request.query, options);
  const facets =
    outcome.total === 0 && request.query.trim() === '' && request.tag === undefined
      ? readModels.index.tagFacets(request.collectionId)
      : outcome.facets;
  // Read before awaiting the rows: progress read after could claim "done" for a count from before.
  const progress = readModels.progress;
  const joined = outcome.hits.filter((hit) => names.has(hit.collectionId));
  const rows = await readModels.rows(joined.map((hit) => [hit.collectionId, hit.itemId]));
  const hits: SearchResultItem[] = [];
  joined.forEach((hit, n) => {
    const row = rows[n];
    if (!row || row.deleted) return;
    hits.push({
      collectionId: hit.collectionId as CollectionId,
      collectionName: names.get(hit.collectionId) ?? '',
      itemId: hit.itemId as ItemId,
      title: row.title,
      snippet: row.snippet,
      tags: row.tags,
      terms: hit.terms,
    });
  });
  return {
    query: request.query,
    total: outcome.total - (outcome.hits.length - hits.length),
    hits,
    facets,
    tookMs: performance.now() - started,
    indexing: progress,
  };
}

const log = makeLogger('pinax:search');
const DEFAULT_LIMIT = 50;
const RERUN_DELAY_MS = 16;
const RERUN_WHILE_INDEXING_MS = 100;
const AHEAD_AFTER_CHANGE_MS = 250;
