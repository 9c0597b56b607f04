// The envelope every signed entry in a shared document travels in: JSON text (an ImmutableString
// in Automerge) holding the statement under its own name, the signing device, that device's
// certificate chain and the signature. Only the envelope's shape is checked here; each kind of
// entry checks its statement, then the signature and chain.

import { textOf } from '../access/access-doc.ts';
import type { DeviceCertificate } from './certificates.ts';
import type { DidKey } from './did-key.ts';
import { isDidKey } from './did-key.ts';

export interface Envelope {
  /** The statement, unchecked. */
  statement: Record<string, unknown>;
  device: DidKey;
  chain: DeviceCertificate[];
  signature: string;
}

/** The envelope of an entry whose statement is under `field`, or undefined for anything else. */
export function parseEnvelope(text: unknown, field: string, maxChars = 64 * 1024): Envelope | undefined {
  const raw = textOf(text);
  if (typeof raw !== 'string' || raw.length > maxChars) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object') return undefined;
  const { [field]: statement, device, chain, signature } = value as Record<string, unknown>;
  if (!statement || typeof statement !== 'object' || Array.isArray(statement)) return undefined;
  if (!isDidKey(device) || !Array.isArray(chain) || typeof signature !== 'string') return undefined;
  return {
    statement: statement as Record<string, unknown>,
    device,
    chain: chain as DeviceCertificate[],
    signature,
  };
}
