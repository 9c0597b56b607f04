import { Repo } from '@automerge/automerge-repo';
import { afterEach, describe, expect, it } from 'vitest';
import type { CollectionId, ItemId } from '../shared/types.ts';
import { BodyDocs, bodyText, setBodyText } from './bodies.ts';

const repos: Repo[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map((r) => r.shutdown()));
});

function device(): { repo: Repo; bodies: BodyDocs; snapshots: string[] } {
  const repo = new Repo({ network: [] });
  repos.push(repo);
  const snapshots: string[] = [];
  return { repo, bodies: new BodyDocs(repo, (_c, _i, text) => snapshots.push(text)), snapshots };
}

const collection = '2tVAYrBvZyK8L8R9MQEFrJSgiXDt' as CollectionId;
const itemId = 'item-1' as ItemId;
const AUTHOR = 'did:key:z6MkTestAuthor';

describe('body documents', () => {
  it('are created identically on two devices, so offline first edits merge by character', async () => {
    const a = device();
    const b = device();
    const handleA = await a.bodies.create(collection, itemId, 'The quick fox');
    const handleB = await b.bodies.create(collection, itemId, 'The quick fox');
    expect(handleA.documentId).toBe(handleB.documentId);
    expect(handleA.heads()).toEqual(handleB.heads());

    setBodyText(handleA, 'The very quick fox', AUTHOR);
    setBodyText(handleB, 'The quick fox jumps', AUTHOR);
    handleA.merge(handleB);
    handleB.merge(handleA);
    expect(bodyText(handleA)).toBe('The very quick fox jumps');
    expect(bodyText(handleB)).toBe('The very quick fox jumps');
  });

  it('do not collide when two devices seed from different snapshots', async () => {
    const a = device();
    const b = device();
    const handleA = await a.bodies.create(collection, itemId, 'one');
    const handleB = await b.bodies.create(collection, itemId, 'two');
    expect(handleA.documentId).toBe(handleB.documentId);
    handleA.merge(handleB); // would throw on a duplicate (actor, seq) with different content
    expect(bodyText(handleA)).toMatch(/one|two/);
  });

  it('copy the text into the snapshot after edits settle', async () => {
    const a = device();
    const handle = await a.bodies.create(collection, itemId, '');
    setBodyText(handle, 'first', AUTHOR);
    setBodyText(handle, 'first and second', AUTHOR);
    await expect.poll(() => a.snapshots.at(-1), { timeout: 3_000 }).toBe('first and second');
    a.bodies.dispose();
  });

  it('can still be written on a device where the body document was unavailable (offline)', async () => {
    const a = device();
    const original = await a.bodies.create(collection, itemId, 'seed');
    const b = device();
    expect(await b.bodies.find(collection, itemId, original.url)).toBeUndefined();
    const timeout = new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 3_000));
    const handle = await Promise.race([b.bodies.create(collection, itemId, 'seed'), timeout]);
    expect(handle).not.toBe('hung');
    if (handle === 'hung') return;
    expect(handle.documentId).toBe(original.documentId);
    expect(bodyText(handle)).toBe('seed');
  });
});
