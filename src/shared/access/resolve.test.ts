import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DeviceCertificate } from '../identity/certificates.ts';
import { certifyDevice } from '../identity/certificates.ts';
import type { DidKey } from '../identity/did-key.ts';
import { didKeyOf } from '../identity/did-key.ts';
import type { SigningKey } from '../identity/signatures.ts';
import { newSigningKeyPair } from '../identity/signatures.ts';
import type { AccessChange, Role, SignedAccessEntry } from './entries.ts';
import { signAccessEntry } from './entries.ts';
import { resolveAccess } from './resolve.ts';

interface User {
  did: DidKey;
  device: DidKey;
  deviceKey: SigningKey;
  chain: DeviceCertificate[];
}

const COLLECTION = 'collection-1';
let users: User[] = [];

beforeAll(async () => {
  users = await Promise.all(
    Array.from({ length: 4 }, async (_, i) => {
      const root = await newSigningKeyPair();
      const device = await newSigningKeyPair();
      const did = didKeyOf(root.raw);
      const deviceDid = didKeyOf(device.raw);
      const chain = [
        await certifyDevice(root.privateKey, {
          user: did,
          issuer: did,
          device: deviceDid,
          label: `u${i}`,
          issuedAt: 1,
        }),
      ];
      return { did, device: deviceDid, deviceKey: device.privateKey, chain };
    }),
  );
});

/** An entry by `author`, optionally claiming to be by `claimed` (a forgery when they differ). */
function entryBy(
  author: User,
  change: AccessChange,
  at: number,
  claimed: User = author,
): Promise<SignedAccessEntry> {
  return signAccessEntry(author.deviceKey, author.device, author.chain, {
    collection: COLLECTION,
    change,
    by: claimed.did,
    at,
  });
}

type Op =
  | { author: number; claimed: number; member: number; role: Role | null }
  | { author: number; visibility: 'link' | 'members' };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    author: fc.integer({ min: 0, max: 3 }),
    claimed: fc.integer({ min: 0, max: 3 }),
    member: fc.integer({ min: 0, max: 3 }),
    role: fc.constantFrom<Role | null>('owner', 'editor', 'viewer', null),
  }),
  fc.record({
    author: fc.integer({ min: 0, max: 3 }),
    visibility: fc.constantFrom<'link' | 'members'>('link', 'members'),
  }),
);

/** The rules, written plainly: what the resolver must agree with. */
function reference(ops: Op[]): { roles: Map<DidKey, Role>; visibility: string } {
  const roles = new Map<DidKey, Role>([[users[0]!.did, 'owner']]);
  let visibility = 'link';
  for (const o of ops) {
    const author = users[o.author]!;
    if ('visibility' in o) {
      if (roles.get(author.did) === 'owner') visibility = o.visibility;
      continue;
    }
    if (o.claimed !== o.author) continue; // forged: signed by one user, claiming another
    if (roles.get(author.did) !== 'owner') continue;
    const member = users[o.member]!.did;
    const owners = [...roles.values()].filter((r) => r === 'owner').length;
    if (roles.get(member) === 'owner' && o.role !== 'owner' && owners === 1) continue;
    if (o.role === null) roles.delete(member);
    else roles.set(member, o.role);
  }
  return { roles, visibility };
}

async function entriesOf(ops: Op[]): Promise<SignedAccessEntry[]> {
  return Promise.all(
    ops.map((o, i) =>
      'visibility' in o
        ? entryBy(users[o.author]!, { type: 'visibility', visibility: o.visibility }, 10 + i)
        : entryBy(
            users[o.author]!,
            { type: 'role', member: users[o.member]!.did, role: o.role },
            10 + i,
            users[o.claimed],
          ),
    ),
  );
}

describe('resolveAccess', () => {
  it('agrees with the rules for any sequence of grants, forgeries included (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 12 }), async (ops) => {
        const resolved = await resolveAccess(COLLECTION, users[0]!.did, await entriesOf(ops));
        const expected = reference(ops);
        expect(new Map([...resolved.members].map(([did, m]) => [did, m.role]))).toEqual(expected.roles);
        expect(resolved.visibility).toBe(expected.visibility);
      }),
      { numRuns: 60 },
    );
  });

  it('never lets a user who was not made owner by an owner change roles (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(op, { maxLength: 12 }),
        fc.shuffledSubarray([0, 1, 2, 3]),
        async (ops, order) => {
          // Only users 1-3 act: the creator (0) never grants anything, so nobody else is ever owner.
          const strangers = ops.map((o) => ({ ...o, author: 1 + (o.author % 3) }));
          const entries = await entriesOf(strangers);
          const shuffled = order.length === 4 ? entries.slice().reverse() : entries;
          const resolved = await resolveAccess(COLLECTION, users[0]!.did, shuffled);
          expect([...resolved.members.entries()].map(([did, m]) => [did, m.role])).toEqual([
            [users[0]!.did, 'owner'],
          ]);
          expect(resolved.visibility).toBe('link');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('ignores entries for another collection, tampered entries and junk', async () => {
    const [owner, other] = [users[0]!, users[1]!];
    const grant = await entryBy(owner, { type: 'role', member: other.did, role: 'editor' }, 5);
    const elsewhere = await signAccessEntry(owner.deviceKey, owner.device, owner.chain, {
      collection: 'another',
      change: { type: 'role', member: other.did, role: 'owner' },
      by: owner.did,
      at: 6,
    });
    const tampered = {
      ...grant,
      entry: { ...grant.entry, change: { type: 'role', member: other.did, role: 'owner' } },
    };
    const resolved = await resolveAccess(COLLECTION, owner.did, [
      elsewhere,
      tampered,
      null,
      'junk',
      { entry: 1 },
      grant,
    ]);
    expect(resolved.members.get(other.did)?.role).toBe('editor');
    expect(resolved.ignored).toBe(5);
  });

  it('checks a tampered copy of an entry it has verified before, instead of trusting its cache', async () => {
    const [owner, other] = [users[0]!, users[1]!];
    const grant = await entryBy(owner, { type: 'role', member: other.did, role: 'viewer' }, 5);
    // Same signature, other words: "make them an owner", written after the genuine entry was seen.
    const tampered = {
      ...grant,
      entry: { ...grant.entry, change: { type: 'role', member: other.did, role: 'owner' }, at: 6 },
    };
    const cache = new Map<string, boolean>();
    expect(
      (await resolveAccess(COLLECTION, owner.did, [grant], { cache })).members.get(other.did)?.role,
    ).toBe('viewer');
    const resolved = await resolveAccess(COLLECTION, owner.did, [grant, tampered], { cache });
    expect(resolved.members.get(other.did)?.role).toBe('viewer');
    expect(resolved.ignored).toBe(1);
  });

  it('keeps the last owner, and lets an owner hand ownership over', async () => {
    const [a, b] = [users[0]!, users[1]!];
    const selfRemoval = await entryBy(a, { type: 'role', member: a.did, role: null }, 1);
    expect((await resolveAccess(COLLECTION, a.did, [selfRemoval])).members.get(a.did)?.role).toBe('owner');
    const handover = [
      await entryBy(a, { type: 'role', member: b.did, role: 'owner' }, 1),
      await entryBy(b, { type: 'role', member: a.did, role: 'viewer' }, 2),
    ];
    const resolved = await resolveAccess(COLLECTION, a.did, handover);
    expect(resolved.members.get(a.did)?.role).toBe('viewer');
    expect(resolved.members.get(b.did)?.role).toBe('owner');
  });
});
