// Command handlers: the only code that writes documents. Each validates its input against the
// shared limits, applies one Automerge change, and resolves only after the change is flushed to
// IndexedDB, so an acknowledged write survives the last tab closing a moment later.

import type { Command, CommandResults, RpcError } from '../shared/protocol.ts';
import { ERROR_CODES } from '../shared/protocol.ts';
import type { FieldError } from '../shared/limits.ts';
import { checkBody, checkDescription, checkName, checkTags, checkTitle } from '../shared/limits.ts';
import type { CollectionId, ItemId } from '../shared/types.ts';
import { MALFORMED_COLLECTION_LINK } from '../shared/types.ts';
import type { BodyDocs } from './bodies.ts';
import { bodyText, setBodyText } from './bodies.ts';
import type { CollectionStore } from './collection-store.ts';
import type { CollectionDoc, ItemFields } from './domain/collection-doc.ts';
import {
  applyItemWrites,
  findItem,
  insertItem,
  insertItems,
  itemWrites,
  patchItem,
  readString,
  setAuthor,
  setBodyDoc,
  setDeleted,
} from './domain/collection-doc.ts';
import { ImmutableString, isValidDocumentId } from '@automerge/automerge-repo/slim';
import { newItemId } from './domain/ids.ts';
import { hasTitleConflict } from './domain/materialize.ts';
import type { LiveCollection } from './live-collection.ts';
import { recordChange, recordCommit } from './metrics.ts';
import { authored } from '../shared/access/authored.ts';
import type { Directory } from './directory.ts';
import type { CollectionAccess } from './access/collection-access.ts';
import { AccessDenied } from './access/collection-access.ts';
import type { DidKey } from '../shared/identity/did-key.ts';
import type { IdentityService } from './identity/identity-service.ts';
import type { DeviceLinking } from './identity/device-linking.ts';
import type { Devices } from './identity/devices.ts';
import type { SocialService } from './social/social-service.ts';
import type { ActivityService } from './social/activity-service.ts';
import type { HistoryQueries } from './queries/history.ts';
import type { ReadModels } from './read-models/read-models.ts';
import { exportCollection } from './queries/transfer.ts';
import { newTags, recordTags, runPeopleCommand } from './people-commands.ts';

export class CommandError extends Error {
  readonly rpc: RpcError;
  constructor(rpc: RpcError) {
    super(rpc.message);
    this.rpc = rpc;
  }
}

export interface CommandContext {
  collections: CollectionStore;
  access: CollectionAccess;
  identity: IdentityService;
  bodies: Promise<BodyDocs>;
  history: HistoryQueries;
  directory: Directory;
  readModels: ReadModels;
  linking: DeviceLinking;
  devices: Devices;
  social: SocialService;
  activity: ActivityService;
  /** Restarts the engine (after linking, it must act as the new user from its first line). */
  restart(): void;
  /**
   * Runs after a write is durable, before it is acknowledged: the sync status is otherwise only
   * recomputed every 200 ms, and "Synced" read after an acknowledgement must include that write.
   */
  afterWrite(): Promise<void>;
}

export async function runCommand<C extends Command>(
  ctx: CommandContext,
  cmd: C,
): Promise<CommandResults[C['type']]> {
  const startedAt = performance.now();
  const flush = async (ids: readonly string[]): Promise<void> => {
    recordCommit(startedAt, cmd.type);
    await ctx.collections.flush(ids);
    await ctx.afterWrite();
  };
  const result = await dispatch({ ...ctx, flush }, cmd);
  return result as CommandResults[C['type']];
}

/** What a handler gets: the engine's parts, and `flush`, which marks the commit then makes it durable. */
export interface DispatchContext extends CommandContext {
  flush(ids: readonly string[]): Promise<void>;
}

