// Activity streams (seed 000): each user has one append-only document of signed entries: what they
// published, commented, liked, followed and tagged. Followers read it; an entry counts only if its
// device signed it and its certificate chain names the stream's owner. Anything else is shown
// "unverified".

import { textOf } from '../access/access-doc.ts';
import type { DeviceCertificate } from '../identity/certificates.ts';
import { verifyChain } from '../identity/certificates.ts';
import type { DidKey } from '../identity/did-key.ts';
import { isDidKey } from '../identity/did-key.ts';
import type { SigningKey } from '../identity/signatures.ts';
import { canonicalJson, signStatement, verifyStatement } from '../identity/signatures.ts';

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
 * the owner is never verified. `verified` caches checks by signature: entries never change.
 */
export async function readActivity(
  owner: DidKey,
  texts: readonly unknown[],
  verified: Map<string, boolean> = new Map(),
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
    views.push({ ...signed.activity, verified: ok && signed.activity.user === owner });
  }
  return views;
}

function parse(text: unknown): SignedActivity | undefined {
  const raw = textOf(text);
  if (typeof raw !== 'string' || raw.length > MAX_ENTRY_CHARS) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { activity, device, chain, signature } = value as Record<string, unknown>;
  if (!isDidKey(device) || !Array.isArray(chain) || typeof signature !== 'string') return undefined;
  if (!activity || typeof activity !== 'object') return undefined;
  const a = activity as Record<string, unknown>;
  const strings = (...keys: string[]) =>
    keys.every((key) => {
      const value = a[key];
      return typeof value === 'string' && value.length <= MAX_TEXT_CHARS;
    });
  if (!isDidKey(a['user']) || typeof a['at'] !== 'number' || !strings('id', 'name', 'title'))
    return undefined;
  switch (a['verb']) {
    case 'comment':
      return strings('collection', 'item', 'text') ? (value as SignedActivity) : undefined;
    case 'like':
      return strings('collection', 'item') ? (value as SignedActivity) : undefined;
    case 'publish':
      return strings('collection') ? (value as SignedActivity) : undefined;
    case 'follow':
      return strings('followed') ? (value as SignedActivity) : undefined;
    case 'tag':
      return strings('collection', 'item', 'tag') ? (value as SignedActivity) : undefined;
    default:
      return undefined;
  }
}
