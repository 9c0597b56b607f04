// Successive results (one payload per keystroke) mostly show the same hits: "mead" and "meado"
// match the same items through the same words. <For> keys rows by object identity, so handing it the
// previous objects for unchanged hits and facets lets Solid keep their DOM, instead of building up
// to 50 highlighted rows and 30 tag chips again on every keystroke.

import type { SearchResultItem, SearchResults } from '../../../shared/queries.ts';

/** `next`, with each hit and facet that shows exactly what it showed in `previous` replaced by that object. */
export function withStableParts(previous: SearchResults | null, next: SearchResults): SearchResults {
  if (!previous) return next;
  const previousHits = new Map(previous.hits.map((hit) => [hitKey(hit), hit]));
  const hits = next.hits.map((hit) => {
    const before = previousHits.get(hitKey(hit));
    return before && showsTheSame(before, hit) ? before : hit;
  });
  const previousFacets = new Map(previous.facets.map((facet) => [facet.tag, facet]));
  const facets = next.facets.map((facet) => {
    const before = previousFacets.get(facet.tag);
    return before?.count === facet.count ? before : facet;
  });
  return { ...next, hits, facets };
}

/**
 * The hits to render in the frame that shows new results: the first `firstRows`, and any other hit
 * whose row is already on screen (`onScreen`, kept by withStableParts). A new result list then
 * builds at most `firstRows` rows before it paints, instead of up to 50; the caller renders all
 * hits a frame later. Order is that of `hits`.
 */
export function hitsForFirstFrame(
  hits: readonly SearchResultItem[],
  onScreen: ReadonlySet<SearchResultItem>,
  firstRows: number,
): SearchResultItem[] {
  return hits.filter((hit, index) => index < firstRows || onScreen.has(hit));
}

function hitKey(hit: SearchResultItem): string {
  return `${hit.collectionId}/${hit.itemId}`;
}

function showsTheSame(a: SearchResultItem, b: SearchResultItem): boolean {
  return (
    a.title === b.title &&
    a.snippet === b.snippet &&
    a.collectionName === b.collectionName &&
    sameList(a.tags, b.tags) &&
    sameList(a.terms, b.terms)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
