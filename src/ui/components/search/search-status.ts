// The status line of a search: how many results, or what a search with no hits on screen says.

import type { SearchResults } from '../../../shared/queries.ts';

/**
 * What a search with no hits on screen says. The results may still be those of the search before
 * (the answer to the latest keystroke is on its way): "nothing matches" then names the query it was
 * said of, and results of an empty search say nothing about this one.
 */
export function emptyStatus(query: string, tag: string | null, results: SearchResults | null): string {
  if (query.trim() === '' && !tag) return 'Type to search every collection, or pick a tag.';
  const answered = results?.query.trim() ?? '';
  if (!results || (answered === '' && !tag)) return 'Searching…';
  const searched = answered || `#${tag ?? ''}`;
  return results.indexing.pending > 0
    ? `Nothing found yet for “${searched}”.`
    : `No items match “${searched}”.`;
}

/** The status line: the count of results when some are on screen, else emptyStatus. */
export function searchStatus(query: string, tag: string | null, results: SearchResults | null): string {
  if (results && results.hits.length > 0)
    return results.total === 1 ? '1 result' : `${results.total} results`;
  return emptyStatus(query, tag, results);
}
