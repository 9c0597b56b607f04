// Activity streams (seed 000): each user has one append-only document of signed entries: what they
// published, commented, liked, followed and tagged. Followers read it; an entry counts only if its
// device signed it, its certificate chain names the stream's owner, and the owner had the right to
// act in the collection it names, as far as the reader can see that collection's members. Anything
// else is shown "unverified".

import type { DeviceCertificate } from '../identity/certificates.ts';
import type { Role } from '../access/entries.ts';
import { canEditContent } from '../access/resolve.ts';
import { verifyChain } from '../identity/certificates.ts';
import type { DidKey } from '../identity/did-key.ts';
import { isDidKey } from '../identity/did-key.ts';
import type { SigningKey } from '../identity/signatures.ts';
import { canonicalJson, signStatement, verifyStatement } from '../identity/signatures.ts';
import { parseEnvelope } from '../identity/signed-entry.ts';

export const ACTIVITY_KIND = 'pinax.activity';
export const ACTIVITY_PURPOSE = 'pinax/activity/v1';
const MAX_ENTRY_CHARS = 16 * 1024;
const MAX_TEXT_CHARS = 2_000;

export type ActivityAction =
  | { verb: 'comment'; collection: string; item: string; title: string; text: string }
  | { verb: 'like'; collection: string; item: string; title: string }
  | { verb: 'publish'; collection: string; title: string }
  | { verb: 'follow'; title: string; followed: string }
  | { verb: 'tag'; collection: string; item: string; title: string; tag: string };

export type Activity = ActivityAction & {
  id: string;
  user: DidKey;
  /** The author's display name when they acted: self-asserted. */
  name: string;
  at: number;
};

export interface SignedActivity {
  activity: Activity;
  device: DidKey;
  chain: DeviceCertificate[];
  signature: string;
}

export type ActivityView = Activity & { verified: boolean };

/**
 * The role a user holds in a collection now: null for none, undefined when this device cannot tell
 * (it does not have the collection, or the collection predates access control).
 */
export type RoleLookup = (collection: string, user: DidKey) => Promise<Role | null | undefined>;

export async function signActivity(
  deviceKey: SigningKey,
  device: DidKey,
  chain: DeviceCertificate[],
  activity: Activity,
): Promise<SignedActivity> {
  return { activity, device, chain, signature: await signStatement(deviceKey, ACTIVITY_PURPOSE, activity) };
}

/**
 * The entries of `owner`'s activity document, each marked verified or not. An entry by anyone but
 * the owner is never verified, nor one about a collection where `roleOf` says the owner had no
 * right to do it. `verified` caches signature checks by entry: entries never change. Rights are
 * asked each time, as roles change (the same rule as comments and likes: the role held now).
 */
export async function readActivity(
  owner: DidKey,
  texts: readonly unknown[],
  verified: Map<string, boolean> = new Map(),
  roleOf?: RoleLookup,
): Promise<ActivityView[]> {
  const views: ActivityView[] = [];
  for (const text of texts) {
    const signed = parse(text);
    if (!signed) continue;
    // Keyed by the whole entry: a copy with other words and the same signature is checked afresh.
    const key = canonicalJson(signed);
    let ok = verified.get(key);
    if (ok === undefined) {
      const chain = await verifyChain(signed.chain, signed.device);
      ok =
        chain.ok &&
        chain.user === signed.activity.user &&
        (await verifyStatement(signed.device, ACTIVITY_PURPOSE, signed.activity, signed.signature));
      verified.set(key, ok);
    }
    const authentic = ok && signed.activity.user === owner;
    views.push({ ...signed.activity, verified: authentic && (await hadRight(signed.activity, roleOf)) });
  }
  return views;
}

/** Publishing takes an owner, tagging an editor, commenting and liking any member. */
export function mayAct(verb: ActivityAction['verb'], role: Role | null): boolean {
  switch (verb) {
    case 'publish':
      return role === 'owner';
    case 'tag':
      return canEditContent(role ?? undefined);
    case 'comment':
    case 'like':
      return role !== null;
    case 'follow':
      return true;
  }
}

async function hadRight(activity: Activity, roleOf: RoleLookup | undefined): Promise<boolean> {
  if (activity.verb === 'follow' || !roleOf) return true;
  const role = await roleOf(activity.collection, activity.user);
  return role === undefined || mayAct(activity.verb, role);
}

function parse(text: unknown): SignedActivity | undefined {
  const envelope = parseEnvelope(text, 'activity', MAX_ENTRY_CHARS);
  if (!envelope) return undefined;
  const a = envelope.statement;
  const value = {
    activity: a as unknown as Activity,
    device: envelope.device,
    chain: envelope.chain,
    signature: envelope.signature,
  };
  const strings = (...keys: string[]) =>
    keys.every((key) => {
      const field = a[key];
      return typeof field === 'string' && field.length <= MAX_TEXT_CHARS;
    });
  if (!isDidKey(a['user']) || typeof a['at'] !== 'number' || !strings('id', 'name', 'title'))
    return undefined;
  switch (a['verb']) {
    case 'comment':
      return strings('collection', 'item', 'text') ? value : undefined;
    case 'like':
      return strings('collection', 'item') ? value : undefined;
    case 'publish':
      return strings('collection') ? value : undefined;
    case 'follow':
      return strings('followed') ? value : undefined;
    case 'tag':
      return strings('collection', 'item', 'tag') ? value : undefined;
    default:
      return undefined;
  }
}
