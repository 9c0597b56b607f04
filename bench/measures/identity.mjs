// Identity and access-control benchmarks, in Node against the app's own code (bundled from
// TypeScript by lib/ts-module.mjs through identity-entry/index.ts) and a real relay child process
// (build/server/server/testing/spawn-relay.js; run `npm run build:server` first).
//
// 1. handshake: a device connecting to the relay, from just before POST /auth/challenge until the
//    WebSocket to /sync carrying the session cookie is open and the relay has answered the join
//    with its `peer` message (a raw `ws` socket speaking automerge-repo's CBOR protocol). Each
//    handshake uses a fresh user + device (made beforehand, untimed), one after another. Phases are
//    reported too, and, in-process, the device's signature alone and the relay's checks alone (the
//    session statement's signature and the one-certificate chain).
// 2. verification: WebCrypto Ed25519 in-process. resolveAccess over N signed access entries with a
//    fresh signature cache (each entry: its certificate chain and its own signature, as an engine
//    or the relay checks them), the same with the cache filled (re-resolving), and verifyStatement
//    alone. Rates are entries (or calls) per second; median of 5 rounds after one warm-up.
// 3. guardOverhead: one authenticated owner writes M small changes, in batches, to (A) a collection
//    registered with POST /access/register, whose sync messages all go through the access guard's
//    role check, and (B) an unregistered document (the guard passes it through), on the same relay,
//    in ABBA order over a few rounds. Timed from the first change until the relay has acknowledged
//    the final heads. Two clients:
//    - repoClient: the app's RelayClientAdapter in an automerge-repo Repo (what an engine does).
//      The client is the bottleneck here: its handle.change calls take most of the time, and
//      automerge-repo sends at most one sync message per 100 ms per document, so the guard runs
//      on only a handful of messages per round.
//    - rawSync: the sync protocol spoken directly over an authenticated socket, with the client's
//      own work out of the clock: the sync messages a client sends for the batches are made
//      beforehand (lockstep sync with a local replica standing in for the relay), then streamed
//      to the relay, then a probe whose reply carries the relay's heads. The relay's per-message
//      path, guard included, is what is timed: this is the sensitive one.
//    Both also report the relay process's CPU time per run (/proc, all threads), which a busy
//    machine disturbs less than wall time. Before each timed run the relay is left idle for 2.5 s
//    (it compacts a document 2 s after its last change).
//    The relay runs with --max-messages-per-second 0 so its rate limit cannot close the writer.
//
// Run alone: node bench/measures/identity-standalone.mjs [--quick]

import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { processCpuMs } from '../lib/process-cpu.mjs';
import { round, roundAll, roundSummary, summarize } from '../lib/stats.mjs';
import { importTs } from '../lib/ts-module.mjs';

const ENTRY = fileURLToPath(new URL('./identity-entry/index.ts', import.meta.url));
const SPAWN_RELAY = new URL('../../build/server/server/testing/spawn-relay.js', import.meta.url);
const REGISTER_PATH = '/access/register';
const HANDSHAKE_GOAL_P95_MS = 20;
const GUARD_GOAL_OVERHEAD = 0.1;
/** Guards against hangs only (a refused socket, a lost ack); never compared with a goal. */
const STEP_TIMEOUT_MS = 60_000;

const METHODS = {
  handshake:
    'Fresh user+device per handshake (keys made beforehand), sequential against a real relay on localhost: time from just before POST /auth/challenge, through signing and POST /auth/session, until a ws WebSocket to /sync carrying the pinax_session cookie is open and the relay has answered our CBOR join with its peer message.',
  signVerify:
    "In-process, per device: the device signing its session statement (signSessionRequest), and the relay's checks of it (verifyStatement on the statement plus verifyChain on its one-certificate chain), WebCrypto Ed25519.",
  verification:
    'In-process WebCrypto Ed25519: resolveAccess over N owner-signed access entries with a fresh signature cache (chain + entry signature verified per entry), again with the filled cache, and raw verifyStatement calls on the same entries, sequential awaits; rates per second, median of 5 rounds after a warm-up.',
  guardOverhead:
    'One authenticated owner writes M small changes in batches to a collection registered via POST /access/register (guarded) and to an unregistered document (unguarded) on the same relay, ABBA order over several rounds with fresh documents each round; time from the first change until the relay has acknowledged the final heads; ratio = guarded median / unguarded median.',
  repoClient:
    "The app's RelayClientAdapter in an automerge-repo Repo (cookie on the socket); batches of handle.change calls with a macrotask between batches; done when the relay's storage id reports the handle's heads (remote-heads).",
  guardInProcess:
    "The relay's access guard (createAccessGuard over a Repo and an AccessRegistry, in this process) filtering an owner's sync message: filterSync on a registered collection (role resolved from its access document, cached by heads) vs on an unregistered document (passed through), sequential awaits, microseconds per call, median of 5 rounds; estimatedOverheadPercent relates the difference to the relay's CPU time per message in rawSync.",
  rawSync:
    "The sync protocol over an authenticated ws socket with the client's work taken out of the clock: the sync messages a client sends for the batches (all of them, follow-ups included) are made beforehand by syncing in lockstep with a local replica, then streamed to the relay one per macrotask, followed by a probe message (no changes) whose reply carries the relay's heads; done when a reply from the relay carries the final heads.",
};

