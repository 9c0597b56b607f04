// Command handlers: the only code that writes documents. Each validates its input against the
// shared limits, applies one Automerge change, and resolves only after the change is flushed to
// IndexedDB, so an acknowledged write survives the last tab closing a moment later.

import type { Command, CommandResults, RpcError } from '../shared/protocol.ts';
import { ERROR_CODES } from '../shared/protocol.ts';
import type { FieldError } from '../shared/limits.ts';
import { checkBody, checkDescription, checkName, checkTags, checkTitle } from '../shared/limits.ts';
import type { CollectionId, ItemId } from '../shared/types.ts';
import type { BodyDocs } from './bodies.ts';
import { bodyText, setBodyText } from './bodies.ts';
import type { CollectionStore } from './collection-store.ts';
import type { CollectionDoc, ItemFields } from './domain/collection-doc.ts';
import {
  findItem,
  insertItem,
  patchItem,
  readString,
  setBodyDoc,
  setDeleted,
} from './domain/collection-doc.ts';
import { ImmutableString, isValidDocumentId } from '@automerge/automerge-repo/slim';
import type { LiveCollection } from './live-collection.ts';

export class CommandError extends Error {
  readonly rpc: RpcError;
  constructor(rpc: RpcError) {
    super(rpc.message);
    this.rpc = rpc;
  }
}

export interface CommandContext {
  collections: CollectionStore;
  bodies: Promise<BodyDocs>;
}

export async function runCommand<C extends Command>(
  ctx: CommandContext,
  cmd: C,
): Promise<CommandResults[C['type']]> {
  const result = await dispatch(ctx, cmd);
  return result as CommandResults[C['type']];
}

async function dispatch(ctx: CommandContext, cmd: Command): Promise<CommandResults[Command['type']]> {
  switch (cmd.type) {
    case 'createCollection': {
      const name = cmd.name.trim();
      const description = cmd.description?.trim() ?? '';
      reject(checkName(name) ?? checkDescription(description));
      const live = await ctx.collections.create(name, description);
      await ctx.collections.flush([live.id]);
      return { collectionId: live.id };
    }
    case 'openCollection':
      if (!isValidDocumentId(cmd.collectionId))
        throw new CommandError({
          code: ERROR_CODES.invalid,
          message: 'This link does not name a valid collection.',
        });
      await ctx.collections.join(cmd.collectionId);
      return { collectionId: cmd.collectionId };
    case 'renameCollection': {
      const name = cmd.name.trim();
      reject(checkName(name));
      const live = await requireCollection(ctx, cmd.collectionId);
      live.handle.change((doc) => {
        if (readString(doc.name) !== name) doc.name = new ImmutableString(name);
        doc.updatedAt = Date.now();
      });
      await ctx.collections.flush([live.id]);
      return null;
    }
    case 'deleteCollection': {
      const live = await ctx.collections.get(cmd.collectionId);
      if (live) {
        live.handle.change((doc) => {
          doc.deletedAt = Date.now();
        });
        await ctx.collections.flush([live.id]);
      }
      await ctx.collections.forget(cmd.collectionId);
      return null;
    }
    case 'addItem': {
      const fields = checkedFields(cmd);
      const live = await requireCollection(ctx, cmd.collectionId);
      const itemId = newItemId();
      live.handle.change((doc) => insertItem(doc, itemId, fields, Date.now()));
      await ctx.collections.flush([live.id]);
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
      const live = await requireCollection(ctx, cmd.collectionId);
      const itemIds = batch.map(() => newItemId());
      live.handle.change((doc) => {
        const now = Date.now();
        batch.forEach((fields, i) => insertItem(doc, itemIds[i]!, fields, now));
      });
      await ctx.collections.flush([live.id]);
      return { itemIds };
    }
    case 'updateItem': {
      const fields = checkedFields(cmd);
      const live = await requireItem(ctx, cmd.collectionId, cmd.itemId);
      const touched: string[] = [live.id];
      const { body, ...plain } = fields;
      if (body !== undefined) touched.push(await writeBody(ctx, live, cmd.itemId, body));
      if (plain.title !== undefined || plain.tags !== undefined)
        live.handle.change((doc) => void patchItem(doc, cmd.itemId, plain, Date.now()));
      await ctx.collections.flush(touched);
      return null;
    }
    case 'deleteItem':
    case 'restoreItem': {
      const live = await requireItem(ctx, cmd.collectionId, cmd.itemId);
      live.handle.change((doc) => void setDeleted(doc, cmd.itemId, cmd.type === 'deleteItem', Date.now()));
      await ctx.collections.flush([live.id]);
      return null;
    }
    case 'resolveConflict': {
      reject(checkTitle(cmd.value));
      const live = await requireItem(ctx, cmd.collectionId, cmd.itemId);
      // Writing the chosen value supersedes every concurrent value: the conflict is gone everywhere.
      live.handle.change((doc) => void patchItem(doc, cmd.itemId, { title: cmd.value }, Date.now()));
      await ctx.collections.flush([live.id]);
      return null;
    }
  }
}

/** Writes a body edit to the item's body document (creating it on first edit); returns its id. */
async function writeBody(
  ctx: CommandContext,
  live: LiveCollection,
  itemId: ItemId,
  body: string,
): Promise<string> {
  const bodies = await ctx.bodies;
  const record = findItem(live.handle.doc(), itemId);
  const url = readString(record?.bodyDoc);
  const snapshot = readString(record?.body);
  const handle =
    (url ? await bodies.find(live.id, itemId, url) : undefined) ??
    (await bodies.create(live.id, itemId, snapshot));
  if (bodyText(handle) !== body) setBodyText(handle, body);
  if (!url) live.handle.change((doc: CollectionDoc) => setBodyDoc(doc, itemId, handle.url));
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

async function requireCollection(ctx: CommandContext, id: CollectionId): Promise<LiveCollection> {
  const live = await ctx.collections.get(id);
  if (!live)
    throw new CommandError({ code: ERROR_CODES.notFound, message: 'This collection could not be found.' });
  return live;
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

function newItemId(): ItemId {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_') as ItemId;
}
