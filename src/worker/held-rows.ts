// Rows derived while a collection is derived in slices (a rebuild, a large import) arrive every
// ~12 ms; a tab re-rendered its list for each, a core's worth of work beside the engine's. While
// `holding()` says so, they are passed on together every `everyMs`; otherwise at once, with any
// held before them, so an edit's rows are never delayed.

/** Collects rows for `pass`; returns the function to hand rows to and the dispose. */
export function holdRowsWhile<T>(
  holding: () => boolean,
  pass: (rows: T[]) => void,
  everyMs: number,
): { add: (rows: readonly T[]) => void; dispose: () => void } {
  let held: T[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const release = () => {
    clearTimeout(timer);
    timer = undefined;
    const rows = held;
    held = [];
    if (rows.length > 0) pass(rows);
  };
  return {
    add(rows) {
      held.push(...rows);
      if (!holding()) release();
      else timer ??= setTimeout(release, everyMs);
    },
    dispose() {
      clearTimeout(timer);
      held = [];
    },
  };
}
