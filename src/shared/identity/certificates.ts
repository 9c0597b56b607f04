// Device certificates: a user is a root key (its did:key is the user id) that certifies devices; a
// certified device may certify further devices. A device proves who it acts for with its chain,
// root first. Everything here treats its input as hostile: shapes are checked before signatures.

import type { DidKey } from './did-key.ts';
import { isDidKey } from './did-key.ts';
import type { SigningKey } from './signatures.ts';
import { signStatement, verifyStatement } from './signatures.ts';

export const CERTIFICATE_PURPOSE = 'pinax/device-certificate/v1';
/** Longer chains are refused: a user certifies a handful of devices, not a tree of thousands. */
export const MAX_CHAIN_LENGTH = 8;
const MAX_LABEL_CHARS = 80;

export interface DeviceCertificate {
  v: 1;
  /** The user the device acts for: the root key's did:key. */
  user: DidKey;
  /** Who signed: the root key, or a device the chain has already certified. */
  issuer: DidKey;
  /** The certified device key. */
  device: DidKey;
  /** A label to recognise the device by in the list of devices. */
  label: string;
  issuedAt: number;
  signature: string;
}

export type ChainCheck = { ok: true; user: DidKey } | { ok: false; reason: string };

export async function certifyDevice(
  issuerKey: SigningKey,
  fields: Omit<DeviceCertificate, 'v' | 'signature'>,
): Promise<DeviceCertificate> {
  const unsigned = { v: 1 as const, ...fields };
  return { ...unsigned, signature: await signStatement(issuerKey, CERTIFICATE_PURPOSE, unsigned) };
}

/**
 * Checks that `chain` certifies `device`: it starts at the user's root key, each certificate is
 * signed by the previous one's device, every signature verifies, and no device in it is revoked.
 */
export async function verifyChain(
  chain: unknown,
  device: DidKey,
  options: { now?: number; isRevoked?: (user: DidKey, device: DidKey) => boolean } = {},
): Promise<ChainCheck> {
  if (!Array.isArray(chain) || chain.length === 0) return { ok: false, reason: 'no certificate chain' };
  if (chain.length > MAX_CHAIN_LENGTH) return { ok: false, reason: 'certificate chain too long' };
  const certificates: DeviceCertificate[] = [];
  for (const raw of chain) {
    const certificate = asCertificate(raw);
    if (!certificate) return { ok: false, reason: 'malformed certificate' };
    certificates.push(certificate);
  }
  const user = certificates[0]!.user;
  const now = options.now ?? Date.now();
  let expectedIssuer: DidKey = user;
  for (const certificate of certificates) {
    if (certificate.user !== user) return { ok: false, reason: 'certificate for another user' };
    if (certificate.issuer !== expectedIssuer) return { ok: false, reason: 'broken certificate chain' };
    // A little leeway for clocks; a certificate from the future is forged or from a broken clock.
    if (certificate.issuedAt > now + 5 * 60_000)
      return { ok: false, reason: 'certificate issued in the future' };
    if (options.isRevoked?.(user, certificate.device)) return { ok: false, reason: 'device revoked' };
    const { signature, ...unsigned } = certificate;
    if (!(await verifyStatement(certificate.issuer, CERTIFICATE_PURPOSE, unsigned, signature)))
      return { ok: false, reason: 'bad certificate signature' };
    expectedIssuer = certificate.device;
  }
  if (expectedIssuer !== device) return { ok: false, reason: 'certificate chain is for another device' };
  return { ok: true, user };
}

/** The certificate in `raw`, with exactly the expected fields, or undefined. */
function asCertificate(raw: unknown): DeviceCertificate | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const c = raw as Record<string, unknown>;
  const keys = Object.keys(c).sort().join(',');
  if (keys !== 'device,issuedAt,issuer,label,signature,user,v') return undefined;
  if (c['v'] !== 1 || !isDidKey(c['user']) || !isDidKey(c['issuer']) || !isDidKey(c['device']))
    return undefined;
  if (typeof c['label'] !== 'string' || c['label'].length > MAX_LABEL_CHARS) return undefined;
  if (typeof c['issuedAt'] !== 'number' || !Number.isSafeInteger(c['issuedAt'])) return undefined;
  if (typeof c['signature'] !== 'string') return undefined;
  return c as unknown as DeviceCertificate;
}
