// Requests to join a collection (the first phase of seed 004: "I want to participate"). A reader
// of a link-visible collection appends a signed request to the collection's requests document,
// which anyone with the link may write; owners see the requests that verify and answer them with
// an access entry (approve) or by removing them (deny). Membership itself lives only in the access
// document: a request grants nothing.

import type { DeviceCertificate } from '../identity/certificates.ts';
import { verifyChain } from '../identity/certificates.ts';
import type { DidKey } from '../identity/did-key.ts';
import { isDidKey } from '../identity/did-key.ts';
import type { SigningKey } from '../identity/signatures.ts';
import { signStatement, verifyStatement } from '../identity/signatures.ts';
import { parseEnvelope } from '../identity/signed-entry.ts';

export const REQUESTS_KIND = 'pinax.join-requests';
export const REQUEST_PURPOSE = 'pinax/join-request/v1';

export interface JoinRequest {
  collection: string;
  user: DidKey;
  /** The requester's display name: self-asserted, shown with their key's fingerprint. */
  name: string;
  at: number;
}

export interface SignedJoinRequest {
  request: JoinRequest;
  device: DidKey;
  chain: DeviceCertificate[];
  signature: string;
}

export async function signJoinRequest(
  deviceKey: SigningKey,
  device: DidKey,
  chain: DeviceCertificate[],
  request: JoinRequest,
): Promise<SignedJoinRequest> {
  return { request, device, chain, signature: await signStatement(deviceKey, REQUEST_PURPOSE, request) };
}

/** The requests that verify, for this collection, the latest per user, oldest first. */
export async function verifiedRequests(
  collection: string,
  texts: readonly unknown[],
): Promise<JoinRequest[]> {
  const latest = new Map<DidKey, JoinRequest>();
  for (const text of texts) {
    const signed = parse(text);
    if (!signed || signed.request.collection !== collection) continue;
    const chain = await verifyChain(signed.chain, signed.device);
    if (!chain.ok || chain.user !== signed.request.user) continue;
    if (!(await verifyStatement(signed.device, REQUEST_PURPOSE, signed.request, signed.signature))) continue;
    const earlier = latest.get(signed.request.user);
    if (!earlier || earlier.at < signed.request.at) latest.set(signed.request.user, signed.request);
  }
  return [...latest.values()].sort((a, b) => a.at - b.at);
}

/** Who wrote a request entry (unverified: for removing a user's requests on deny). */
export function requesterOf(text: unknown): string | undefined {
  return parse(text)?.request.user;
}

function parse(text: unknown): SignedJoinRequest | undefined {
  const envelope = parseEnvelope(text, 'request');
  if (!envelope) return undefined;
  const r = envelope.statement;
  if (typeof r['collection'] !== 'string' || !isDidKey(r['user'])) return undefined;
  if (typeof r['name'] !== 'string' || r['name'].length > 80 || typeof r['at'] !== 'number') return undefined;
  const { statement, ...rest } = envelope;
  return { request: statement as unknown as JoinRequest, ...rest };
}
