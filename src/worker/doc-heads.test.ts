import { Repo } from '@automerge/automerge-repo';
import { describe, expect, it } from 'vitest';
import { headsOf } from './doc-heads.ts';

describe('headsOf', () => {
  it('answers as handle.heads() does, encoding once per document state', async () => {
    const repo = new Repo({ network: [] });
    try {
      const handle = repo.create<{ n: number }>({ n: 0 });
      const first = headsOf(handle);
      expect(first).toEqual(handle.heads());
      expect(headsOf(handle)).toBe(first); // the same state: not encoded again
      for (let n = 1; n <= 3; n++) {
        handle.change((doc) => {
          doc.n = n;
        });
        expect(headsOf(handle)).toEqual(handle.heads());
      }
      expect(headsOf(handle)).not.toEqual(first);
    } finally {
      await repo.shutdown();
    }
  });
});
