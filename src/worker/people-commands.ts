// Commands about people rather than items: linking and revoking devices, comments and likes,
// following, and the activity entries that tagging makes. Split from commands.ts, which dispatches
// them here.

import type { DidKey } from '../shared/identity/did-key.ts';
import { makeLogger } from '../shared/log.ts';
import type { Command, CommandResults } from '../shared/protocol.ts';
import { ERROR_CODES } from '../shared/protocol.ts';
import type { DispatchContext } from './commands.ts';
import { CommandError, asCommandError, requireCollection } from './commands.ts';
import { findItem, readString } from './domain/collection-doc.ts';
import { LinkRefused } from './identity/device-linking.ts';
import { RevokeRefused } from './identity/devices.ts';
import type { LiveCollection } from './live-collection.ts';
import type { ReactionInput } from './social/social-service.ts';

export type PeopleCommand = Extract<
  Command,
  {
    type:
      | 'addComment'
      | 'setLike'
      | 'followUser'
      | 'unfollowUser'
      | 'followCollection'
      | 'revokeDevice'
      | 'acceptDeviceLink';
  }
>;

export async function runPeopleCommand(
  ctx: DispatchContext,
  cmd: PeopleCommand,
): Promise<CommandResults[PeopleCommand['type']]> {
  switch (cmd.type) {
    case 'addComment':
    case 'setLike': {
      const live = await requireCollection(ctx, cmd.collectionId);
      const input: ReactionInput =
        cmd.type === 'addComment' ? { kind: 'comment', text: cmd.text } : { kind: 'like', on: cmd.on };
      await ctx.flush(await asCommandError(ctx.social.react(live, cmd.itemId, input)));
      return null;
    }
    case 'revokeDevice':
      try {
        await ctx.collections.flush([await ctx.devices.revoke(cmd.device as DidKey)]);
        return null;
      } catch (error) {
        if (error instanceof RevokeRefused)
          throw new CommandError({ code: ERROR_CODES.invalid, message: error.message });
        throw error;
      }
    case 'acceptDeviceLink': {
      try {
        const linked = await ctx.linking.acceptLink(cmd.secret);
        ctx.restart();
        return linked;
      } catch (error) {
        if (error instanceof LinkRefused)
          throw new CommandError({ code: ERROR_CODES.invalid, message: error.message });
        throw error;
      }
    }
    case 'followUser':
      await ctx.flush(await ctx.activity.follow(cmd.user as DidKey, cmd.activity, cmd.name));
      return null;
    case 'unfollowUser':
      await ctx.flush(await ctx.activity.unfollow(cmd.user as DidKey));
      return null;
    case 'followCollection': {
      if (!cmd.on) {
        await ctx.flush(await ctx.activity.unfollowCollection(cmd.collectionId));
        return null;
      }
      const summary = await ctx.collections.summary(cmd.collectionId);
      if (!summary)
        throw new CommandError({
          code: ERROR_CODES.notFound,
          message: 'This collection could not be found.',
        });
      await ctx.flush(await ctx.activity.followCollection(cmd.collectionId, summary.name));
      return null;
    }
  }
}

/** Tags in `tags` that the item does not have yet. */
export function newTags(live: LiveCollection, itemId: string, tags: readonly string[] | undefined): string[] {
  if (!tags) return [];
  const had = findItem(live.handle.doc(), itemId)?.tags ?? {};
  return tags.filter((tag) => had[tag] !== true);
}

/**
 * Tagging is news for the user's followers. Recorded after the edit was acknowledged: the edit must
 * not wait for a signature, and a lost activity entry loses no data.
 */
export function recordTags(ctx: DispatchContext, live: LiveCollection, itemId: string, tags: string[]): void {
  const title = readString(findItem(live.handle.doc(), itemId)?.title);
  void (async () => {
    for (const tag of tags)
      await ctx.collections.flush(
        await ctx.activity.record({ verb: 'tag', collection: live.id, item: itemId, title, tag }),
      );
  })().catch((error: unknown) => log.warn('could not record tagging in the activity stream', error));
}

const log = makeLogger('pinax:commands');