let libPromise;

/** The app's modules, one bundle, with Automerge's wasm initialised. */
function loadLib() {
  libPromise ??= (async () => {
    const lib = await importTs(ENTRY);
    await lib.initializeBase64Wasm(lib.automergeWasmBase64);
    return lib;
  })();
  return libPromise;
}

/**
 * @param {{ quick?: boolean, log?: (message: string) => void }} [options]
 * @returns {Promise<{ handshake: object, verification: object, guardOverhead: object }>}
 */
export async function measureIdentity({ quick = false, log = () => {} } = {}) {
  const config = {
    handshakes: quick ? 40 : 200,
    handshakeWarmup: quick ? 3 : 10,
    entries: quick ? 200 : 1000,
    verifyRounds: 5,
    changes: quick ? 400 : 2000,
    batchSize: 10,
    guardRounds: quick ? 2 : 6,
    settleMs: 2500,
    guardCalls: quick ? 2000 : 10_000,
  };
  let lib;
  try {
    lib = await loadLib();
  } catch (error) {
    const failed = (method) => ({ method, error: describeError(error) });
    return {
      handshake: failed(METHODS.handshake),
      verification: failed(METHODS.verification),
      guardOverhead: failed(METHODS.guardOverhead),
    };
  }
  const handshake = await attempt(METHODS.handshake, () => measureHandshake(lib, config, log));
  const verification = await attempt(METHODS.verification, () => measureVerification(lib, config, log));
  const guardOverhead = await attempt(METHODS.guardOverhead, () => measureGuardOverhead(lib, config, log));
  return { handshake, verification, guardOverhead };
}

// ---- 1. handshake ----

async function measureHandshake(lib, config, log) {
  const total = config.handshakeWarmup + config.handshakes;
  log(`identity: making ${total} device identities`);
  const devices = [];
  for (let i = 0; i < total; i++) devices.push(await lib.newDevice(`bench device ${i}`));

  const phases = ['challengeMs', 'signMs', 'sessionMs', 'socketOpenMs', 'joinMs', 'totalMs'];
  const samples = Object.fromEntries(phases.map((p) => [p, []]));
  await withRelay({}, async (relay) => {
    log(`identity: ${config.handshakeWarmup} warm-up + ${config.handshakes} handshakes`);
    for (let i = 0; i < total; i++) {
      const session = await handshake(lib, relay, devices[i], `bench-hs-${i}-${randomUUID()}`);
      try {
        if (i < config.handshakeWarmup) continue;
        const m = session.marks;
        samples.challengeMs.push(m.challenged - m.start);
        samples.signMs.push(m.signed - m.challenged);
        samples.sessionMs.push(m.session - m.signed);
        samples.socketOpenMs.push(m.open - m.session);
        samples.joinMs.push(m.peer - m.open);
        samples.totalMs.push(m.peer - m.start);
      } finally {
        await session.socket.close();
      }
    }
  });

  // The cryptography alone, in this process, on the same devices.
  const sv = { signMs: [], verifyMs: [], totalMs: [] };
  const origin = 'http://127.0.0.1:1';
  for (let i = 0; i < total; i++) {
    const device = devices[i];
    const statement = { nonce: randomUUID(), origin, peerId: `bench-sv-${i}`, device: device.device.did };
    const t0 = performance.now();
    const request = await lib.signSessionRequest(device.device.privateKey, statement, device.chain);
    const t1 = performance.now();
    const ok =
      (await lib.verifyStatement(
        statement.device,
        lib.SESSION_PURPOSE,
        request.statement,
        request.signature,
      )) && (await lib.verifyChain(request.chain, statement.device)).ok;
    const t2 = performance.now();
    if (!ok) throw new Error('a session request made by the benchmark did not verify');
    if (i < config.handshakeWarmup) continue;
    sv.signMs.push(t1 - t0);
    sv.verifyMs.push(t2 - t1);
    sv.totalMs.push(t2 - t0);
  }

  const summary = summaries(samples);
  return {
    method: METHODS.handshake,
    handshakes: config.handshakes,
    warmup: config.handshakeWarmup,
    goal: `p95 of totalMs <= ${HANDSHAKE_GOAL_P95_MS} ms`,
    withinGoal: summary.totalMs.p95 !== null && summary.totalMs.p95 <= HANDSHAKE_GOAL_P95_MS,
    summary,
    samples: roundAllOf(samples),
    signVerify: {
      method: METHODS.signVerify,
      summary: summaries(sv),
      samples: roundAllOf(sv),
    },
  };
}

