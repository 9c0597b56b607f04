// Yielding to the event loop between the steps of long work (saving the search index, say), so
// that what is already queued (a tab's command, a sync message from the relay) runs first.
//
// Not `setTimeout(0)`: chained from timer callbacks, browsers clamp it to at least 4 ms from the
// fifth nesting level on. A message on a fresh MessageChannel is queued like any other task, behind
// what arrived before it, and is not clamped. (Not `scheduler.yield()`: it resumes ahead of tasks
// already queued, which is the opposite of the point.)

/** Resolves in a new task, after the tasks already queued. */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(undefined);
  });
}
