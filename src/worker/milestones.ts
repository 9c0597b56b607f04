// Start-up milestones as User Timing marks ("pinax:<what>"): where a device's first seconds go, seen
// in DevTools' Performance panel and read from the worker by the benchmark (bench/measures/
// fresh-sync.mjs), with no protocol of their own. Marks are kept until cleared, so only the first
// MAX_MARKS are made: a relay connection that keeps failing must not grow the list for good.

export function milestone(what: string): void {
  if (made >= MAX_MARKS || typeof performance.mark !== 'function') return;
  made++;
  performance.mark(`pinax:${what}`);
}

const MAX_MARKS = 200;
let made = 0;
