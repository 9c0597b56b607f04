// The engine: the single writer of a browser profile. It owns the Repo, IndexedDB, the read models
// and every network connection, and serves tabs over MessagePorts. The collection list is served
// from IndexedDB at once; everything needing Automerge waits for the Repo in the background.

import type { Message, Repo } from '@automerge/automerge-repo/slim';
import { BroadcastChannelNetworkAdapter } from '@automerge/automerge-repo-network-broadcastchannel';
import { addLogSink, makeLogger } from '../shared/log.ts';
import type { Command, Subscription } from '../shared/protocol.ts';
import { isRecord } from '../shared/protocol.ts';
import type { PersonalKind } from '../shared/personal-docs.ts';
import type { CollectionId, EngineMode, SyncStatus } from '../shared/types.ts';
import { BodyDocs } from './bodies.ts';
import { CollectionStore } from './collection-store.ts';
import { runCommand } from './commands.ts';
import { Directory, directoryLocator } from './directory.ts';
import { Home } from './home.ts';
import { PresenceHub } from './presence.ts';
import { HistoryQueries } from './queries/history.ts';
import { subscribeSearch, type CollectionNames } from './queries/search-service.ts';
import { preloadFileFormats, runImport } from './queries/transfer.ts';
import { ReadModels } from './read-models/read-models.ts';
import { throttledProgress } from './read-models/progress-pushes.ts';
import { openPinaxDb } from './db.ts';
import { patchItem } from './domain/collection-doc.ts';
import { RelayClientAdapter } from './network/relay-client-adapter.ts';
import { snapshotBootstrap, snapshotUrlFor } from './network/snapshot-bootstrap.ts';
import { createRepo } from './repo.ts';
import { milestone } from './milestones.ts';
import { loadOrCreateIdentity } from './identity/keystore.ts';
import { IdentityService } from './identity/identity-service.ts';
import { DeviceLinking } from './identity/device-linking.ts';
import { makeLinkHandover } from './identity/link-handover.ts';
import { Devices } from './identity/devices.ts';
import { SocialService } from './social/social-service.ts';
import { ActivityService, heldRoleOf } from './social/activity-service.ts';
import { CollectionAccess } from './access/collection-access.ts';
import { openRelaySession, RelaySessionState } from './identity/relay-session.ts';
import type { PortLike } from './rpc-server.ts';
import { postLog, postReload, serveTab } from './rpc-server.ts';
import { subscribeCollection, subscribeItem } from './subscriptions.ts';
import { compactWhenIdle } from '../shared/idle-compaction.ts';
import { DeflatedSnapshotsAdapter } from './storage/deflated-snapshots.ts';
import { DexieStorageAdapter } from './storage/dexie-storage-adapter.ts';
import { SyncStateCoalescingAdapter } from '../shared/sync-state-coalescing.ts';
import { SyncMonitor } from './sync-monitor.ts';
import { warmUpDocumentLoading } from './wasm-warmup.ts';
import type { AutomergeWasm } from './wasm-module.ts';
import { authored } from '../shared/access/authored.ts';
import { IncomingGuard } from './network/incoming-guard.ts';
import { engineContentRules } from './network/content-rules.ts';

export interface Engine {
  attachPort(port: PortLike): void;
}

export interface EngineOptions {
  /** Ends this engine so the next tab starts a fresh one (the SharedWorker closes itself). */
  restart?: () => void;
  /** Whether the profile had no database when the worker started (new-profile.ts). */
  profileWasNew?: Promise<boolean>;
  /** Automerge's wasm, compiling since the worker started (wasm-module.ts). */
  wasm: Promise<AutomergeWasm>;
}

