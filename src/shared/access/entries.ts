// The entries of a collection's access document: who holds which role, and who may see it. Each
// entry is signed by a device of the user it names as its author, with the chain proving that
// device belongs to that user; whether the author had the right to write it is decided when the
// entries are resolved (resolve.ts), never trusted from the document.

import type { DeviceCertificate } from '../identity/certificates.ts';
import type { DidKey } from '../identity/did-key.ts';
import { isDidKey } from '../identity/did-key.ts';
import type { SigningKey } from '../identity/signatures.ts';
import { signStatement } from '../identity/signatures.ts';

export const ACCESS_PURPOSE = 'pinax/access-entry/v1';
export const ROLES = ['owner', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];
export type Visibility = 'link' | 'members';

export type AccessChange =
  /** `role: null` removes the member. */
  | { type: 'role'; member: DidKey; role: Role | null; name?: string }
  | { type: 'visibility'; visibility: Visibility };

export interface AccessEntry {
  /** The collection this entry governs: an entry cannot be replayed into another collection. */
  collection: string;
  change: AccessChange;
  /** The user who wrote it. */
  by: DidKey;
  at: number;
}

export interface SignedAccessEntry {
  entry: AccessEntry;
  device: DidKey;
  chain: DeviceCertificate[];
  signature: string;
}

export async function signAccessEntry(
  deviceKey: SigningKey,
  device: DidKey,
  chain: DeviceCertificate[],
  entry: AccessEntry,
): Promise<SignedAccessEntry> {
  return { entry, device, chain, signature: await signStatement(deviceKey, ACCESS_PURPOSE, entry) };
}

/** The entry in `raw` with its shape checked (not its signatures), or undefined. */
export function asSignedAccessEntry(raw: unknown): SignedAccessEntry | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const { entry, device, chain, signature } = raw as Record<string, unknown>;
  if (!isDidKey(device) || !Array.isArray(chain) || typeof signature !== 'string') return undefined;
  if (!entry || typeof entry !== 'object') return undefined;
  const e = entry as Record<string, unknown>;
  if (typeof e['collection'] !== 'string' || !isDidKey(e['by'])) return undefined;
  if (typeof e['at'] !== 'number' || !Number.isFinite(e['at'])) return undefined;
  const change = e['change'] as Record<string, unknown> | undefined;
  if (!change || typeof change !== 'object') return undefined;
  if (change['type'] === 'role') {
    if (!isDidKey(change['member'])) return undefined;
    if (change['role'] !== null && !ROLES.includes(change['role'] as Role)) return undefined;
    if (change['name'] !== undefined && (typeof change['name'] !== 'string' || change['name'].length > 80))
      return undefined;
  } else if (change['type'] === 'visibility') {
    if (change['visibility'] !== 'link' && change['visibility'] !== 'members') return undefined;
  } else return undefined;
  return raw as SignedAccessEntry;
}
