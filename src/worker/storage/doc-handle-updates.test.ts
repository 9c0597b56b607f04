// A DocHandle applies a change without sending it through its xstate machine (the patched
// automerge-repo, see patches/README.md), which cost a quarter of an edit. What the machine's mailbox
// and error handling gave must hold still: the change and its events happen before change() returns,
// a change asked for by a listener runs after the announcement it was asked in (with events of its
// own), a listener that throws does not undo or fail the change, a change that throws leaves the
// document alone, and a deleted document takes no more changes.

import * as Automerge from '@automerge/automerge';
import { Repo } from '@automerge/automerge-repo';
import type { DocHandle, DocHandleChangePayload } from '@automerge/automerge-repo';
import { describe, expect, it, vi } from 'vitest';
import { cleanupsAfterEach } from '../../shared/testing/cleanups.ts';

interface Counts {
  count: number;
  log: Record<string, number>;
}

const cleanups = cleanupsAfterEach();

describe('DocHandle updates (patched)', () => {
  it('applies a change and announces it before change() returns', () => {
    const handle = newHandle();
    const events: string[] = [];
    handle.on('heads-changed', () => events.push('heads-changed'));
    handle.on('change', ({ patches }) =>
      events.push(`change ${patches.map((p) => p.path.join('.')).join(',')}`),
    );
    handle.change((doc) => void (doc.count = 1));
    expect(handle.doc().count).toBe(1);
    expect(events).toEqual(['heads-changed', 'change count']);
  });

  it('runs a change asked for by a listener after the announcement, with its own events', () => {
    const handle = newHandle();
    const seen: Array<[number, number]> = [];
    let countRightAfterAsking: number | undefined;
    handle.on('change', ({ doc, patches }: DocHandleChangePayload<Counts>) => {
      seen.push([doc.count, patches.length]);
      if (doc.count === 1) {
        handle.change((d) => void (d.count = 2));
        countRightAfterAsking = handle.doc().count;
      }
    });
    handle.change((doc) => void (doc.count = 1));
    // Asked for during an announcement: not applied yet then, as the machine queued it.
    expect(countRightAfterAsking).toBe(1);
    expect(handle.doc().count).toBe(2);
    expect(seen).toEqual([
      [1, 1],
      [2, 1],
    ]);
  });

  it('keeps a change whose listener throws, and reports the error apart from change()', () => {
    const handle = newHandle();
    // Reported as xstate reports an observer's error: thrown from a timer, not to the caller.
    const timers: Array<() => void> = [];
    const setTimeoutSpy = vi
      .spyOn(globalThis, 'setTimeout')
      .mockImplementation(((callback: () => void) => timers.push(callback)) as unknown as typeof setTimeout);
    const failing = vi.fn(() => {
      throw new Error('listener failed');
    });
    handle.once('change', failing);
    try {
      expect(() => handle.change((doc) => void (doc.count = 5))).not.toThrow();
    } finally {
      setTimeoutSpy.mockRestore();
    }
    expect(handle.doc().count).toBe(5);
    expect(failing).toHaveBeenCalledTimes(1);
    const thrown = timers.map((timer) => {
      try {
        timer();
        return undefined;
      } catch (error) {
        return String(error);
      }
    });
    expect(thrown).toContain('Error: listener failed');
    handle.change((doc) => void (doc.count = 6));
    expect(handle.doc().count).toBe(6);
  });

  it('leaves the document alone when the change throws, and rethrows', () => {
    const handle = newHandle();
    const changes = vi.fn();
    handle.on('change', changes);
    expect(() =>
      handle.change((doc) => {
        doc.count = 9;
        throw new Error('bad change');
      }),
    ).toThrow('bad change');
    expect(handle.doc().count).toBe(0);
    expect(changes).not.toHaveBeenCalled();
  });

  it('takes no change once the document is deleted', () => {
    const handle = newHandle();
    handle.delete();
    const changes = vi.fn();
    handle.on('change', changes);
    expect(() => handle.change((doc) => void (doc.count = 3))).toThrow(/not ready/);
    // update() has no such check: the stopped machine dropped it, and so must the patch.
    const update = vi.fn((doc: Automerge.Doc<Counts>) => Automerge.change(doc, (d) => void (d.count = 3)));
    handle.update(update);
    expect(update).not.toHaveBeenCalled();
    expect(changes).not.toHaveBeenCalled();
    expect(handle.isDeleted()).toBe(true);
  });
});

function newHandle(): DocHandle<Counts> {
  const repo = new Repo({ network: [] });
  cleanups.push(() => repo.shutdown());
  return repo.create<Counts>({ count: 0, log: {} });
}