export function startEngine(
  mode: EngineMode,
  { restart = () => undefined, profileWasNew = Promise.resolve(false), wasm }: EngineOptions,
): Engine {
  milestone('engine-start');
  const ports = new Set<PortLike>();
  addLogSink((level, namespace, args) => {
    const text = args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ');
    for (const port of ports) postLog(port, level, namespace, text);
  });

  // After linking, every engine of this profile acts as someone else: tabs still attached to one
  // (this SharedWorker, or other tabs' dedicated workers in the fallback) must reload.
  const control = new BroadcastChannel(CONTROL_CHANNEL);
  const askTabsToReload = () => {
    for (const port of ports) postReload(port, IDENTITY_CHANGED);
  };
  control.onmessage = (event: MessageEvent) => {
    if (isRecord(event.data) && event.data['type'] === 'identity-changed') askTabsToReload();
  };

  const db = openPinaxDb();
  const relayUrl = relayUrlFor(self.location);
  const identity = loadOrCreateIdentity(db, deviceLabel());
  identity.catch((error: unknown) => log.error('could not load or create this device’s keys', error));
  const relaySession = new RelaySessionState(mode === 'shared-worker');
  // Every connection to the relay is authenticated first: the device signs a fresh challenge.
  const relay = new RelayClientAdapter(relayUrl, {
    beforeConnect: async (peerId) => {
      try {
        await openRelaySession(httpBaseOf(relayUrl), await identity, peerId);
        relaySession.settled(true);
      } catch (error) {
        relaySession.settled(false);
        throw error;
      }
    },
    // Bound below, once the parts it asks exist; no message arrives before the Repo does.
    filterIncoming: (message: Message): Message | Promise<Message> => incomingGuard.filter(message),
  });
  // Engines bridge over BroadcastChannel in both modes: in fallback mode there is one per tab, and
  // during an app update an old and a new SharedWorker run side by side until old tabs reload.
  const siblings = new BroadcastChannelNetworkAdapter({ channelName: 'pinax-engines' });
  const chunks = new DexieStorageAdapter(db.chunks);
  const snapshots = new DeflatedSnapshotsAdapter(chunks);
  const storage = new SyncStateCoalescingAdapter(snapshots);
  const readModels = new ReadModels(db);
  // What a tab shows first (lists, search) comes from the read models. Loading documents in the
  // middle of answering it (synchronous wasm, ~100 ms for a 10,000-item collection) held the first
  // search result back, so Automerge starts once those answers are out.
  const repo = createRepo(
    storage,
    mode === 'shared-worker' ? [relay, siblings] : [siblings],
    wasm,
    readModels.startupAnswered,
  ).then((r) => {
    // Saved uncompressed, then deflated by the storage a slice per task: a 10k-item collection's
    // compaction held the engine in one block of ~0.75 s with Automerge's deflate, ~0.14 s without
    // (profiled).
    compactWhenIdle(r, { quietTogether: true, snapshotBytes: (doc) => snapshots.snapshotOf(doc) });
    return r;
  });
  const bootstrap = snapshotBootstrap(
    { save: (key, data) => storage.save(key, data), hasAny: (prefix) => chunks.hasAny(prefix) },
    snapshotUrlFor(relayUrl),
    {
      onProgress: (id, bytes, totalBytes) =>
        collections.reportProgress(id as CollectionId, { bytes, totalBytes }),
      // Automerge is ready by then (the Repo is what loads collections); this only waits a turn.
      whileDownloading: (download) =>
        void repo.then(
          () => warmUpDocumentLoading(download),
          () => undefined,
        ),
      session: relaySession,
      profileWasNew: () => profileWasNew,
    },
  );
  const access = new CollectionAccess(repo, identity, db, httpBaseOf(relayUrl));
  // The home document and the activity stream are the user's own: the relay lets no one else write.
  const claim = (kind: PersonalKind) => (personalId: string) =>
    void access
      .register({ personalId, kind })
      .catch((error: unknown) => log.warn(`could not register the ${kind} document`, error));
  const home = new Home(repo, db, claim('home'), (): Promise<void> => collections.loadsSettled());
  const collections = new CollectionStore(db, repo, {
    bootstrap,
    readModels,
    connected: () => relay.info.state === 'connected',
    home,
  });
  const bodies = repo.then(
    (r) =>
      new BodyDocs(r, (collectionId, itemId, text) => {
        Promise.all([collections.get(collectionId), identity])
          .then(([live, { user }]) => {
            live?.handle.change(
              (doc) => void patchItem(doc, itemId, { body: text }, Date.now()),
              authored(user),
            );
          })
          .catch((error: unknown) => log.warn('could not copy a body into its collection', error));
      }),
  );
  // Changes from the relay by someone who may not edit a collection are held back here too.
  const incomingGuard: IncomingGuard = new IncomingGuard(
    engineContentRules(repo, bodies, () => access),
    {
      log: makeLogger('pinax:guard'),
    },
  );
  const monitor = repo.then((r) => {
    const m = new SyncMonitor(r, mode, relayUrl);
    if (mode === 'shared-worker') m.attachRelay(relay);
    else holdRelayWhenElected(r, relay, m, relaySession);
    relay.onInfo((info) => {
      if (info.state === 'connected') {
        collections.retryUnavailable();
        void access.retryRegistrations();
      }
    });
    return m;
  });

  repo
    .then(
      () => collections.loadAllJoined(),
      (error: unknown) => log.error('engine failed to start', error),
    )
    .catch((error: unknown) => log.error('could not load joined collections', error))
    // The import and export code is parsed once nothing a person waits for is running.
    .finally(() => void collections.loadsSettled().then(preloadFileFormats));

  const names = collectionNames(collections);
  const directory = new Directory(repo, db, directoryLocator(relayUrl));
  const identityService = new IdentityService(db, identity);
  const devices = new Devices(identity, home, httpBaseOf(relayUrl));
  // Read from IndexedDB each time: a name saved a moment ago must be the one signed.
  const currentName = async () => (await identityService.view()).displayName;
  // Both directions: the feed reads followed collections' reactions, reactions are also activity.
  const socialRef: { current?: SocialService } = {};
  const activity = new ActivityService(
    repo,
    identity,
    home,
    currentName,
    {
      feed: (collectionId, push) =>
        later(
          collections
            .get(collectionId as CollectionId)
            .then((live) =>
              live && socialRef.current ? socialRef.current.subscribeCollection(live, push) : () => undefined,
            ),
        ),
      roleOf: heldRoleOf(collections, access),
    },
    claim('activity'),
  );
  void devices
    .recordSelf()
    .then((homeId) => collections.flush([homeId]))
    .catch((error: unknown) => log.warn('could not list this device in the home document', error));
  const social = new SocialService(repo, identity, access, currentName, activity);
  socialRef.current = social;
  const presence = new PresenceHub(db, collections, () => identityService.displayName);
  const ctx = {
    collections,
    access,
    identity: identityService,
    bodies,
    history: new HistoryQueries(collections, bodies),
    directory,
    readModels,
    linking: new DeviceLinking(
      identity,
      db,
      home,
      httpBaseOf(relayUrl),
      devices,
      makeLinkHandover(collections, access, monitor),
    ),
    devices,
    social,
    activity,
    restart: () => {
      log.info('restarting the engine');
      control.postMessage({ type: 'identity-changed' });
      // After the command's answer has been posted to the tab.
      setTimeout(() => {
        askTabsToReload();
        relay.disconnect();
        restart();
      }, 100);
    },
    afterWrite: () =>
      monitor.then(
        (m) => m.refresh(),
        () => undefined,
      ),
  };
  const handlers = {
    mode,
    run: (cmd: Command) => runCommand(ctx, cmd),
    subscribe: (sub: Subscription, push: (payload: unknown) => void) => subscribe(sub, push),
  };

  function subscribe(sub: Subscription, push: (payload: unknown) => void): () => void {
    switch (sub.type) {
      case 'collections':
        return collections.subscribeList(push);
      case 'collection':
        return subscribeCollection(collections, readModels, sub.collectionId, push);
      case 'item':
        return subscribeItem(collections, bodies, sub.collectionId, sub.itemId, push);
      case 'syncStatus':
        return later(monitor.then((m) => m.subscribe(push)));
      case 'search':
        return subscribeSearch(readModels, names, sub, push);
      case 'import':
        return runImport(collections, sub.collectionId, sub.files, push, {
          requireEditor: (live) => access.requireEditor(live),
          author: async () => (await identity).user,
        });
      case 'readModelProgress':
        return throttledProgress((listener) => readModels.subscribeProgress(listener), push);
      case 'presence':
        return presence.join(sub.collectionId, sub.itemId, push);
      case 'directory':
        return directory.subscribe(push);
      case 'identity':
        return identityService.subscribe(push);
      case 'deviceLink':
        return ctx.linking.offerLink(push);
      case 'devices':
        return devices.subscribe(push);
      case 'feed':
        return activity.subscribeFeed(push);
      case 'following':
        return activity.subscribeFollowing(push);
      case 'itemSocial':
        return later(
          collections
            .get(sub.collectionId)
            .then((live) => (live ? ctx.social.subscribe(live, sub.itemId, push) : () => undefined)),
        );
      case 'members':
        return later(
          collections
            .get(sub.collectionId)
            .then((live) => (live ? access.subscribe(live, push) : () => undefined)),
        );
    }
  }

  return {
    attachPort(port) {
      ports.add(port);
      serveTab(port, handlers, () => ports.delete(port));
    },
  };
}

