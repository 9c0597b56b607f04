// Validation of what other devices write where anyone can: presence heartbeats and directory entries.

import { describe, expect, it } from 'vitest';
import { generateAutomergeUrl, parseAutomergeUrl } from '@automerge/automerge-repo';
import type { DirectoryDoc } from './directory.ts';
import { entriesOf } from './directory.ts';
import { parseHeartbeat } from './presence.ts';

const beat = {
  pinaxPresence: 1,
  deviceId: '1b2c3d4e-0000-4000-8000-000000000000',
  name: 'Device 1B2C',
  colour: 'hsl(120 65% 45%)',
  itemIds: ['abc'],
  leaving: false,
};

describe('parseHeartbeat', () => {
  it('accepts a well-formed heartbeat', () => {
    expect(parseHeartbeat(beat)).toEqual({
      deviceId: beat.deviceId,
      leaving: false,
      peer: { deviceId: beat.deviceId, name: beat.name, colour: beat.colour, itemIds: ['abc'] },
    });
    expect(parseHeartbeat({ ...beat, leaving: true })?.leaving).toBe(true);
  });

  it('drops anything else', () => {
    const bad: unknown[] = [
      null,
      'hello',
      42,
      { ...beat, pinaxPresence: 2 },
      { ...beat, deviceId: '' },
      { ...beat, deviceId: 'x'.repeat(65) },
      { ...beat, name: 'n'.repeat(65) },
      { ...beat, colour: 'red; background: url(javascript:alert(1))' },
      { ...beat, colour: 'url(x)' },
      { ...beat, itemIds: 'abc' },
      { ...beat, itemIds: [1, 2] },
      { ...beat, itemIds: Array.from({ length: 101 }, (_, i) => `i${i}`) },
    ];
    for (const message of bad) expect(parseHeartbeat(message), JSON.stringify(message)).toBeUndefined();
  });
});

describe('entriesOf', () => {
  const id = () => parseAutomergeUrl(generateAutomergeUrl()).documentId as string;

  it('keeps valid entries, newest first, and skips junk', () => {
    const [a, b] = [id(), id()];
    const doc = {
      kind: 'pinax.directory',
      entries: {
        [a]: { name: 'Older', description: 'd', tags: ['x', 'y'], itemCount: 3, publishedAt: 1 },
        [b]: { name: 'Newer', description: '', tags: [], itemCount: 1.7, publishedAt: 2 },
        'not-a-document-id': { name: 'Junk id', publishedAt: 3 },
        [id()]: { name: '', publishedAt: 4 },
        [id()]: 'not an object',
        [id()]: { name: 'n'.repeat(500), tags: 'not a list', itemCount: -5, publishedAt: 'soon' },
      },
    } as unknown as DirectoryDoc;
    const entries = entriesOf(doc);
    expect(entries.map((e) => e.name.slice(0, 5))).toEqual(['Newer', 'Older', 'nnnnn']);
    expect(entries[0]).toMatchObject({ collectionId: b, itemCount: 1, tags: [] });
    expect(entries[1]).toMatchObject({ collectionId: a, description: 'd', tags: ['x', 'y'], itemCount: 3 });
    expect(entries[2]).toMatchObject({ tags: [], itemCount: 0, publishedAt: 0 });
    expect(entries[2]!.name).toHaveLength(200);
  });

  it('copes with documents of any shape', () => {
    for (const doc of [undefined, {}, { entries: null }, { entries: 'x' }, { entries: [] }])
      expect(entriesOf(doc as unknown as DirectoryDoc)).toEqual([]);
  });
});
