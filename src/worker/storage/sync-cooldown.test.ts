// A costly sync message is not made again for each late answer (the patched automerge-repo, see
// patches/README.md). Automerge saves the whole document for a peer whose heads are empty, and an
// answer saying "I have nothing" resets what it believes the peer has. A busy relay that answered a
// new collection's first messages late, all at once, made the engine save and send the whole
// collection once per answer.

import { ImmutableString, Repo } from '@automerge/automerge-repo';
import type { NetworkAdapter, PeerId } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../../shared/testing/cleanups.ts';
import { linkPair, sleep, waitFor } from '../../shared/testing/memory-link.ts';

interface Shelf {
  filler: ImmutableString;
  titles: Record<string, ImmutableString>;
}

const cleanups = cleanupsAfterEach();

describe('sync messages that take long to make', () => {
  it('are made once for a burst of late answers, and the peer still converges', async () => {
    const [nearEnd, farEnd] = linkPair();
    const near = repoWith(nearEnd, 'near');
    // Random text, so the saved document stays big (~8 MB) and its save takes well over the 100 ms
    // that starts a cooldown (~650 ms on the 2-core machine this was written on).
    const filler = Array.from({ length: 1_500_000 }, () => Math.random().toString(36).slice(2, 10)).join('');
    const handle = near.create<Shelf>({ filler: new ImmutableString(filler), titles: {} });
    await near.flush([handle.documentId]);

    const wholeDocuments: number[] = [];
    nearEnd.onSend = (message) => {
      if ('data' in message && message.data instanceof Uint8Array && message.data.byteLength > 1_000_000)
        wholeDocuments.push(message.data.byteLength);
    };
    farEnd.holdSends();
    const far = repoWith(farEnd, 'far');
    await waitFor(() => nearEnd.peerId !== undefined && farEnd.peerId !== undefined, 'both repos to connect');
    nearEnd.connectTo(farEnd);

    // The near side announces each change; the far side's answers ("nothing here") are held.
    for (let i = 0; i < 5; i++) {
      handle.change((doc) => {
        doc.titles[`t${i}`] = new ImmutableString(`title ${i}`);
      });
      await sleep(60);
    }
    const heldAnswers = farEnd.heldCount();
    expect(heldAnswers).toBeGreaterThanOrEqual(4);

    // All the late answers arrive at once.
    farEnd.releaseSends();
    const farHandle = await far.find<Shelf>(handle.url);
    await waitFor(
      () => Object.keys(farHandle.doc()?.titles ?? {}).length === 5,
      'the far side to have every change',
    );
    await sleep(4_000); // any deferred message goes out within the cooldown's cap (3 s)

    // Unpatched: one whole-document message per late answer (5-6 here).
    expect(wholeDocuments.length).toBeGreaterThanOrEqual(1);
    expect(wholeDocuments.length).toBeLessThanOrEqual(2);
    expect(farHandle.doc()?.filler.val).toBe(filler);
  }, 60_000);
});

function repoWith(adapter: NetworkAdapter, name: string): Repo {
  const repo = new Repo({ network: [adapter], peerId: name as PeerId });
  cleanups.push(() => repo.shutdown());
  return repo;
}
