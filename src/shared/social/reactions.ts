// Comments and likes (seed 000): each is an entry signed by the member's device, appended to the
// collection's social document, which anyone who can read the collection may write. Nothing is
// trusted for being there: an entry counts only if its signature verifies, its certificate chain
// names its author, and that author was a member when it was read. The rest is shown "unverified"
// where it appears and left out of every count.

import type { DeviceCertificate } from '../identity/certificates.ts';
import { verifyChain } from '../identity/certificates.ts';
import type { DidKey } from '../identity/did-key.ts';
import { isDidKey } from '../identity/did-key.ts';
import type { SigningKey } from '../identity/signatures.ts';
import { canonicalJson, signStatement, verifyStatement } from '../identity/signatures.ts';
import { parseEnvelope } from '../identity/signed-entry.ts';

export const SOCIAL_KIND = 'pinax.social';
export const REACTION_PURPOSE = 'pinax/reaction/v1';
export const MAX_COMMENT_CHARS = 2_000;
const MAX_ENTRY_CHARS = 16 * 1024;

export type Reaction =
  | {
      kind: 'comment';
      id: string;
      collection: string;
      item: string;
      user: DidKey;
      name: string;
      text: string;
      at: number;
      /** The author's activity stream, so readers can follow them. */
      activity?: string;
    }
  | {
      kind: 'like';
      collection: string;
      item: string;
      user: DidKey;
      on: boolean;
      at: number;
      activity?: string;
    };

export interface SignedReaction {
  reaction: Reaction;
  device: DidKey;
  chain: DeviceCertificate[];
  signature: string;
}

export interface CommentView {
  id: string;
  user: DidKey;
  /** Self-asserted: shown with the user's key fingerprint. */
  name: string;
  text: string;
  at: number;
  /** The author's activity stream, if they named one. */
  activity?: string;
  /** False when the signature, chain or membership does not check out. */
  verified: boolean;
}

export interface ItemReactions {
  /** Verified members who like the item now (their latest like entry is "on"). */
  likes: DidKey[];
  comments: CommentView[];
  /** Entries of this item that did not verify. */
  unverified: number;
}

export async function signReaction(
  deviceKey: SigningKey,
  device: DidKey,
  chain: DeviceCertificate[],
  reaction: Reaction,
): Promise<SignedReaction> {
  return { reaction, device, chain, signature: await signStatement(deviceKey, REACTION_PURPOSE, reaction) };
}

/**
 * An item's reactions from the social document's entries. `isMember` says whether a user may
 * react (any role); `verified` caches checks by signature, since entries never change.
 */
export async function itemReactions(
  collection: string,
  item: string,
  texts: readonly unknown[],
  isMember: (user: DidKey) => boolean,
  verified: Map<string, boolean> = new Map(),
): Promise<ItemReactions> {
  const latestLike = new Map<DidKey, { on: boolean; at: number }>();
  const comments: CommentView[] = [];
  let unverified = 0;
  for (const text of texts) {
    const signed = parse(text);
    if (!signed || signed.reaction.collection !== collection || signed.reaction.item !== item) continue;
    const ok = (await isAuthentic(signed, verified)) && isMember(signed.reaction.user);
    const reaction = signed.reaction;
    const activity = reaction.activity;
    if (reaction.kind === 'comment') {
      const { id, user, name, text: body, at } = reaction;
      comments.push({ id, user, name, text: body, at, verified: ok, ...(activity ? { activity } : {}) });
    } else if (ok) {
      const earlier = latestLike.get(reaction.user);
      if (!earlier || earlier.at <= reaction.at)
        latestLike.set(reaction.user, { on: reaction.on, at: reaction.at });
    }
    if (!ok) unverified++;
  }
  return {
    likes: [...latestLike].filter(([, like]) => like.on).map(([user]) => user),
    comments: comments.sort((a, b) => a.at - b.at),
    unverified,
  };
}

/** A reaction as news for the Feed of someone following the collection. */
export interface CollectionReaction {
  kind: 'comment' | 'like';
  id: string;
  item: string;
  user: DidKey;
  name: string;
  text: string;
  at: number;
  verified: boolean;
}

/** Every comment and like of a collection (likes withdrawn later are not news), oldest first. */
export async function collectionReactions(
  collection: string,
  texts: readonly unknown[],
  isMember: (user: DidKey) => boolean,
  verified: Map<string, boolean> = new Map(),
): Promise<CollectionReaction[]> {
  const out: CollectionReaction[] = [];
  for (const text of texts) {
    const signed = parse(text);
    if (!signed || signed.reaction.collection !== collection) continue;
    const reaction = signed.reaction;
    if (reaction.kind === 'like' && !reaction.on) continue;
    const ok = (await isAuthentic(signed, verified)) && isMember(reaction.user);
    out.push({
      kind: reaction.kind,
      id: reaction.kind === 'comment' ? reaction.id : signed.signature.slice(0, 16),
      item: reaction.item,
      user: reaction.user,
      name: reaction.kind === 'comment' ? reaction.name : '',
      text: reaction.kind === 'comment' ? reaction.text : '',
      at: reaction.at,
      verified: ok,
    });
  }
  return out.sort((a, b) => a.at - b.at);
}

async function isAuthentic(signed: SignedReaction, cache: Map<string, boolean>): Promise<boolean> {
  // Keyed by the whole entry: a copy with other words and the same signature is checked afresh.
  const key = canonicalJson(signed);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const chain = await verifyChain(signed.chain, signed.device);
  const ok =
    chain.ok &&
    chain.user === signed.reaction.user &&
    (await verifyStatement(signed.device, REACTION_PURPOSE, signed.reaction, signed.signature));
  cache.set(key, ok);
  return ok;
}

function parse(text: unknown): SignedReaction | undefined {
  const envelope = parseEnvelope(text, 'reaction', MAX_ENTRY_CHARS);
  if (!envelope) return undefined;
  const r = envelope.statement;
  if (typeof r['collection'] !== 'string' || typeof r['item'] !== 'string' || !isDidKey(r['user']))
    return undefined;
  if (typeof r['at'] !== 'number') return undefined;
  if (r['activity'] !== undefined && (typeof r['activity'] !== 'string' || r['activity'].length > 200))
    return undefined;
  const isLike = r['kind'] === 'like' && typeof r['on'] === 'boolean';
  const isComment =
    r['kind'] === 'comment' &&
    typeof r['id'] === 'string' &&
    typeof r['name'] === 'string' &&
    r['name'].length <= 80 &&
    typeof r['text'] === 'string' &&
    r['text'].length <= MAX_COMMENT_CHARS;
  if (!isLike && !isComment) return undefined;
  const { statement, ...rest } = envelope;
  return { reaction: statement as unknown as Reaction, ...rest };
}
