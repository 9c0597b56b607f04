// Who holds which role in a collection, from its creator and the signed entries of its access
// document. The same pure function runs in the relay and in every engine, so all of them agree:
//   - the creator is the first owner;
//   - entries apply in a total order (time, then signature), so concurrent grants resolve the
//     same way everywhere;
//   - an entry counts only if its signature and certificate chain verify, it names this
//     collection, and its author is an owner at that point in the order;
//   - the last owner cannot be removed or demoted (a collection always has an owner).
// Entries that do not count are reported, so a UI can show them as unverified.

import { verifyChain } from '../identity/certificates.ts';
import type { DidKey } from '../identity/did-key.ts';
import { canonicalJson, verifyStatement } from '../identity/signatures.ts';
import type { Role, SignedAccessEntry, Visibility } from './entries.ts';
import { ACCESS_PURPOSE, asSignedAccessEntry } from './entries.ts';

export interface Member {
  role: Role;
  /** The name the granting owner gave, if any (self-asserted names are not trusted). */
  name?: string;
  since: number;
}

export interface ResolvedAccess {
  visibility: Visibility;
  members: Map<DidKey, Member>;
  /** Entries that did not count: malformed, unverifiable, or written without the right. */
  ignored: number;
}

export interface ResolveOptions {
  isRevoked?: (user: DidKey, device: DidKey) => boolean;
  /** Verified signatures by signature text: resolving again after one more entry stays cheap. */
  cache?: Map<string, boolean>;
}

export async function resolveAccess(
  collection: string,
  creator: DidKey,
  rawEntries: readonly unknown[],
  options: ResolveOptions = {},
): Promise<ResolvedAccess> {
  const entries: SignedAccessEntry[] = [];
  let ignored = 0;
  for (const raw of rawEntries) {
    const entry = asSignedAccessEntry(raw);
    if (entry && entry.entry.collection === collection) entries.push(entry);
    else ignored++;
  }
  entries.sort(
    (a, b) => a.entry.at - b.entry.at || (a.signature < b.signature ? -1 : a.signature > b.signature ? 1 : 0),
  );

  const members = new Map<DidKey, Member>([[creator, { role: 'owner', since: 0 }]]);
  let visibility: Visibility = 'link';
  for (const signed of entries) {
    const { entry } = signed;
    if (members.get(entry.by)?.role !== 'owner' || !(await isAuthentic(signed, options))) {
      ignored++;
      continue;
    }
    const change = entry.change;
    if (change.type === 'visibility') {
      visibility = change.visibility;
      continue;
    }
    const current = members.get(change.member);
    const losesOwner = current?.role === 'owner' && change.role !== 'owner';
    if (losesOwner && ownerCount(members) === 1) {
      ignored++;
      continue;
    }
    if (change.role === null) members.delete(change.member);
    else
      members.set(change.member, {
        role: change.role,
        since: entry.at,
        ...(change.name !== undefined
          ? { name: change.name }
          : current?.name !== undefined
            ? { name: current.name }
            : {}),
      });
  }
  return { visibility, members, ignored };
}

/** Roles that may change a collection's content (its document and its body documents). */
export function canEditContent(role: Role | undefined): boolean {
  return role === 'owner' || role === 'editor';
}

/** Only owners change the access document. */
export function canEditAccess(role: Role | undefined): boolean {
  return role === 'owner';
}

/** Whether a user (or an anonymous reader, `undefined`) may read the collection at all. */
export function canRead(access: ResolvedAccess, user: DidKey | undefined): boolean {
  return access.visibility === 'link' || (user !== undefined && access.members.has(user));
}

async function isAuthentic(signed: SignedAccessEntry, options: ResolveOptions): Promise<boolean> {
  // Keyed by everything signed and claimed, not the signature alone: a copy of a genuine entry with
  // other words and the same signature must be checked (and fail), not found in the cache.
  const key = canonicalJson(signed);
  const cached = options.cache?.get(key);
  if (cached !== undefined) return cached;
  const chain = await verifyChain(
    signed.chain,
    signed.device,
    options.isRevoked ? { isRevoked: options.isRevoked } : {},
  );
  const ok =
    chain.ok &&
    chain.user === signed.entry.by &&
    (await verifyStatement(signed.device, ACCESS_PURPOSE, signed.entry, signed.signature));
  options.cache?.set(key, ok);
  return ok;
}

function ownerCount(members: Map<DidKey, Member>): number {
  let owners = 0;
  for (const member of members.values()) if (member.role === 'owner') owners++;
  return owners;
}
