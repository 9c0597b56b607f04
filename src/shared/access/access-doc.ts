// A collection's access document: an Automerge document holding its signed access entries
// (entries.ts), one JSON text per entry, appended only. Reading is defensive: the document may come
// from anyone; entries that do not parse are simply not entries (resolve.ts counts them ignored).

export const ACCESS_KIND = 'pinax.access';

export interface AccessDocShape {
  kind: typeof ACCESS_KIND;
  /** The collection's document id. */
  collection: string;
  /** The creator's user did:key; the relay pins it at registration, engines check it matches. */
  creator: string;
  /** JSON of SignedAccessEntry, as Automerge ImmutableStrings (or plain strings). */
  entries: unknown[];
}

/** The parsed entries of an access document, or [] for anything that is not one. */
export function accessEntriesOf(doc: unknown): unknown[] {
  if (!doc || typeof doc !== 'object') return [];
  const { kind, entries } = doc as Record<string, unknown>;
  if (kind !== ACCESS_KIND || !Array.isArray(entries)) return [];
  const out: unknown[] = [];
  for (const entry of entries) {
    const text = textOf(entry);
    if (text === undefined || text.length > 64 * 1024) continue;
    try {
      out.push(JSON.parse(text));
    } catch {
      out.push(undefined); // counted as ignored by the resolver
    }
  }
  return out;
}

/** A string stored as an Automerge ImmutableString (or a plain string), or undefined. */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as { val?: unknown }).val === 'string')
    return (value as { val: string }).val;
  return undefined;
}
