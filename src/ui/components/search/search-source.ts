// A tab's search subscriptions, with the answers the engine worked out ahead of the next keystroke
// (src/worker/queries/search-ahead.ts). A subscription whose answer is already known gets it at once,
// in the same frame as the keystroke that made it; the engine's own answer follows, as always.

import type { SearchRequest, SearchResults } from '../../../shared/queries.ts';
import { searchAnswerKey, shownAnswer } from '../../../shared/search-key.ts';

export interface SearchSource {
  /**
   * Subscribes to a search, as EngineClient.subscribe does. A known answer to it is handed to
   * `onData` first, in a microtask (still before the next frame), then every answer from the engine
   * except one that shows exactly what the known one showed. Returns the unsubscribe.
   */
  subscribe(request: SearchRequest, onData: (results: SearchResults) => void): () => void;
}

/** What the source needs of the engine client: its subscribe, for searches. */
export interface SearchEngine {
  subscribe(request: SearchRequest, onData: (results: SearchResults) => void): () => void;
}

export function createSearchSource(engine: SearchEngine): SearchSource {
  /**
   * Answers by searchAnswerKey: those of the latest subscription (its own, and those ahead), and the
   * latest own answer of the one before it (the query a Backspace goes back to).
   */
  let known = new Map<string, KnownAnswer>();
  let nextId = 1;
  let latestOwn: { key: string; answer: KnownAnswer } | undefined;

  return {
    subscribe(request, onData) {
      const subscription = nextId++;
      const key = searchAnswerKey(request);
      const hit = known.get(key);
      known = new Map(latestOwn ? [[latestOwn.key, latestOwn.answer]] : []);
      let shownFromKnown: SearchResults | undefined;
      let answeredByEngine = false;
      let active = true;
      if (hit)
        queueMicrotask(() => {
          if (!active || answeredByEngine) return;
          shownFromKnown = { ...hit.results, query: request.query };
          onData(shownFromKnown);
        });

      const unsubscribe = engine.subscribe(request, (results) => {
        if (!active) return;
        const epoch = results.epoch ?? 0;
        // A read-model change came between: answers worked out before it may be out of date.
        for (const [k, answer] of known)
          if (answer.subscription === subscription && answer.epoch < epoch) known.delete(k);
        const answer: KnownAnswer = { results, subscription, epoch };
        if (results.ahead) {
          known.set(searchAnswerKey({ ...request, query: results.query }), answer);
          return;
        }
        known.set(key, answer);
        latestOwn = { key, answer };
        const first = !answeredByEngine;
        answeredByEngine = true;
        if (first && shownFromKnown && shownAnswer(shownFromKnown) === shownAnswer(results)) return;
        onData(results);
      });
      return () => {
        active = false;
        unsubscribe();
      };
    },
  };
}

interface KnownAnswer {
  results: SearchResults;
  /** Which subscription of this source it came from, and in which of its epochs. */
  subscription: number;
  epoch: number;
}
