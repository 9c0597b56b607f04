// The relay process keeps its documents unmaterialized (document-value.ts, and the Automerge patch
// in patches/README.md): no JS value, only the backend. These check that such documents still load,
// read, change and relay exactly like ordinary ones.

import * as Automerge from '@automerge/automerge';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImmutableString, Repo } from '@automerge/automerge-repo';
import type { NetworkAdapter, PeerId } from '@automerge/automerge-repo';
import { NodeFSStorageAdapter } from '@automerge/automerge-repo-storage-nodefs';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupsAfterEach } from '../shared/testing/cleanups.ts';
import { linkPair, waitFor } from '../shared/testing/memory-link.ts';
import {
  resumeMaterializingDocuments,
  rootFieldOf,
  stopMaterializingDocuments,
  valueOf,
} from './document-value.ts';

interface Collection {
  kind: string;
  creator: ImmutableString;
  buckets: Record<string, Record<string, { title: ImmutableString; tags: Record<string, true> }>>;
}

const cleanups = cleanupsAfterEach();
afterEach(() => {
  resumeMaterializingDocuments();
});

describe('unmaterialized documents', () => {
  it('load from disk without a JS value, and read the same as a materialized copy', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pinax-unmaterialized-'));
    cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const writer = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] });
    const written = writer.create<Collection>(collection(200));
    await writer.flush();
    const expected = Automerge.toJS(written.doc());
    const heads = written.heads();
    await writer.shutdown();

    stopMaterializingDocuments();
    const relay = new Repo({ storage: new NodeFSStorageAdapter(dir), network: [] });
    cleanups.push(() => relay.shutdown());
    const loaded = await relay.find<Collection>(written.url);

    expect(Object.keys(loaded.doc())).toEqual([]);
    expect(loaded.heads()).toEqual(heads);
    expect(valueOf(loaded)).toEqual(expected);
    expect(rootFieldOf(loaded, 'creator')).toBe('did:key:zCreator');
    expect(rootFieldOf(loaded, 'kind')).toBe('pinax.collection'); // a collaborative string
    expect(Object.keys(rootFieldOf(loaded, 'buckets') as object)).toEqual(['00', '01']);
    expect(rootFieldOf(loaded, 'missing')).toBeUndefined();
  });

  it('change, and relay every change between two peers live', async () => {
    stopMaterializingDocuments();
    const [aEnd, relayFromA] = linkPair();
    const [bEnd, relayFromB] = linkPair();
    const a = repoWith([aEnd], 'a');
    const relay = repoWith([relayFromA, relayFromB], 'relay');
    const b = repoWith([bEnd], 'b');
    await waitFor(() => [aEnd, bEnd, relayFromA, relayFromB].every((end) => end.peerId), 'repos to connect');
    aEnd.connectTo(relayFromA);
    await waitFor(() => relay.peers.length === 1 && a.peers.length === 1, 'A and the relay to connect');

    const original = a.create<Collection>(collection(50));
    const atRelay = await relay.find<Collection>(original.url);
    let relayChanges = 0;
    atRelay.on('change', () => relayChanges++);
    // B joins once the relay holds the document (the relay would otherwise ask B for it too).
    bEnd.connectTo(relayFromB);
    await waitFor(() => relay.peers.length === 2 && b.peers.length === 1, 'B and the relay to connect');
    const atB = await b.find<Collection>(original.url);
    await waitFor(() => sameValue(original, atB), 'B to receive the collection');

    original.change((doc) => {
      doc.buckets['00']!['new-item'] = { title: new ImmutableString('Added on A'), tags: { fresh: true } };
      delete doc.buckets['01']!['item-1'];
    });
    await waitFor(() => sameValue(original, atB), "A's edit to reach B through the relay");
    expect(relayChanges).toBeGreaterThan(0);
    expect(Object.keys(atRelay.doc())).toEqual([]);
    const atBValue = valueOf(atB) as Collection;
    expect(atBValue.buckets['00']?.['new-item']?.title.val).toBe('Added on A');
    expect(atBValue.buckets['01']?.['item-1']).toBeUndefined();
    expect(valueOf(atRelay)).toEqual(valueOf(original));
  });
});

function collection(items: number): Collection {
  const buckets: Collection['buckets'] = { '00': {}, '01': {} };
  for (let i = 0; i < items; i++)
    buckets[i % 2 === 0 ? '00' : '01']![`item-${i}`] = {
      title: new ImmutableString(`Item ${i}`),
      tags: { [`tag-${i % 5}`]: true },
    };
  return { kind: 'pinax.collection', creator: new ImmutableString('did:key:zCreator'), buckets };
}

function repoWith(network: NetworkAdapter[], name: string): Repo {
  const repo = new Repo({ network, peerId: name as PeerId });
  cleanups.push(() => repo.shutdown());
  return repo;
}

function sameValue(left: { heads(): unknown }, right: { heads(): unknown }): boolean {
  return JSON.stringify(left.heads()) === JSON.stringify(right.heads());
}