/** POST /auth/challenge, sign, POST /auth/session, then the cookie-carrying socket and its join. */
async function handshake(lib, relay, device, peerId) {
  const origin = new URL(relay.url).origin;
  const marks = { start: performance.now() };
  const cookie = await openSession(lib, relay, device, peerId, marks);
  marks.session = performance.now();
  const socket = openSyncSocket(lib, relay.syncUrl, { cookie, origin });
  try {
    await socket.opened;
    marks.open = performance.now();
    const peer = socket.next((m) => m.type === 'peer', 'the relay to answer the join');
    socket.send({ type: 'join', senderId: peerId, peerMetadata: {}, supportedProtocolVersions: ['1'] });
    const { senderId: relayPeerId } = await peer;
    marks.peer = performance.now();
    return { socket, cookie, relayPeerId, peerId, marks };
  } catch (error) {
    await socket.close();
    throw error;
  }
}

/** The challenge and the signed session request; returns the cookie ("pinax_session=..."). */
async function openSession(lib, relay, device, peerId, marks = {}) {
  const challenged = await fetch(new URL(lib.CHALLENGE_PATH, relay.url), { method: 'POST' });
  if (!challenged.ok) throw new Error(`challenge: ${challenged.status} ${await challenged.text()}`);
  const { nonce } = await challenged.json();
  marks.challenged = performance.now();
  const request = await lib.signSessionRequest(
    device.device.privateKey,
    { nonce, origin: new URL(relay.url).origin, peerId, device: device.device.did },
    device.chain,
  );
  marks.signed = performance.now();
  const answered = await fetch(new URL(lib.SESSION_PATH, relay.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(request),
  });
  const text = await answered.text();
  const match = new RegExp(`${lib.SESSION_COOKIE}=([^;]+)`).exec(answered.headers.get('set-cookie') ?? '');
  if (!answered.ok || !match) throw new Error(`session refused: ${answered.status} ${text}`);
  return `${lib.SESSION_COOKIE}=${match[1]}`;
}

/**
 * A raw ws socket to /sync speaking automerge-repo's CBOR frames: `next(predicate)` waits for a
 * matching message, `onMessage` sees every one, `close()` resolves once the socket is closed.
 */