const log = makeLogger('pinax:engine');
const CONTROL_CHANNEL = 'pinax-engine-control';
const IDENTITY_CHANGED = 'This device is now linked to your account. Reload to continue as you.';

/** Turns an async subscribe into a sync unsubscribe that also works if called before it resolves. */
export function later(pending: Promise<() => void>): () => void {
  let cancelled = false;
  let unsubscribe: (() => void) | undefined;
  pending.then(
    (fn) => (cancelled ? fn() : (unsubscribe = fn)),
    (error: unknown) => log.error('subscription failed', error),
  );
  return () => {
    cancelled = true;
    unsubscribe?.();
  };
}

/** The joined collections' names, kept current from the sidebar read model. */
function collectionNames(collections: CollectionStore): CollectionNames {
  let names: Map<string, string> | undefined;
  const listeners = new Set<() => void>();
  collections.subscribeList((rows) => {
    const next = new Map(rows.map((row) => [row.id, row.name]));
    // The list is re-read whenever a row is written (every 250 ms while someone types, for its
    // updatedAt); every open search re-runs on a names change, so only a real one counts.
    const before = names;
    if (before && next.size === before.size && rows.every((row) => before.get(row.id) === row.name)) return;
    names = next;
    for (const listener of listeners) listener();
  });
  return {
    current: () => names,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** The relay's HTTP origin, from its WebSocket URL. */
function httpBaseOf(relayUrl: string): string {
  const url = new URL(relayUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  return url.origin;
}

/** How the device is named in its certificate (the user can tell devices apart in the list). */
function deviceLabel(): string {
  const platform = (navigator as WorkerNavigator & { userAgentData?: { platform?: string } }).userAgentData
    ?.platform;
  return `Browser on ${platform || navigator.platform || 'an unknown system'}`.slice(0, 80);
}

function relayUrlFor(location: WorkerLocation): string {
  const configured = import.meta.env['VITE_RELAY_URL'] as string | undefined;
  if (configured) return configured;
  const url = new URL('/sync', location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

/**
 * Fallback mode: every tab has its own engine, bridged over BroadcastChannel. Only the engine
 * holding the Web Lock connects to the relay; it broadcasts its sync status to the others.
 */
function holdRelayWhenElected(
  repo: Repo,
  relay: RelayClientAdapter,
  monitor: SyncMonitor,
  session: RelaySessionState,
): void {
  const channel = new BroadcastChannel('pinax-sync-status');
  channel.onmessage = (event: MessageEvent<SyncStatus>) => {
    if (!monitor.status.holdsRelayConnection && event.data && typeof event.data.state === 'string')
      monitor.adopt(event.data);
  };
  void navigator.locks.request('pinax-relay', () => {
    log.info('this tab now holds the relay connection');
    session.expect();
    repo.networkSubsystem.addNetworkAdapter(relay);
    monitor.attachRelay(relay);
    monitor.subscribe((status) => channel.postMessage(status));
    return new Promise<never>(() => undefined); // held until this tab goes away
  });
}
