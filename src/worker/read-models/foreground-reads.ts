// Reads a tab is waiting on, counted so that heavy background work can wait for them. At start-up
// the engine loads Automerge only once the read models have answered what the tabs asked for:
// loading a 10,000-item collection is ~100 ms of synchronous wasm, and landing between a search and
// its catalog rows it held the first result back by that much (measured 50-300 ms).
//
// Any work a person is waiting on can be counted the same way: the collection store counts
// collections loading and having their read models derived, which start-up chores wait for.

export class ForegroundReads {
  #inFlight = 0;
  #idle = new Set<() => void>();

  /** Counts `read` as in flight until it settles; returns it unchanged. */
  track<T>(read: Promise<T>): Promise<T> {
    this.#inFlight++;
    const done = () => {
      this.#inFlight--;
      if (this.#inFlight === 0) for (const wake of [...this.#idle]) wake();
    };
    read.then(done, done);
    return read;
  }

  /**
   * Resolves once no read is in flight, looking only after the current task so that reads started by
   * whatever is resolving right now are counted; at the latest after `maxWaitMs`, so a steady stream
   * of reads cannot hold background work back for good.
   */
  settled(maxWaitMs: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      let finished = false;
      const finish = () => {
        finished = true;
        clearTimeout(timer);
        this.#idle.delete(wake);
        resolve();
      };
      // Woken inside the microtasks of the read that ended last, and resolved a task later: what
      // that read's end queued goes first. A rebuild's end queues the complete search answer, and
      // the work waiting here (splitting the document's value column, ~20-35 ms for 1,000 items in a
      // fresh engine) had run ahead of it.
      const wake = () => {
        this.#idle.delete(wake);
        setTimeout(() => {
          // Already given up waiting (maxWaitMs): nothing left to wake.
          if (finished) return;
          if (this.#inFlight === 0) finish();
          else this.#idle.add(wake);
        }, 0);
      };
      setTimeout(() => {
        if (this.#inFlight === 0) return finish();
        this.#idle.add(wake);
        timer = setTimeout(finish, maxWaitMs);
      }, 0);
    });
  }
}
