// Typing never waits: each keystroke updates the field at once, and writes go to the engine one at a
// time. While one is in flight, later values replace each other, so the engine sees at most one
// queued write per field and the latest value always lands.

export interface CoalescingWriter<T> {
  write(value: T): void;
  /** True while a write is unacknowledged or queued. */
  busy(): boolean;
}

export function makeCoalescingWriter<T>(
  send: (value: T) => Promise<unknown>,
  onError: (error: unknown) => void,
  onIdle: () => void = () => undefined,
): CoalescingWriter<T> {
  let inFlight = false;
  let queued: { value: T } | undefined;

  const flush = () => {
    if (!queued) {
      inFlight = false;
      onIdle();
      return;
    }
    const { value } = queued;
    queued = undefined;
    inFlight = true;
    send(value).then(flush, (error: unknown) => {
      onError(error);
      flush();
    });
  };

  return {
    write(value) {
      queued = { value };
      if (!inFlight) flush();
    },
    busy: () => inFlight || queued !== undefined,
  };
}