function openSyncSocket(lib, url, headers) {
  const ws = new WebSocket(url, { headers });
  const listeners = new Set();
  const closed = new Promise((resolve) =>
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  ws.on('error', () => {
    // A 'close' follows every error; that is what the waits below react to.
  });
  ws.on('message', (data) => {
    let message;
    try {
      message = lib.cbor.decode(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    } catch {
      return;
    }
    for (const listener of listeners) listener(message);
  });
  const opened = new Promise((resolve, reject) => {
    ws.once('open', resolve);
    void closed.then(({ code, reason }) =>
      reject(new Error(`socket closed before opening (${code} ${reason})`)),
    );
  });
  opened.catch(() => {}); // awaited by the caller; a late rejection must not go unhandled
  return {
    opened,
    closed,
    send: (message) => ws.send(lib.cbor.encode(message)),
    sendRaw: (bytes) => ws.send(bytes),
    onMessage(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    next(predicate, what) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}`)), STEP_TIMEOUT_MS);
        const off = this.onMessage((message) => {
          if (predicate(message)) done(undefined, message);
        });
        void closed.then(({ code, reason }) =>
          done(new Error(`socket closed (${code} ${reason}) while waiting for ${what}`)),
        );
        let settled = false;
        function done(error, message) {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          off();
          if (error) reject(error);
          else resolve(message);
        }
      });
    },
    async close() {
      if (ws.readyState === WebSocket.CLOSED) return;
      ws.close();
      const timer = setTimeout(() => ws.terminate(), 2000);
      await closed;
      clearTimeout(timer);
    },
  };
}

// ---- 2. verification ----

async function measureVerification(lib, config, log) {
  const n = config.entries;
  log(`identity: signing ${n} access entries`);
  const owner = await lib.newDevice('bench owner');
  const members = [];
  for (let i = 0; i < 16; i++) members.push(await lib.newKey());
  const collection = lib.parseAutomergeUrl(lib.generateAutomergeUrl()).documentId;
  const signed = [];
  for (let i = 0; i < n; i++) {
    // Mostly role grants and changes, now and then the visibility; all by the creator (an owner),
    // so every entry counts and none is skipped before its signatures are checked.
    const change =
      i % 10 === 9
        ? { type: 'visibility', visibility: i % 20 === 19 ? 'link' : 'members' }
        : { type: 'role', member: members[i % members.length].did, role: i % 3 === 0 ? 'viewer' : 'editor' };
    signed.push(
      await lib.signAccessEntry(owner.device.privateKey, owner.device.did, owner.chain, {
        collection,
        change,
        by: owner.user.did,
        at: 1_700_000_000_000 + i,
      }),
    );
  }
  // As the resolver gets them from an access document: parsed JSON.
  const entries = signed.map((entry) => JSON.parse(JSON.stringify(entry)));

  const resolve = async (list, cache) => {
    const t0 = performance.now();
    const access = await lib.resolveAccess(collection, owner.user.did, list, { cache });
    const ms = performance.now() - t0;
    if (access.ignored !== 0) throw new Error(`resolveAccess ignored ${access.ignored} valid entries`);
    return ms;
  };
  const verifyAll = async () => {
    const t0 = performance.now();
    for (const s of entries) {
      if (!(await lib.verifyStatement(s.device, lib.ACCESS_PURPOSE, s.entry, s.signature)))
        throw new Error('verifyStatement refused a valid entry');
    }
    return performance.now() - t0;
  };

  await resolve(entries.slice(0, Math.min(100, n)), new Map()); // warm-up
  await verifyAll();
  log(`identity: ${config.verifyRounds} rounds of resolveAccess over ${n} entries`);
  const freshMs = [];
  const cachedMs = [];
  const verifyMs = [];
  for (let r = 0; r < config.verifyRounds; r++) {
    const cache = new Map();
    freshMs.push(await resolve(entries, cache));
    cachedMs.push(await resolve(entries, cache));
    verifyMs.push(await verifyAll());
  }
  const perSecond = (ms) => (n / ms) * 1000;
  const rates = {
    entriesPerSecond: freshMs.map(perSecond),
    cachedEntriesPerSecond: cachedMs.map(perSecond),
    verifyStatementPerSecond: verifyMs.map(perSecond),
  };
  const summary = summaries(rates, 1);
  return {
    method: METHODS.verification,
    entries: n,
    rounds: config.verifyRounds,
    signaturesPerEntry: 2,
    entriesPerSecond: summary.entriesPerSecond.p50,
    cachedEntriesPerSecond: summary.cachedEntriesPerSecond.p50,
    verifyStatementPerSecond: summary.verifyStatementPerSecond.p50,
    summary: {
      ...summary,
      ...summaries({ freshResolveMs: freshMs, cachedResolveMs: cachedMs, verifyAllMs: verifyMs }),
    },
    samples: {
      ...roundAllOf(rates, 1),
      ...roundAllOf({ freshResolveMs: freshMs, cachedResolveMs: cachedMs, verifyAllMs: verifyMs }),
    },
  };
}

// ---- 3. guard overhead ----

async function measureGuardOverhead(lib, config, log) {
  const result = { method: METHODS.guardOverhead };
  await withRelay({ args: ['--max-messages-per-second', '0'] }, async (relay) => {
    const owner = await lib.newDevice('bench owner');
    result.repoClient = await attempt(METHODS.repoClient, () =>
      guardRepoClient(lib, relay, owner, config, log),
    );
    result.rawSync = await attempt(METHODS.rawSync, () => guardRawSync(lib, relay, owner, config, log));
    result.refusedChanges = await metric(relay, 'pinax_relay_refused_changes_total').catch(() => null);
  });
  result.inProcess = await attempt(METHODS.guardInProcess, () => guardInProcess(lib, config, log));
  const raw = result.rawSync;
  const perMessageUs =
    raw?.relayCpu?.unguardedMedianMs && raw.rounds?.[0]?.messages
      ? (raw.relayCpu.unguardedMedianMs / raw.rounds[0].messages) * 1000
      : null;
  if (perMessageUs !== null && result.inProcess.extraUsPerMessage !== undefined) {
    result.inProcess.relayCpuUsPerMessage = round(perMessageUs, 1);
    result.inProcess.estimatedOverheadPercent = round(
      (result.inProcess.extraUsPerMessage / perMessageUs) * 100,
      2,
    );
  }
  const primary = result.repoClient;
  return {
    method: METHODS.guardOverhead,
    changes: config.changes,
    batchSize: config.batchSize,
    rounds: config.guardRounds,
    goal: `guarded median <= ${1 + GUARD_GOAL_OVERHEAD} x unguarded median`,
    guardedMedianMs: primary.guardedMedianMs ?? null,
    unguardedMedianMs: primary.unguardedMedianMs ?? null,
    ratio: primary.ratio ?? null,
    overheadPercent: primary.overheadPercent ?? null,
    withinGoal: primary.withinGoal ?? null,
    refusedChanges: result.refusedChanges,
    repoClient: result.repoClient,
    rawSync: result.rawSync,
    inProcess: result.inProcess,
  };
}

/**
 * ABBA rounds of `run(variant, changes, clock)` -> { ms, writeMs }, after one small unrecorded
 * warm-up pair. `run` sets its documents up, then calls `clock.start()` just before its first
 * change and `clock.stop()` once the relay acknowledged the last. start() first leaves the relay
 * alone for `settleMs` (it compacts a document 2 s after its last change, src/shared/
 * idle-compaction.ts, which would otherwise land in the next run), then reads the relay process's
 * CPU time (all its threads); stop() reads it again.
 */
async function abRounds(relay, config, log, label, run) {
  const timed = async (variant, changes) => {
    let cpu0 = null;
    let cpu1 = null;
    const clock = {
      start: async () => {
        await sleep(config.settleMs);
        cpu0 = await processCpuMs(relay.process.pid);
      },
      stop: async () => {
        cpu1 = await processCpuMs(relay.process.pid);
      },
    };
    const times = await run(variant, changes, clock);
    return { ...times, relayCpuMs: cpu0 === null || cpu1 === null ? null : cpu1 - cpu0 };
  };
  const warm = Math.max(config.batchSize, Math.floor(config.changes / 4));
  await timed('guarded', warm);
  await timed('unguarded', warm);
  const rounds = [];
  for (let r = 0; r < config.guardRounds; r++) {
    const order = r % 2 === 0 ? ['guarded', 'unguarded'] : ['unguarded', 'guarded'];
    for (const variant of order) {
      const { ms, writeMs, relayCpuMs, ...extra } = await timed(variant, config.changes);
      rounds.push({
        round: r,
        variant,
        ms: round(ms),
        writeMs: round(writeMs),
        relayCpuMs: round(relayCpuMs),
        ...extra,
      });
      log(
        `identity: ${label} round ${r + 1}/${config.guardRounds} ${variant}: ${ms.toFixed(1)} ms` +
          (relayCpuMs === null ? '' : `, relay CPU ${relayCpuMs.toFixed(1)} ms`),
      );
    }
  }
  return summarizeAb(rounds);
}

function summarizeAb(rounds) {
  const of = (variant, key) => rounds.filter((r) => r.variant === variant).map((r) => r[key]);
  const guarded = of('guarded', 'ms');
  const unguarded = of('unguarded', 'ms');
  const pairRatios = [];
  for (let r = 0; r < guarded.length && r < unguarded.length; r++) pairRatios.push(guarded[r] / unguarded[r]);
  const summary = summaries({
    guardedMs: guarded,
    unguardedMs: unguarded,
    guardedRelayCpuMs: of('guarded', 'relayCpuMs'),
    unguardedRelayCpuMs: of('unguarded', 'relayCpuMs'),
  });
  const ratio = summary.guardedMs.p50 / summary.unguardedMs.p50;
  const cpuRatio = summary.guardedRelayCpuMs.p50 / summary.unguardedRelayCpuMs.p50;
  return {
    guardedMedianMs: summary.guardedMs.p50,
    unguardedMedianMs: summary.unguardedMs.p50,
    ratio: round(ratio, 4),
    overheadPercent: round((ratio - 1) * 100, 1),
    withinGoal: ratio <= 1 + GUARD_GOAL_OVERHEAD,
    relayCpu: {
      guardedMedianMs: summary.guardedRelayCpuMs.p50,
      unguardedMedianMs: summary.unguardedRelayCpuMs.p50,
      ratio: Number.isFinite(cpuRatio) ? round(cpuRatio, 4) : null,
      overheadPercent: Number.isFinite(cpuRatio) ? round((cpuRatio - 1) * 100, 1) : null,
    },
    pairRatios: roundAll(pairRatios, 4),
    summary: { ...summary, pairRatio: roundSummary(summarize(pairRatios), 4) },
    rounds,
  };
}

async function guardRepoClient(lib, relay, owner, config, log) {
  const client = await connectRepoClient(lib, relay, owner);
  try {
    const { repo, cookie, relayPeerId } = client;
    const storageId = repo.peerMetadataByPeerId[relayPeerId]?.storageId;
    if (!storageId) throw new Error('the relay announced no storage id');
    let serial = 0;
    const run = async (variant, changes, clock) => {
      // Named by its author, as the app writes collections: the relay refuses an editor's change
      // that names no one.
      const byOwner = lib.authored(owner.user.did);
      const handle = lib.createAuthored(
        repo,
        { creator: new lib.ImmutableString(owner.user.did), notes: [] },
        owner.user.did,
      );
      if (variant === 'guarded') {
        const access = repo.create({
          kind: lib.ACCESS_KIND,
          collection: handle.documentId,
          creator: owner.user.did,
          entries: [],
        });
        await register(relay, cookie, { collectionId: handle.documentId, accessId: access.documentId });
        await relayHasHeads(access, storageId);
      }
      await relayHasHeads(handle, storageId);
      const tag = serial++;
      await clock.start();
      const t0 = performance.now();
      for (let done = 0; done < changes;) {
        const end = Math.min(changes, done + config.batchSize);
        for (; done < end; done++) handle.change((d) => d.notes.push(`note ${tag}.${done}`), byOwner);
        await macrotask();
      }
      const t1 = performance.now();
      await relayHasHeads(handle, storageId);
      const t2 = performance.now();
      await clock.stop();
      return { ms: t2 - t0, writeMs: t1 - t0 };
    };
    log('identity: guard overhead, repo client');
    return { method: METHODS.repoClient, ...(await abRounds(relay, config, log, 'repo client', run)) };
  } finally {
    await client.close();
  }
}

/** The app's adapter with the session cookie on its socket, in a Repo without storage. */
async function connectRepoClient(lib, relay, device) {
  const peerId = `bench-owner-${randomUUID()}`;
  const cookie = await openSession(lib, relay, device, peerId);
  const origin = new URL(relay.url).origin;
  const adapter = new lib.RelayClientAdapter(relay.syncUrl, {
    createSocket: (url) => new WebSocket(url, { headers: { cookie, origin } }),
  });
  const repo = new lib.Repo({
    network: [adapter],
    peerId,
    sharePolicy: () => Promise.resolve(true),
  });
  const close = async () => {
    await repo.shutdown().catch(() => {});
    adapter.disconnect();
  };
  try {
    await waitUntil(() => repo.peers.length > 0, 'the repo client to join the relay');
  } catch (error) {
    await close();
    throw error;
  }
  return { repo, cookie, relayPeerId: repo.peers[0], close };
}

/** Resolves once the relay (by its storage id) has reported the handle's current heads. */
function relayHasHeads(handle, storageId) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const synced = handle.getSyncInfo(storageId)?.lastHeads;
      if (synced && sameHeads(synced, handle.heads())) {
        cleanup();
        resolve();
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error('timed out waiting for the relay to acknowledge the document'));
    }, STEP_TIMEOUT_MS);
    const poll = setInterval(check, 50);
    const cleanup = () => {
      clearTimeout(timer);
      clearInterval(poll);
      handle.off('remote-heads', check);
    };
    handle.on('remote-heads', check);
    check();
  });
}

async function guardRawSync(lib, relay, owner, config, log) {
  const A = lib.Automerge;
  const peerId = `bench-raw-${randomUUID()}`;
  const session = await handshake(lib, relay, owner, peerId);
  const { socket, cookie, relayPeerId } = session;
  const frameOf = (documentId, data) =>
    lib.cbor.encode({ type: 'sync', senderId: peerId, targetId: relayPeerId, documentId, data });
  /** Documents being set up: a real sync loop (receive every reply, answer when there is news). */
  const docs = new Map();
  /** The document being timed: only the heads in the relay's replies are read. */
  let timed;
  let failure;
  const off = socket.onMessage((message) => {
    if (
      message.type === 'doc-unavailable' &&
      (docs.has(message.documentId) || timed?.id === message.documentId)
    )
      failure = new Error('the relay said a document is unavailable');
    if (message.type !== 'sync') return;
    try {
      if (timed?.id === message.documentId) {
        timed.replies.push(performance.now());
        if (sameHeads(A.decodeSyncMessage(message.data).heads, timed.finalHeads)) timed.acked();
        return;
      }
      const doc = docs.get(message.documentId);
      if (!doc) return;
      [doc.doc, doc.state] = A.receiveSyncMessage(doc.doc, doc.state, message.data);
      pump(doc);
      doc.notify();
    } catch (error) {
      failure = error;
    }
  });
  const pump = (doc) => {
    const [state, data] = A.generateSyncMessage(doc.doc, doc.state);
    doc.state = state;
    if (data) socket.sendRaw(frameOf(doc.id, data));
  };
  const track = (value) => {
    const doc = {
      id: lib.parseAutomergeUrl(lib.generateAutomergeUrl()).documentId,
      doc: value,
      state: A.initSyncState(),
      waiters: new Set(),
      notify: () => doc.waiters.forEach((w) => w()),
    };
    docs.set(doc.id, doc);
    return doc;
  };
  const synced = (doc) =>
    waitForCheck(
      doc.waiters,
      () => {
        if (failure) throw failure;
        return Array.isArray(doc.state.theirHeads) && sameHeads(doc.state.theirHeads, A.getHeads(doc.doc));
      },
      'the relay to acknowledge the document',
    );

  try {
    let serial = 0;
    const run = async (variant, changes, clock) => {
      const byOwner = lib.authored(owner.user.did);
      const doc = track(
        A.change(A.init(), byOwner, (d) => {
          d.creator = new lib.ImmutableString(owner.user.did);
          d.notes = [];
        }),
      );
      if (variant === 'guarded') {
        const access = track(
          A.from({ kind: lib.ACCESS_KIND, collection: doc.id, creator: owner.user.did, entries: [] }),
        );
        await register(relay, cookie, { collectionId: doc.id, accessId: access.id });
        pump(access);
        await synced(access);
        docs.delete(access.id);
      }
      pump(doc);
      await synced(doc);
      docs.delete(doc.id);
      const frames = syncFramesFor(A, doc.doc, changes, config.batchSize, `note ${serial++}`, byOwner);
      const waiters = new Set();
      let acked = false;
      timed = {
        id: doc.id,
        finalHeads: frames.finalHeads,
        replies: [],
        acked: () => {
          acked = true;
          waiters.forEach((w) => w());
        },
      };
      const ack = () =>
        waitForCheck(
          waiters,
          () => {
            if (failure) throw failure;
            return acked;
          },
          'the relay to acknowledge the final heads',
        );
      await clock.start();
      const t0 = performance.now();
      for (const data of frames.messages) {
        socket.sendRaw(frameOf(doc.id, data));
        await macrotask();
      }
      socket.sendRaw(frameOf(doc.id, frames.probe));
      const t1 = performance.now();
      await ack();
      const t2 = performance.now();
      await clock.stop();
      const replies = timed.replies.map((t) => round(t - t0, 1));
      timed = undefined;
      return { ms: t2 - t0, writeMs: t1 - t0, messages: frames.messages.length + 1, replyMs: replies };
    };
    log('identity: guard overhead, raw sync client');
    return { method: METHODS.rawSync, ...(await abRounds(relay, config, log, 'raw sync', run)) };
  } finally {
    off();
    await socket.close();
  }
}

/**
 * The sync messages a client sends while it makes `changes` changes in batches of `batchSize`
 * to `doc` (which the relay already has): made before the clock starts by syncing in lockstep with
 * a local replica that stands in for the relay. Then a probe (no changes; "I have the final
 * heads"), whose reply carries the relay's heads once it has applied everything before it.
 */
function syncFramesFor(A, doc, changes, batchSize, prefix, changeOptions) {
  let client = A.clone(doc);
  let replica = A.clone(doc);
  let clientState = A.initSyncState();
  let replicaState = A.initSyncState();
  const exchange = (record) => {
    for (let i = 0; i < 20; i++) {
      let toReplica;
      let toClient;
      [clientState, toReplica] = A.generateSyncMessage(client, clientState);
      if (toReplica) {
        record?.(toReplica);
        [replica, replicaState] = A.receiveSyncMessage(replica, replicaState, toReplica);
      }
      [replicaState, toClient] = A.generateSyncMessage(replica, replicaState);
      if (toClient) [client, clientState] = A.receiveSyncMessage(client, clientState, toClient);
      if (!toReplica && !toClient) return;
    }
  };
  exchange(); // the two start equal; this settles their sync states
  const messages = [];
  for (let done = 0; done < changes;) {
    const end = Math.min(changes, done + batchSize);
    for (; done < end; done++)
      client = A.change(client, changeOptions, (d) => d.notes.push(`${prefix}.${done}`));
    exchange((message) => messages.push(message)); // the batch, and any follow-up a client sends
  }
  const finalHeads = A.getHeads(client);
  if (!sameHeads(A.getHeads(replica), finalHeads)) throw new Error('lockstep sync did not converge');
  const probe = A.encodeSyncMessage({
    heads: finalHeads,
    need: [],
    have: [{ lastSync: finalHeads, bloom: new Uint8Array(0) }],
    changes: [],
  });
  return { messages, probe, finalHeads };
}

/**
 * The guard's own cost per sync message, without a relay or a network around it. The guard is the
 * compiled relay code (build/server), over automerge-repo and Automerge from node_modules: bundled
 * into one file, Automerge's Node entry could not find its wasm. Keys and signatures still come from
 * the bundle (plain objects and WebCrypto keys, no Automerge in them).
 */
async function guardInProcess(lib, config, log) {
  const [{ createAccessGuard }, { AccessRegistry }, { Repo, ImmutableString }, A] = await Promise.all([
    import(new URL('../../build/server/server/access-guard.js', import.meta.url).href),
    import(new URL('../../build/server/server/access-registry.js', import.meta.url).href),
    import('@automerge/automerge-repo'),
    import('@automerge/automerge'),
  ]);
  const silent = { debug() {}, info() {}, warn() {}, error() {} };
  const dir = await mkdtemp(join(tmpdir(), 'pinax-bench-registry-'));
  const repo = new Repo({ network: [], sharePolicy: () => Promise.resolve(false) });
  try {
    const owner = await lib.newDevice('bench owner');
    const member = await lib.newKey();
    const collection = repo.create({ creator: new ImmutableString(owner.user.did), notes: [] });
    const entries = [];
    for (const [i, change] of [
      { type: 'role', member: member.did, role: 'editor' },
      { type: 'visibility', visibility: 'members' },
    ].entries()) {
      const signed = await lib.signAccessEntry(owner.device.privateKey, owner.device.did, owner.chain, {
        collection: collection.documentId,
        change,
        by: owner.user.did,
        at: 1_700_000_000_000 + i,
      });
      entries.push(new ImmutableString(JSON.stringify(signed)));
    }
    const access = repo.create({
      kind: lib.ACCESS_KIND,
      collection: collection.documentId,
      creator: owner.user.did,
      entries,
    });
    const plain = repo.create({ creator: new ImmutableString(owner.user.did), notes: [] });
    const registry = await AccessRegistry.open(dir, silent);
    await registry.registerCollection(collection.documentId, {
      accessId: access.documentId,
      creator: owner.user.did,
    });
    const guard = createAccessGuard(repo, registry, silent);
    const identity = { kind: 'device', user: owner.user.did, device: owner.device.did, peerId: 'bench' };
    collection.change((d) => d.notes.push('a note'), lib.authored(owner.user.did));
    const [, data] = A.generateSyncMessage(collection.doc(), A.initSyncState());
    const calls = config.guardCalls;
    const time = async (documentId) => {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) {
        if ((await guard.filterSync(identity, documentId, data)) !== data)
          throw new Error("the guard changed an owner's sync message");
      }
      return ((performance.now() - t0) / calls) * 1000;
    };
    await time(collection.documentId); // warm-up, and the first resolve of the access document
    await time(plain.documentId);
    // The access document was resolved: it made the collection members-only.
    if (await guard.mayRead(undefined, collection.documentId))
      throw new Error('the guard did not apply the access document');
    log(`identity: guard in-process, ${config.verifyRounds} rounds of ${calls} filterSync calls each way`);
    const guardedUs = [];
    const unguardedUs = [];
    for (let r = 0; r < config.verifyRounds; r++) {
      guardedUs.push(await time(collection.documentId));
      unguardedUs.push(await time(plain.documentId));
    }
    const summary = summaries({ guardedUs, unguardedUs });
    return {
      method: METHODS.guardInProcess,
      calls,
      guardedUsPerMessage: summary.guardedUs.p50,
      unguardedUsPerMessage: summary.unguardedUs.p50,
      extraUsPerMessage: round(summary.guardedUs.p50 - summary.unguardedUs.p50),
      summary,
      samples: roundAllOf({ guardedUs, unguardedUs }),
    };
  } finally {
    await repo.shutdown().catch(() => {});
    await rm(dir, { recursive: true, force: true });
  }
}

async function register(relay, cookie, body) {
  const res = await fetch(new URL(REGISTER_PATH, relay.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', cookie },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`register: ${res.status} ${text}`);
}

async function metric(relay, name) {
  const text = await (await fetch(new URL('/metrics', relay.url))).text();
  const match = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
  return match ? Number(match[1]) : null;
}

// ---- helpers ----

/** A relay child process for `fn`, stopped and its temp dirs removed afterwards, whatever happens. */
async function withRelay(options, fn) {
  let spawnRelay;
  try {
    ({ spawnRelay } = await import(SPAWN_RELAY.href));
  } catch (error) {
    throw new Error(`cannot load ${fileURLToPath(SPAWN_RELAY)}; run npm run build:server first`, {
      cause: error,
    });
  }
  const staticDir = await mkdtemp(join(tmpdir(), 'pinax-bench-static-'));
  let relay;
  try {
    relay = await spawnRelay({ staticDir, ...options });
    return await fn(relay);
  } finally {
    if (relay) await relay.stop();
    if (relay) await rm(relay.dataDir, { recursive: true, force: true });
    await rm(staticDir, { recursive: true, force: true });
  }
}

async function attempt(method, fn) {
  try {
    return await fn();
  } catch (error) {
    return { method, error: describeError(error) };
  }
}

function describeError(error) {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (cause: ${error.cause.message})` : '';
  return `${error.message}${cause}`;
}

function summaries(samples, digits = 3) {
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, roundSummary(summarize(v), digits)]));
}

function roundAllOf(samples, digits = 3) {
  return Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, roundAll(v, digits)]));
}

function sameHeads(a, b) {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

/**
 * Resolves once `check()` is true, re-checked whenever a waiter in `waiters` is called; rejects when
 * it throws or after STEP_TIMEOUT_MS.
 */
function waitForCheck(waiters, check, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}`)), STEP_TIMEOUT_MS);
    const done = (error) => {
      clearTimeout(timer);
      waiters.delete(test);
      if (error) reject(error);
      else resolve();
    };
    const test = () => {
      try {
        if (check()) done();
      } catch (error) {
        done(error);
      }
    };
    waiters.add(test);
    test();
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function macrotask() {
  return new Promise((resolve) => setImmediate(resolve));
}

async function waitUntil(check, what, timeoutMs = STEP_TIMEOUT_MS) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
