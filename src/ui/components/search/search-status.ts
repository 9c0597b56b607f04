// The status line of a search that has no hits on screen.

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
