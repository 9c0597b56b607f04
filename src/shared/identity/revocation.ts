// Revoking a device: any certified device of a user signs "this device of mine is revoked" and
// presents its own chain. The relay keeps the list and refuses revoked devices (and every device
// certified through one) from then on; the user's other devices see it in the home document.

import type { DeviceCertificate } from './certificates.ts';
import { verifyChain } from './certificates.ts';
import type { DidKey } from './did-key.ts';
import { isDidKey } from './did-key.ts';
import type { SigningKey } from './signatures.ts';
import { signStatement, verifyStatement } from './signatures.ts';

export const REVOCATION_PURPOSE = 'pinax/device-revocation/v1';
export const REVOKE_PATH = '/auth/revoke';
export const MAX_REVOCATION_BYTES = 16 * 1024;

export interface RevocationStatement {
  user: DidKey;
  /** The revoked device. */
  device: DidKey;
  /** The device that signed. */
  by: DidKey;
  revokedAt: number;
}

export interface Revocation {
  statement: RevocationStatement;
  signature: string;
  /** The signing device's certificate chain. */
  chain: DeviceCertificate[];
}

export type RevocationCheck = { ok: true; statement: RevocationStatement } | { ok: false; reason: string };

export async function signRevocation(
  deviceKey: SigningKey,
  statement: RevocationStatement,
  chain: DeviceCertificate[],
): Promise<Revocation> {
  return { statement, signature: await signStatement(deviceKey, REVOCATION_PURPOSE, statement), chain };
}

/**
 * Checks a revocation from the network: well formed, signed by the device it names, and that
 * device certified (and not itself revoked) for the same user.
 */
export async function verifyRevocation(
  raw: unknown,
  options: { now?: number; isRevoked?: (user: DidKey, device: DidKey) => boolean } = {},
): Promise<RevocationCheck> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'not a revocation' };
  const { statement, signature, chain } = raw as Record<string, unknown>;
  if (!statement || typeof statement !== 'object') return { ok: false, reason: 'missing statement' };
  const s = statement as Record<string, unknown>;
  if (Object.keys(s).sort().join(',') !== 'by,device,revokedAt,user')
    return { ok: false, reason: 'malformed statement' };
  if (!isDidKey(s['user']) || !isDidKey(s['device']) || !isDidKey(s['by']))
    return { ok: false, reason: 'malformed keys' };
  if (typeof s['revokedAt'] !== 'number' || !Number.isSafeInteger(s['revokedAt']))
    return { ok: false, reason: 'malformed time' };
  if (typeof signature !== 'string') return { ok: false, reason: 'missing signature' };
  const checked = statement as RevocationStatement;
  if (!(await verifyStatement(checked.by, REVOCATION_PURPOSE, checked, signature)))
    return { ok: false, reason: 'bad signature' };
  const chainCheck = await verifyChain(chain, checked.by, options);
  if (!chainCheck.ok) return { ok: false, reason: chainCheck.reason };
  if (chainCheck.user !== checked.user) return { ok: false, reason: 'signed by another user’s device' };
  return { ok: true, statement: checked };
}