async function dispatch(ctx: DispatchContext, cmd: Command): Promise<CommandResults[Command['type']]> {
  switch (cmd.type) {
    case 'createCollection': {
      const name = cmd.name.trim();
      const description = cmd.description?.trim() ?? '';
      reject(checkName(name) ?? checkDescription(description));
      const live = await ctx.collections.create(name, description, await authorOf(ctx));
      const accessId = await ctx.access.establish(live);
      const socialId = await ctx.social.establish(live);
      await ctx.flush([live.id, accessId, socialId]);
      return { collectionId: live.id };
    }
    case 'openCollection':
      if (!isValidDocumentId(cmd.collectionId))
        throw new CommandError({
          code: ERROR_CODES.invalid,
          message: MALFORMED_COLLECTION_LINK,
        });
      await ctx.collections.join(cmd.collectionId);
      return { collectionId: cmd.collectionId };
    case 'renameCollection': {
      const name = cmd.name.trim();
      reject(checkName(name));
      const live = await requireEditable(ctx, cmd.collectionId);
      live.handle.change(
        (doc) => {
          if (readString(doc.name) !== name) doc.name = new ImmutableString(name);
          doc.updatedAt = Date.now();
        },
        authored(await authorOf(ctx)),
      );
      await ctx.flush([live.id]);
      return null;
    }
    case 'deleteCollection': {
      const live = await ctx.collections.get(cmd.collectionId);
      if (live) {
        live.handle.change(
          (doc) => {
            doc.deletedAt = Date.now();
          },
          authored(await authorOf(ctx)),
        );
        await ctx.flush([live.id]);
      }
      await ctx.collections.forget(cmd.collectionId);
      return null;
    }
    case 'addItem': {
      const fields = checkedFields(cmd);
      const live = await requireEditable(ctx, cmd.collectionId);
      const itemId = newItemId();
      const author = await authorOf(ctx);
      live.handle.change((doc) => insertItem(doc, itemId, fields, Date.now(), author), authored(author));
      await ctx.flush([live.id]);
      return { itemId };
    }
    case 'addItems': {
      // All or nothing: one invalid record rejects the batch, naming its position and reason.
      const batch = cmd.items.map((item, index) => {
        try {
          return checkedFields(item);
        } catch (error) {
          if (error instanceof CommandError)
            throw new CommandError({ ...error.rpc, message: `Item ${index + 1}: ${error.rpc.message}` });
          throw error;
        }
      });
      const live = await requireEditable(ctx, cmd.collectionId);
      const itemIds = batch.map(() => newItemId());
      const author = await authorOf(ctx);
      live.handle.change(
        (doc) =>
          insertItems(
            doc,
            batch.map((fields, i) => [itemIds[i]!, fields] as const),
            Date.now(),
            author,
          ),
        authored(author),
      );
      await ctx.flush([live.id]);
      return { itemIds };
    }
    case 'updateItem': {
      const fields = checkedFields(cmd);
      const live = await requireEditableItem(ctx, cmd.collectionId, cmd.itemId);
      const touched: string[] = [live.id];
      const { body, ...plain } = fields;
      const author = await authorOf(ctx);
      if (body !== undefined) touched.push(await writeBody(ctx, live, cmd.itemId, body, author));
      const addedTags = newTags(live, cmd.itemId, plain.tags);
      const changeStartedAt = performance.now();
      // Decided on the current document, so the change only writes (see itemWrites).
      const current = findItem(live.handle.doc(), cmd.itemId);
      if (current && (plain.title !== undefined || plain.tags !== undefined)) {
        const writes = itemWrites(current, plain, hasTitleConflict(cmd.itemId, current), author);
        if (writes)
          live.handle.change((doc) => applyItemWrites(doc, cmd.itemId, writes, Date.now()), authored(author));
      } else if (current && body !== undefined && readString(current.author) !== author) {
        live.handle.change((doc) => setAuthor(doc, cmd.itemId, author), authored(author));
      }
      recordChange(changeStartedAt, cmd.type);
      await ctx.flush(touched);
      if (addedTags.length > 0) recordTags(ctx, live, cmd.itemId, addedTags);
      return null;
    }
    case 'deleteItem':
    case 'restoreItem': {
      const live = await requireEditableItem(ctx, cmd.collectionId, cmd.itemId);
      const author = await authorOf(ctx);
      live.handle.change(
        (doc) => void setDeleted(doc, cmd.itemId, cmd.type === 'deleteItem', Date.now(), author),
        authored(author),
      );
      await ctx.flush([live.id]);
      return null;
    }
    case 'resolveConflict': {
      reject(checkTitle(cmd.value));
      const live = await requireEditableItem(ctx, cmd.collectionId, cmd.itemId);
      // Writing the chosen value supersedes every concurrent value: the conflict is gone everywhere.
      const author = await authorOf(ctx);
      live.handle.change(
        (doc) => void patchItem(doc, cmd.itemId, { title: cmd.value }, Date.now(), author),
        authored(author),
      );
      await ctx.flush([live.id]);
      return null;
    }
    case 'restoreVersion': {
      const live = await requireEditableItem(ctx, cmd.collectionId, cmd.itemId);
      const plan = found(
        await ctx.history.restorePlan(cmd.collectionId, cmd.itemId, cmd.versionId),
        'version',
      );
      // History is never rewritten: the old state is written again, as a new change.
      const { body, ...plain } = plan.fields;
      const touched: string[] = [live.id];
      const author = await authorOf(ctx);
      if (body !== undefined) touched.push(await writeBody(ctx, live, cmd.itemId, body, author));
      live.handle.change((doc) => {
        const now = Date.now();
        patchItem(doc, cmd.itemId, plain, now, author);
        if (plan.deleted !== undefined) setDeleted(doc, cmd.itemId, plan.deleted, now, author);
      }, authored(author));
      await ctx.flush(touched);
      return null;
    }
    case 'itemHistory':
      return found(await ctx.history.itemHistory(cmd.collectionId, cmd.itemId), 'item');
    case 'itemVersion':
      return found(await ctx.history.itemVersion(cmd.collectionId, cmd.itemId, cmd.versionId), 'version');
    case 'collectionTimeline':
      return found(await ctx.history.timeline(cmd.collectionId, cmd.limit), 'collection');
    case 'exportCollection':
      return found(await exportCollection(ctx.collections, cmd.collectionId, cmd.format), 'collection');
    case 'setDisplayName':
      await ctx.identity.setDisplayName(cmd.name);
      return null;
    case 'addComment':
    case 'setLike':
    case 'followUser':
    case 'unfollowUser':
    case 'followCollection':
    case 'revokeDevice':
    case 'acceptDeviceLink':
      return runPeopleCommand(ctx, cmd);
    case 'requestToJoin': {
      const live = await requireCollection(ctx, cmd.collectionId);
      const name = (await ctx.identity.view()).displayName;
      await ctx.flush([await asCommandError(ctx.access.requestToJoin(live, name))]);
      return null;
    }
    case 'denyRequest': {
      const live = await requireCollection(ctx, cmd.collectionId);
      await ctx.flush([await asCommandError(ctx.access.denyRequest(live, cmd.member as DidKey))]);
      return null;
    }
    case 'setMemberRole':
    case 'setVisibility': {
      const live = await requireCollection(ctx, cmd.collectionId);
      const accessId = await asCommandError(
        cmd.type === 'setMemberRole'
          ? ctx.access.setRole(live, cmd.member as DidKey, cmd.role, cmd.name)
          : ctx.access.setVisibility(live, cmd.visibility),
      );
      await ctx.flush([accessId]);
      return null;
    }
    case 'publishCollection':
    case 'unpublishCollection': {
      const directoryId =
        cmd.type === 'publishCollection'
          ? await ctx.directory.publish(ctx.collections, ctx.readModels, cmd.collectionId)
          : await ctx.directory.unpublish(cmd.collectionId);
      if (!directoryId)
        throw new CommandError({
          code: ERROR_CODES.notFound,
          message: 'The directory cannot be reached right now. Try again once you are online.',
        });
      const published =
        cmd.type === 'publishCollection'
          ? await ctx.activity.record({
              verb: 'publish',
              collection: cmd.collectionId,
              title: (await ctx.collections.summary(cmd.collectionId))?.name ?? '',
            })
          : [];
      await ctx.flush([directoryId, ...published]);
      return null;
    }
  }
}

