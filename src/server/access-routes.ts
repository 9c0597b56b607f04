// POST /access/register: an authenticated device registers a collection it created (with its
// access document), a body or social document of a collection it may edit, or one of its user's
// personal documents (home, activity stream). "Grant before write": the engine calls this when it creates
// them, so the rules are in force before the first write.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DocHandle, Repo } from '@automerge/automerge-repo';
import { isValidDocumentId } from '@automerge/automerge-repo';
import { canEditContent, resolveAccess } from '../shared/access/resolve.ts';
import { accessEntriesOf, textOf } from '../shared/access/access-doc.ts';
import type { Logger } from '../shared/log.ts';
import type { AccessRegistry } from './access-registry.ts';
import type { PersonalKind } from '../shared/personal-docs.ts';
import { HOME_KIND, isPersonalKind } from '../shared/personal-docs.ts';
import type { DidKey } from '../shared/identity/did-key.ts';
import { ACTIVITY_KIND } from '../shared/social/activity.ts';
import type { Identity } from './auth.ts';
import { readSmallBody } from './request-body.ts';
import { rootFieldOf, valueOf } from './document-value.ts';
import { sendText } from './static.ts';

export const ACCESS_REGISTER_PATH = '/access/register';

export function createAccessRoutes(
  repo: Repo,
  registry: AccessRegistry,
  identityOf: (req: IncomingMessage) => Identity | undefined,
  log: Logger,
): (req: IncomingMessage, res: ServerResponse) => Promise<boolean> {
  return async (req, res) => {
    if ((req.url ?? '').split('?')[0] !== ACCESS_REGISTER_PATH) return false;
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      sendText(res, 405, 'Method not allowed');
      return true;
    }
    const identity = identityOf(req);
    if (identity?.kind !== 'device') {
      sendText(res, 401, 'Sign in first: registering needs an authenticated device');
      return true;
    }
    const body = await readSmallBody(req, 1024);
    let request: Record<string, unknown> = {};
    try {
      request = body === undefined ? {} : (JSON.parse(body) as Record<string, unknown>);
    } catch {
      // answered below
    }
    const { collectionId, accessId, bodyId, socialId, personalId, kind } = request ?? {};
    if (personalId !== undefined) return registerPersonal(personalId, kind, identity.user, res);
    const named = [accessId, bodyId, socialId].filter((id) => id !== undefined);
    if (!isValidDocumentId(collectionId) || named.length !== 1) {
      sendText(
        res,
        400,
        'Expected {collectionId} with one of accessId, bodyId or socialId, or {personalId, kind}',
      );
      return true;
    }
    if (accessId !== undefined) {
      if (!isValidDocumentId(accessId)) {
        sendText(res, 400, 'accessId is not a document id');
        return true;
      }
      // A collection the relay already holds can only be registered by the creator it names.
      const held = repo.handles[collectionId];
      if (held?.isReady() && textOf(rootFieldOf(held, 'creator')) !== identity.user) {
        sendText(res, 403, 'Only the creator named in the collection can register it');
        return true;
      }
      const outcome = await registry.registerCollection(collectionId, {
        accessId: accessId,
        creator: identity.user,
      });
      return answer(res, outcome, log);
    }
    const partId = bodyId ?? socialId;
    if (!isValidDocumentId(partId) || !registry.collection(collectionId)) {
      sendText(res, 400, 'Not a document id, or the collection is not registered');
      return true;
    }
    const entry = registry.collection(collectionId)!;
    const accessDoc = await repo
      .find(entry.accessId)
      .then(valueOf)
      .catch(() => undefined);
    const access = await resolveAccess(collectionId, entry.creator, accessEntriesOf(accessDoc));
    if (!canEditContent(access.members.get(identity.user)?.role)) {
      sendText(res, 403, 'Only editors and owners can add documents to a collection');
      return true;
    }
    const part = bodyId !== undefined ? 'body' : 'social';
    return answer(res, await registry.registerPart(part, partId, collectionId), log);
  };

  async function registerPersonal(
    personalId: unknown,
    kind: unknown,
    user: DidKey,
    res: ServerResponse,
  ): Promise<true> {
    if (!isValidDocumentId(personalId) || !isPersonalKind(kind)) {
      sendText(res, 400, 'Expected {personalId, kind} with kind "home" or "activity"');
      return true;
    }
    // A document the relay already holds must be what it claims: an activity stream names its user.
    const held = repo.handles[personalId];
    if (held?.isReady() && !isPersonalOf(held, kind, user)) {
      sendText(res, 403, `Only its owner can register a ${kind} document`);
      return true;
    }
    return answer(res, await registry.registerPersonal(personalId, { owner: user, kind }), log);
  }
}

function isPersonalOf(held: DocHandle<unknown>, kind: PersonalKind, user: DidKey): boolean {
  const heldKind = rootFieldOf(held, 'kind');
  return kind === 'home'
    ? heldKind === HOME_KIND
    : heldKind === ACTIVITY_KIND && textOf(rootFieldOf(held, 'user')) === user;
}

function answer(res: ServerResponse, outcome: 'registered' | 'conflict', log: Logger): true {
  if (outcome === 'conflict') {
    log.warn('access: refused a registration that conflicts with an earlier one');
    sendText(res, 409, 'Already registered differently');
  } else sendText(res, 200, 'Registered');
  return true;
}
