// The engine's guard on what arrives from the relay: before the Repo applies a sync message to a
// collection, one of its body documents or its access document, each change in it whose message
// names an author (src/shared/access/authorship.ts) is checked by the rule the relay applies too
// (src/shared/access/change-guard.ts), against the roles resolved from the collection's access
// document as this device holds it. A change by someone who may not make it (content: editors and
// owners; access: owners), and any change built on one, is held back; the message goes on without it, its
// heads rewritten as the relay rewrites a refused peer's (src/shared/sync/strip-changes.ts), so the
// two do not ping-pong over the missing change.
//
// Held, not dropped: this device's copy of the access document can be behind the relay's. A change
// by a member granted a moment ago may arrive before the grant does; once the access document here
// allows its author, it is applied. A removed member's change never is.
//
// What this cannot catch: a change that names no author (documents from before authors were named,
// and a body document's first change, which every device makes identically), and a change that
// names someone else. The relay refuses both from its authenticated connections; without per-change
// signatures an engine has only the relay's word for who sent a change. Snapshots a fresh device
// downloads (network/snapshot-bootstrap.ts) are the relay's stored state and are not re-checked.

import type { DocHandle, Message } from '@automerge/automerge-repo/slim';
import { Automerge } from '@automerge/automerge-repo/slim';
import { claimedAuthor } from '../../shared/access/authorship.ts';
import type { GuardedPart } from '../../shared/access/change-guard.ts';
import type { Logger } from '../../shared/log.ts';
import { changeHeaderOf } from '../../shared/sync/change-header.ts';
import type { KnownChanges } from '../../shared/sync/strip-changes.ts';
import {
  decodedChangesOf,
  knownChangesOf,
  rewriteSyncMessage,
  splitChunks,
} from '../../shared/sync/strip-changes.ts';

/**
 * A document as part of a collection. Social documents are not guarded here: each comment and like
 * in them is signed on its own and verified wherever it is shown.
 */
export interface Governing {
  collectionId: string;
  part: Exclude<GuardedPart, 'social'>;
}

/** What the guard needs to know about documents and roles. */
export interface ContentRules {
  /**
   * Which collection's roles govern a document, and as which part of it: the collection itself, a
   * body document of one, or its access document; undefined for any other document.
   */
  governing(documentId: string): Governing | undefined;
  /**
   * Whether `user` may change that part of the collection (shared/access/change-guard.ts), by its
   * access document as this device holds it; undefined when this device cannot tell (the
   * collection or its access document is not here).
   */
  mayChange(governing: Governing, user: string): Promise<boolean | undefined>;
  /** The document as this engine holds it, once it is ready. */
  readyHandle(documentId: string): DocHandle<unknown> | undefined;
}

export interface IncomingGuardOptions {
  log: Logger;
  /** How often held changes are checked again while there are any. */
  recheckMs?: number;
}

export class IncomingGuard {
  /** Changes held back since start (each counted once). */
  heldTotal = 0;

  readonly #rules: ContentRules;
  readonly #log: Logger;
  readonly #recheckMs: number;
  /** Per document: the held changes, by hash. */
  readonly #held = new Map<string, Map<string, HeldChange>>();
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(rules: ContentRules, options: IncomingGuardOptions) {
    this.#rules = rules;
    this.#log = options.log;
    this.#recheckMs = options.recheckMs ?? 2_000;
  }

  /** How many changes are held back right now. */
  get heldNow(): number {
    let count = 0;
    for (const held of this.#held.values()) count += held.size;
    return count;
  }

  /**
   * The message to hand to the Repo: `message` itself, or a copy without the changes held back. Sync
   * is synchronous when the message needs no role lookup (most do not: no changes, or none that
   * name an author).
   */
  filter(message: Message): Message | Promise<Message> {
    if ((message.type !== 'sync' && message.type !== 'request') || !message.data) return message;
    const documentId = message.documentId as string;
    const governing = this.#rules.governing(documentId);
    if (!governing) return message;
    let reviewed: Reviewed;
    try {
      reviewed = review(message.data);
    } catch {
      return message; // not ours to judge: the Repo refuses a malformed message itself
    }
    const held = this.#held.get(documentId);
    const buildsOnHeld =
      held !== undefined &&
      (reviewed.mentions.some((hash) => held.has(hash)) ||
        reviewed.changes.some((change) => change.deps.some((dep) => held.has(dep))));
    if (reviewed.claimants.size === 0 && !buildsOnHeld) return message;
    return this.#judge(message, documentId, governing, reviewed);
  }

  /** Stops the recheck timer; held changes are forgotten (they come again on the next connection). */
  dispose(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held.clear();
  }

  /** Checks the held changes again, and applies those whose authors may now write. */
  async recheck(): Promise<void> {
    for (const [documentId, held] of this.#held) {
      const governing = this.#rules.governing(documentId);
      const handle = this.#rules.readyHandle(documentId);
      if (!governing || !handle) continue;
      const allowed = await this.#allowedAuthors(governing, held.values());
      const known = knownChangesOf(handle.doc());
      const released = releasable(held, allowed, known);
      if (released.length === 0) continue;
      for (const change of released) held.delete(change.hash);
      handle.update(
        (doc) =>
          Automerge.applyChanges(
            doc,
            released.map((change) => change.bytes),
          )[0],
      );
      this.#log.info(`applied ${released.length} held change(s) now that their authors may write`);
    }
    for (const [documentId, held] of this.#held) if (held.size === 0) this.#held.delete(documentId);
  }

  async #judge(
    message: Message,
    documentId: string,
    governing: Governing,
    reviewed: Reviewed,
  ): Promise<Message> {
    const allowed = await this.#allowedAuthors(governing, reviewed.changes);
    const held = this.#held.get(documentId) ?? new Map<string, HeldChange>();
    const kept: ReviewedChange[] = [];
    const newlyHeld: HeldChange[] = [];
    for (const change of reviewed.changes) {
      const refused = change.claimed !== undefined && allowed.get(change.claimed) === false;
      if (!refused && !change.deps.some((dep) => held.has(dep))) {
        kept.push(change);
        continue;
      }
      const hash = change.hash();
      if (!held.has(hash)) {
        const entry = { hash, bytes: change.bytes, deps: change.deps, claimed: change.claimed };
        held.set(hash, entry);
        newlyHeld.push(entry);
      }
    }
    const buildsOnHeld = reviewed.mentions.some((hash) => held.has(hash));
    if (kept.length === reviewed.changes.length && !buildsOnHeld) return message;
    if (newlyHeld.length > 0) {
      this.#keep(documentId, held);
      this.heldTotal += newlyHeld.length;
      const authors = [...new Set(newlyHeld.map((change) => change.claimed ?? 'no one'))].join(', ');
      this.#log.warn(
        `held back ${newlyHeld.length} change(s) to ${documentId} (${governing.part} of ${governing.collectionId}) by ${authors}: not allowed to make them here (yet)`,
      );
      this.#scheduleRecheck();
    }
    const handle = this.#rules.readyHandle(documentId);
    const known: KnownChanges = handle ? knownChangesOf(handle.doc()) : NOTHING_KNOWN;
    const data = rewriteSyncMessage(
      reviewed.message,
      kept.map((change) => change.bytes),
      known,
      { get: (hash) => held.get(hash)?.deps },
    );
    return { ...message, data };
  }

