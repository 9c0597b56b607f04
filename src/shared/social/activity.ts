// Activity streams (seed 000): each user has one append-only document of signed entries: what they
// published, commented, liked, followed and tagged. Followers read it; an entry counts only if its
// device signed it and its certificate chain names the stream's owner. Anything else is shown
// "unverified".

import type { DeviceCertificate } from '../identity/certificates.ts';
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
