// Which search requests get the same answer, and whether two answers show the same. The tabs keep
// answers the engine worked out ahead of the next keystroke (src/ui/components/search/
// search-source.ts) and look them up by this key; the engine names what it worked out by the request
// it answered.

import { searchTerms } from './highlight.ts';
import type { SearchRequest, SearchResults } from './queries.ts';

/**
 * Requests with the same key get the same answer (apart from `query`, which names the request). The
 * engine reads a query only through its folded words (searchTerms: case, accents, spaces and
 * punctuation make no difference, so "Meadow " and "meadow" are one search) and whether it is blank
 * (a blank query lists tag counts); the filters and limit are read as they are.
 */
export function searchAnswerKey(
  request: Pick<SearchRequest, 'query' | 'tag' | 'collectionId' | 'limit'>,
): string {
  return JSON.stringify([
    searchTerms(request.query),
    request.query.trim() === '',
    request.tag ?? null,
    request.collectionId ?? null,
    request.limit ?? null,
  ]);
}

/**
 * What an answer shows, as a string to compare: everything but its timing, epoch and ahead mark.
 * Two answers with the same string render the same, so the second need not be sent or rendered.
 */
export function shownAnswer({
  tookMs: _tookMs,
  epoch: _epoch,
  ahead: _ahead,
  ...shown
}: SearchResults): string {
  return JSON.stringify(shown);
}