  async #allowedAuthors(
    governing: Governing,
    changes: Iterable<{ claimed: string | undefined }>,
  ): Promise<Map<string, boolean | undefined>> {
    const allowed = new Map<string, boolean | undefined>();
    for (const { claimed } of changes) {
      if (claimed === undefined || allowed.has(claimed)) continue;
      allowed.set(claimed, await this.#rules.mayChange(governing, claimed));
    }
    return allowed;
  }

  #keep(documentId: string, held: Map<string, HeldChange>): void {
    // Worst case the relay sends them again on the next connection; memory stays bounded.
    if (held.size > MAX_HELD_PER_DOCUMENT) this.#held.delete(documentId);
    else this.#held.set(documentId, held);
  }

  #scheduleRecheck(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.recheck()
        .catch((error: unknown) => this.#log.warn('could not check held changes again', error))
        .finally(() => {
          if (this.heldNow > 0) this.#scheduleRecheck();
        });
    }, this.#recheckMs);
  }
}

// ---- helpers ----

/** At most this many changes are held per document. */
const MAX_HELD_PER_DOCUMENT = 10_000;

const NOTHING_KNOWN: KnownChanges = { has: () => false, depsOf: () => undefined };

interface HeldChange {
  hash: string;
  bytes: Uint8Array;
  deps: string[];
  claimed: string | undefined;
}

interface ReviewedChange {
  bytes: Uint8Array;
  deps: string[];
  claimed: string | undefined;
  /** Its hash; computed only for the changes held back (decoding a change costs). */
  hash(): string;
}

interface Reviewed {
  message: Automerge.DecodedSyncMessage;
  changes: ReviewedChange[];
  /** Every user named as an author. */
  claimants: Set<string>;
  /** The hashes the message names as its sender's heads or as shared. */
  mentions: string[];
}

/** The message's changes, one per chunk, read from their headers where they can be. */
function review(data: Uint8Array): Reviewed {
  const message = Automerge.decodeSyncMessage(data);
  const changes: ReviewedChange[] = [];
  const claimants = new Set<string>();
  for (const entry of message.changes) {
    for (const chunk of splitChunks(entry)) {
      const header = changeHeaderOf(chunk.bytes);
      if (header) {
        const claimed = claimedAuthor(header.message);
        if (claimed) claimants.add(claimed);
        changes.push({
          bytes: chunk.bytes,
          deps: header.deps,
          claimed,
          hash: () => Automerge.decodeChange(chunk.bytes).hash,
        });
        continue;
      }
      // A compressed change, or a whole document: decoded in full, each change on its own.
      for (const change of decodedChangesOf(chunk)) {
        const claimed = claimedAuthor(change.message);
        if (claimed) claimants.add(claimed);
        const bytes = Automerge.encodeChange(change);
        changes.push({ bytes, deps: change.deps, claimed, hash: () => change.hash });
      }
    }
  }
  const mentions = [...message.heads, ...message.have.flatMap((have) => have.lastSync)];
  return { message, changes, claimants, mentions };
}

/**
 * The held changes that may be applied now: their author may write (or is not named), and each
 * dependency is in the document already or is released with them.
 */
function releasable(
  held: Map<string, HeldChange>,
  allowed: Map<string, boolean | undefined>,
  known: KnownChanges,
): HeldChange[] {
  const released = new Map<string, HeldChange>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const change of held.values()) {
      if (released.has(change.hash)) continue;
      if (change.claimed !== undefined && allowed.get(change.claimed) === false) continue;
      if (!change.deps.every((dep) => known.has(dep) || released.has(dep))) continue;
      released.set(change.hash, change);
      grew = true;
    }
  }
  return [...released.values()];
}