/** The value, or a not-found error naming what is missing. */
function found<T>(value: T | undefined, what: 'item' | 'version' | 'collection'): T {
  if (value !== undefined) return value;
  const message =
    what === 'version'
      ? 'This version could not be found.'
      : what === 'item'
        ? 'This item no longer exists.'
        : 'This collection could not be found.';
  throw new CommandError({ code: ERROR_CODES.notFound, message });
}

/** Writes a body edit to the item's body document (creating it on first edit); returns its id. */
async function writeBody(
  ctx: CommandContext,
  live: LiveCollection,
  itemId: ItemId,
  body: string,
  author: string,
): Promise<string> {
  const bodies = await ctx.bodies;
  const record = findItem(live.handle.doc(), itemId);
  const url = readString(record?.bodyDoc);
  const snapshot = readString(record?.body);
  const handle =
    (url ? await bodies.find(live.id, itemId, url) : undefined) ??
    (await bodies.create(live.id, itemId, snapshot));
  if (bodyText(handle) !== body) setBodyText(handle, body, author);
  if (!url) {
    live.handle.change((doc: CollectionDoc) => setBodyDoc(doc, itemId, handle.url), authored(author));
    // Body documents follow their collection's rules at the relay once registered.
    if (readString(live.handle.doc().access))
      void ctx.access.register({ collectionId: live.id, bodyId: handle.documentId });
  }
  return handle.documentId;
}

