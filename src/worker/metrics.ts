// Engine timings as User Timing measures, so tools (the benchmark, DevTools' Performance panel) can
// read them from the worker without a protocol of their own. "Commit" is the in-memory part of a
// write: from receiving the command to its Automerge change being applied. Deriving rows for
// subscribers and the read models follows in a microtask of the same task; the durable part, the
// IndexedDB flush, follows too and is what the tab's ack waits for.

export const COMMIT_MEASURE = 'pinax:commit';
/** The part of a commit spent in `DocHandle.change` (Automerge, and the handle's change listeners). */
export const CHANGE_MEASURE = 'pinax:commit:change';
/** User Timing entries are kept until cleared: keep at most about this many. */
const MAX_KEPT = 2_000;

let recorded = 0;

export function recordCommit(startedAt: number, detail: string): void {
  record(COMMIT_MEASURE, startedAt, detail);
}

export function recordChange(startedAt: number, detail: string): void {
  record(CHANGE_MEASURE, startedAt, detail);
}

function record(name: string, startedAt: number, detail: string): void {
  if (typeof performance.measure !== 'function') return;
  performance.measure(name, { start: startedAt, end: performance.now(), detail });
  if (++recorded % MAX_KEPT === 0) {
    performance.clearMeasures(COMMIT_MEASURE);
    performance.clearMeasures(CHANGE_MEASURE);
  }
}
