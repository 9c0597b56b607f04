import { describe, expect, it } from 'vitest';
import type { DidKey } from '../identity/did-key.ts';
import { mayChange, type GuardedPart } from './change-guard.ts';
import type { ResolvedAccess } from './resolve.ts';
import type { Role } from './entries.ts';

const users = {
  owner: 'did:key:zOwner' as DidKey,
  editor: 'did:key:zEditor' as DidKey,
  viewer: 'did:key:zViewer' as DidKey,
  stranger: 'did:key:zStranger' as DidKey,
};

const access: ResolvedAccess = {
  visibility: 'link',
  members: new Map<DidKey, { role: Role; since: number }>([
    [users.owner, { role: 'owner', since: 1 }],
    [users.editor, { role: 'editor', since: 2 }],
    [users.viewer, { role: 'viewer', since: 3 }],
  ]),
  ignored: 0,
};

describe('mayChange', () => {
  it('lets each role change exactly its parts', () => {
    const parts: GuardedPart[] = ['collection', 'body', 'access', 'social'];
    const table = Object.fromEntries(
      Object.entries(users).map(([name, user]) => [
        name,
        parts.filter((part) => mayChange(access, part, user)),
      ]),
    );
    expect(table).toEqual({
      owner: ['collection', 'body', 'access', 'social'],
      editor: ['collection', 'body', 'social'],
      viewer: ['social'],
      stranger: [],
    });
  });

  it('lets no one change anything without resolved access, and no anonymous user ever', () => {
    expect(mayChange(undefined, 'collection', users.owner)).toBe(false);
    expect(mayChange(access, 'social', undefined)).toBe(false);
  });
});
