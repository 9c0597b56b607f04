// Who is behind each sync connection. A device proves its key by signing a fresh challenge and
// presents its certificate chain (src/shared/identity/); the relay then sets an HttpOnly,
// SameSite=Strict session cookie, which the browser sends on the WebSocket to /sync by itself. No
// secret travels in a URL. A connection without a cookie is anonymous; one with an unknown or
// expired cookie, or from another site's page, is refused.

import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DidKey } from '../shared/identity/did-key.ts';
import { verifyChain } from '../shared/identity/certificates.ts';
import {
  CHALLENGE_PATH,
  MAX_SESSION_REQUEST_BYTES,
  SESSION_COOKIE,
  SESSION_PATH,
  SESSION_PURPOSE,
  parseSessionRequest,
} from '../shared/identity/session.ts';
import { verifyStatement } from '../shared/identity/signatures.ts';
import type { Logger } from '../shared/log.ts';
import { readSmallBody } from './request-body.ts';
import { sendJson, sendText } from './static.ts';

export type Identity =
  | {
      kind: 'device';
      user: DidKey;
      device: DidKey;
      peerId: string;
      /** Devices its chain runs through. */ via?: DidKey[];
    }
  | { kind: 'anonymous' };

export type UpgradeCheck = { ok: true; identity: Identity } | { ok: false; status: number; reason: string };

export interface Auth {
  /** Answers /auth/* requests; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Who a WebSocket upgrade request comes from, or why it is refused. */
  checkUpgrade(req: IncomingMessage): UpgradeCheck;
  /** The authenticated device behind an HTTP request (its session cookie), if any. */
  identityOf(req: IncomingMessage): Identity | undefined;
  /** Counters for /metrics. */
  readonly stats: { sessions: number; refused: number };
  /** Ends the sessions of a revoked device and of every device certified through it. */
  endSessions(user: DidKey, device: DidKey): void;
}

export interface AuthOptions {
  log: Logger;
  now?: () => number;
  challengeTtlMs?: number;
  sessionTtlMs?: number;
  isRevoked?: (user: DidKey, device: DidKey) => boolean;
}

/** Outstanding challenges beyond this are dropped oldest first: a flood cannot grow memory. */
const MAX_CHALLENGES = 10_000;
const MAX_SESSIONS = 100_000;

export function createAuth(options: AuthOptions): Auth {
  const { log } = options;
  const now = options.now ?? Date.now;
  const challengeTtlMs = options.challengeTtlMs ?? 60_000;
  const sessionTtlMs = options.sessionTtlMs ?? 24 * 60 * 60_000;
  const challenges = new Map<string, number>(); // nonce -> expires at
  const sessions = new Map<string, { identity: Identity & { kind: 'device' }; expiresAt: number }>();
  const stats = { sessions: 0, refused: 0 };

  const refuse = (res: ServerResponse, status: number, reason: string): true => {
    stats.refused++;
    log.warn(`auth: refused a session: ${reason}`);
    sendText(res, status, reason);
    return true;
  };

  const issueChallenge = (res: ServerResponse): true => {
    const nonce = randomBytes(32).toString('base64url');
    challenges.set(nonce, now() + challengeTtlMs);
    if (challenges.size > MAX_CHALLENGES) challenges.delete(challenges.keys().next().value!);
    sendJson(res, 200, { nonce });
    return true;
  };

  const openSession = async (req: IncomingMessage, res: ServerResponse): Promise<true> => {
    const body = await readSmallBody(req, MAX_SESSION_REQUEST_BYTES);
    if (body === undefined) {
      res.setHeader('Connection', 'close');
      return refuse(res, 413, 'Request too large');
    }
    let raw: unknown;
    try {
      raw = JSON.parse(body);
    } catch {
      return refuse(res, 400, 'Malformed handshake: not JSON');
    }
    const request = parseSessionRequest(raw);
    if (typeof request === 'string') return refuse(res, 400, `Malformed handshake: ${request}`);
    const { statement, signature, chain } = request;
    // Single use: a replayed handshake finds its nonce gone.
    const expiresAt = challenges.get(statement.nonce);
    challenges.delete(statement.nonce);
    if (expiresAt === undefined || expiresAt < now())
      return refuse(res, 401, 'Handshake refused: unknown or expired challenge');
    if (!sameOrigin(statement.origin, req))
      return refuse(res, 401, 'Handshake refused: signed for another server');
    if (!(await verifyStatement(statement.device, SESSION_PURPOSE, statement, signature)))
      return refuse(res, 401, 'Handshake refused: bad signature');
    const checked = await verifyChain(chain, statement.device, {
      now: now(),
      ...(options.isRevoked ? { isRevoked: options.isRevoked } : {}),
    });
    if (!checked.ok) return refuse(res, 401, `Handshake refused: ${checked.reason}`);

    const token = randomBytes(32).toString('base64url');
    const identity = {
      kind: 'device' as const,
      user: checked.user,
      device: statement.device,
      peerId: statement.peerId,
      via: chain.map((certificate) => certificate.device),
    };
    sessions.set(token, { identity, expiresAt: now() + sessionTtlMs });
    if (sessions.size > MAX_SESSIONS) sessions.delete(sessions.keys().next().value!);
    stats.sessions++;
    res.setHeader(
      'Set-Cookie',
      `${SESSION_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${Math.floor(sessionTtlMs / 1000)}`,
    );
    sendJson(res, 200, { user: identity.user, device: identity.device });
    return true;
  };

  return {
    stats,
    endSessions(user, device) {
      for (const [token, session] of sessions)
        if (session.identity.user === user && isThrough(session.identity, device)) sessions.delete(token);
    },
    async handle(req, res) {
      const path = (req.url ?? '').split('?')[0];
      if (path !== CHALLENGE_PATH && path !== SESSION_PATH) return false;
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        sendText(res, 405, 'Method not allowed');
        return true;
      }
      if (!sameOriginRequest(req)) return refuse(res, 403, 'Cross-site request');
      return path === CHALLENGE_PATH ? issueChallenge(res) : openSession(req, res);
    },
    identityOf(req) {
      if (!sameOriginRequest(req)) return undefined;
      const token = cookieOf(req, SESSION_COOKIE);
      const session = token === undefined ? undefined : sessions.get(token);
      return session && session.expiresAt >= now() ? session.identity : undefined;
    },
    checkUpgrade(req) {
      // A cookie-authenticated socket opened by another site's page would act as our user.
      if (!sameOriginRequest(req)) return { ok: false, status: 403, reason: 'cross-site WebSocket' };
      const token = cookieOf(req, SESSION_COOKIE);
      if (token === undefined) return { ok: true, identity: { kind: 'anonymous' } };
      const session = sessions.get(token);
      if (!session || session.expiresAt < now()) {
        sessions.delete(token);
        return { ok: false, status: 401, reason: 'unknown or expired session' };
      }
      return { ok: true, identity: session.identity };
    },
  };
}

/** Whether an identity is the device, or certified through it. */
export function isThrough(identity: Identity & { kind: 'device' }, device: DidKey): boolean {
  return identity.device === device || (identity.via?.includes(device) ?? false);
}

/** The Origin header, when a browser sent one, names this very host. */
function sameOriginRequest(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true; // not a browser page: no ambient cookie to abuse
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** The origin a statement was signed for is the one this request came to. */
function sameOrigin(signedFor: string, req: IncomingMessage): boolean {
  try {
    const url = new URL(signedFor);
    if (url.host !== req.headers.host) return false;
    return req.headers.origin === undefined || req.headers.origin === url.origin;
  } catch {
    return false;
  }
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
