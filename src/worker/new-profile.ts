// Whether this browser profile has no IndexedDB database at all for this origin: a fresh device,
// with nothing stored (the engine's own database is the only one the app makes). The worker's entry
// asks first thing, while the engine's code still loads, so the answer is there when the engine
// wants it and no open of the engine's own has created the database yet. Only a hint to start work
// sooner: whoever acts on it still checks storage.

/** True when the origin has no database; false when it has one or the browser cannot say. */
export async function profileIsNew(): Promise<boolean> {
  try {
    if (typeof indexedDB?.databases !== 'function') return false;
    return (await indexedDB.databases()).length === 0;
  } catch {
    return false;
  }
}
