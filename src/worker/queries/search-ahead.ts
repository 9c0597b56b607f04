// Search answers worked out ahead of the next keystroke.
//
// Why: after a keystroke, Chromium hands the page no message from a worker until it has produced
// the frame that paints the typed character (DeferRendererTasksAfterInput). An answer from the
// engine therefore shows a frame after its keystroke at best, however fast the engine is. While a
// tab's search box has the focus, its search subscription asks for more (SearchRequest.ahead): after
// its own answer, the engine answers the queries one more typed character can make, the ones the
// index's words allow, and pushes them. The tab keeps them and shows the right one in the frame of
// the keystroke itself, while the engine's own answer (almost always the same) follows.
//
// The cost is engine time while the user types: one query per character the index allows next,
// tens for the first letter of a word, a handful later in a word. Each runs in a task of its own, so
// a tab's command or the next keystroke's subscription is never held up by more than one; a round
// stops early when the index is large enough to make single queries slow.

import { searchTerms } from '../../shared/highlight.ts';
import { makeLogger } from '../../shared/log.ts';
import type { SearchResults } from '../../shared/queries.ts';
import { nextTask } from '../next-task.ts';
import { MAX_QUERY_WORDS } from '../search/search-index.ts';

/** At most this many queries per round: enough for every letter and digit after a word's start. */
export const MAX_AHEAD_QUERIES = 40;

/**
 * The queries that one more typed character makes of `query`, the likeliest first: the last word
 * continued by each character the index's terms continue it with, or, when the query ends between
 * words, a new word started with each character a term starts with. Any other character gives a
 * query no term continues; a separator gives the same search as `query` itself (searchAnswerKey).
 */
export function nextQueries(
  index: { nextCharacters(prefix: string): string[] },
  query: string,
  max = MAX_AHEAD_QUERIES,
): string[] {
  const words = searchTerms(query);
  // A letter typed now continues the last word, unless the query ends between words (or is empty).
  const continuesWord = words.length > 0 && searchTerms(`${query}a`).length === words.length;
  // The index reads only the first MAX_QUERY_WORDS words: another one would change nothing.
  if (!continuesWord && words.length >= MAX_QUERY_WORDS) return [];
  const prefix = continuesWord ? words[words.length - 1]! : '';
  return index
    .nextCharacters(prefix)
    .sort((a, b) => likelihood(a) - likelihood(b))
    .slice(0, max)
    .map((character) => query + character);
}

/**
 * Answers each of `queries` in a task of its own and pushes the answer marked `ahead`, until all are
 * answered, the returned cancel is called, or the round is over budget. Returns the cancel.
 */
export function answerAhead(
  queries: readonly string[],
  answer: (query: string) => Promise<SearchResults>,
  push: (results: SearchResults) => void,
): () => void {
  let cancelled = false;
  const round = async (): Promise<void> => {
    let spentMs = 0;
    for (const query of queries) {
      await nextTask();
      if (cancelled) return;
      const started = performance.now();
      const results = await answer(query);
      if (cancelled) return;
      push({ ...results, ahead: true });
      const tookMs = performance.now() - started;
      spentMs += tookMs;
      // A large index makes short queries slow ("a" matches most items): a round of them would keep
      // the engine busy for long, and a keystroke that misses costs only a frame.
      if (tookMs > MAX_QUERY_MS || spentMs > ROUND_BUDGET_MS) return;
    }
  };
  round().catch((error: unknown) => log.warn('an answer ahead failed', error));
  return () => {
    cancelled = true;
  };
}

const log = makeLogger('pinax:search-ahead');
/** A round stops after a query that took longer than this... */
const MAX_QUERY_MS = 12;
/** ...or once its queries took this long in all. */
const ROUND_BUDGET_MS = 200;
/** Letters in the order of their frequency in English text, then digits; anything else comes after. */
const LIKELY_ORDER = 'etaoinsrhldcumfpgwybvkxjqz0123456789';

function likelihood(character: string): number {
  const at = LIKELY_ORDER.indexOf(character);
  return at === -1 ? LIKELY_ORDER.length : at;
}