function checkedFields(cmd: { title?: string; body?: string; tags?: string[] }): ItemFields {
  if (cmd.title !== undefined) reject(checkTitle(cmd.title));
  if (cmd.body !== undefined) reject(checkBody(cmd.body));
  if (cmd.tags !== undefined) reject(checkTags(cmd.tags));
  const fields: ItemFields = {};
  if (cmd.title !== undefined) fields.title = cmd.title;
  if (cmd.body !== undefined) fields.body = cmd.body;
  if (cmd.tags !== undefined) fields.tags = [...new Set(cmd.tags.map((t) => t.trim()).filter(Boolean))];
  return fields;
}

export async function requireCollection(ctx: CommandContext, id: CollectionId): Promise<LiveCollection> {
  const live = await ctx.collections.get(id);
  if (!live)
    throw new CommandError({ code: ERROR_CODES.notFound, message: 'This collection could not be found.' });
  return live;
}

/** This user, recorded on the items they change. */
async function authorOf(ctx: CommandContext): Promise<string> {
  return (await ctx.identity.identity).user;
}

/** The collection, when this user may change its content (editors and owners). */
async function requireEditable(ctx: CommandContext, id: CollectionId): Promise<LiveCollection> {
  const live = await requireCollection(ctx, id);
  await asCommandError(ctx.access.requireEditor(live));
  return live;
}

async function requireEditableItem(
  ctx: CommandContext,
  id: CollectionId,
  itemId: ItemId,
): Promise<LiveCollection> {
  const live = await requireItem(ctx, id, itemId);
  await asCommandError(ctx.access.requireEditor(live));
  return live;
}

/** An access refusal, as the error the tab shows. */
export async function asCommandError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof AccessDenied)
      throw new CommandError({ code: ERROR_CODES.forbidden, message: error.message });
    throw error;
  }
}

async function requireItem(ctx: CommandContext, id: CollectionId, itemId: ItemId): Promise<LiveCollection> {
  const live = await requireCollection(ctx, id);
  if (!live.hasItem(itemId))
    throw new CommandError({ code: ERROR_CODES.notFound, message: 'This item no longer exists.' });
  return live;
}

function reject(fieldError: FieldError | undefined): void {
  if (fieldError)
    throw new CommandError({ code: ERROR_CODES.invalid, message: fieldError.message, fieldError });
}
