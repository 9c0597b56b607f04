// A CPU profile of the SharedWorker engine, taken over CDP while some workload runs, summarised by
// where the time went. Playwright has no SharedWorker API, so this attaches to the worker target in
// CDP's non-flattened mode (Target.attachToTarget + Target.sendMessageToTarget) through a page's CDP
// session, and detaches before the page closes (a session left attached keeps the worker alive).
// Profiling slows the engine down: never time anything while it runs.
//
// Frames in the built engine chunk are mapped back through its source map (dist/assets/*.js.map,
// with @jridgewell/trace-mapping when it is installed, as it is through Vite) so the summary names
// packages and app files instead of minified names.

import fs from 'node:fs';
import path from 'node:path';

const IDB_NATIVES = new Set([
  'transaction',
  'put',
  'add',
  'get',
  'getAll',
  'getAllKeys',
  'delete',
  'commit',
  'openCursor',
  'count',
  'objectStore',
  'index',
]);

/** Maps minified frames of the built engine back to sources; identity when no map is available. */
async function makeSourceMapper(distDir) {
  let traceMapping = null;
  try {
    traceMapping = await import('@jridgewell/trace-mapping');
  } catch {
    return () => null;
  }
  const maps = new Map();
  const mapFor = (url) => {
    const file = /\/assets\/([^/?#]+\.js)/.exec(url)?.[1];
    if (!file || !distDir) return null;
    if (!maps.has(file)) {
      const mapPath = path.join(distDir, 'assets', `${file}.map`);
      maps.set(
        file,
        fs.existsSync(mapPath) ? new traceMapping.TraceMap(fs.readFileSync(mapPath, 'utf8')) : null,
      );
    }
    return maps.get(file);
  };
  return (frame) => {
    const map = mapFor(frame.url);
    // Frames without a position (lineNumber -1: the script's top level, natives) map to nothing.
    if (!map || frame.lineNumber < 0) return null;
    const pos = traceMapping.originalPositionFor(map, {
      line: frame.lineNumber + 1,
      column: frame.columnNumber,
    });
    if (!pos.source) return null;
    // Keep the meaningful tail: "src/ui/...", "node_modules/<pkg>/...".
    const raw = pos.source;
    const nm = raw.lastIndexOf('node_modules/');
    const src = raw.startsWith('src/') ? 0 : raw.indexOf('/src/') + 1;
    const source = nm !== -1 ? raw.slice(nm) : src > 0 ? raw.slice(src) : raw.replace(/^(\.\.\/)+/, '');
    return { source, line: pos.line, name: pos.name };
  };
}

/** "dexie", "@automerge/automerge-repo", or "app src/worker" for a mapped source path. */
function packageOf(source) {
  const nm = source.lastIndexOf('node_modules/');
  if (nm !== -1) {
    const parts = source.slice(nm + 'node_modules/'.length).split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return `app ${source.split('/').slice(0, 2).join('/')}`;
}

function category(frame, mapped) {
  const { functionName, url } = frame;
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collector';
  if (functionName === '(program)') return 'program (native, unattributed)';
  if (url.endsWith('.wasm')) return 'Automerge wasm';
  if (url === '' && IDB_NATIVES.has(functionName)) return 'IndexedDB calls';
  if (url === '' && functionName === 'postMessage') return 'postMessage';
  if (url === '') return 'other native';
  if (mapped) return `JS ${packageOf(mapped.source)}`;
  return 'JS (unmapped)';
}

/**
 * A CDP session on the engine's SharedWorker (non-flattened attach): `send(method, params)` speaks to
 * the worker itself, e.g. Runtime.evaluate or Profiler.*.
 */
export async function attachEngineSession(context, page) {
  const cdp = await context.newCDPSession(page);
  // The worker may still be starting (a page that is just loading): wait for it briefly.
  let target;
  for (let waited = 0; !target; waited += 10) {
    const { targetInfos } = await cdp.send('Target.getTargets');
    target = targetInfos.find((t) => t.type === 'shared_worker' && t.title === 'pinax-engine');
    if (!target && waited > 10_000) throw new Error('no pinax-engine SharedWorker target');
    if (!target) await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const { sessionId } = await cdp.send('Target.attachToTarget', {
    targetId: target.targetId,
    flatten: false,
  });
  let nextId = 1;
  const pending = new Map();
  cdp.on('Target.receivedMessageFromTarget', (event) => {
    if (event.sessionId !== sessionId) return;
    const message = JSON.parse(event.message);
    const settle = message.id !== undefined ? pending.get(message.id) : undefined;
    if (!settle) return;
    pending.delete(message.id);
    settle(message);
  });
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, (message) =>
        message.error ? reject(new Error(message.error.message)) : resolve(message.result),
      );
      cdp
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method, params }) })
        .catch(reject);
    });
  return {
    send,
    /** Evaluates an expression in the engine and returns its (JSON-able) value. */
    async evaluate(expression) {
      const { result, exceptionDetails } = await send('Runtime.evaluate', {
        expression,
        returnByValue: true,
      });
      if (exceptionDetails) throw new Error(`engine evaluate failed: ${exceptionDetails.text}`);
      return result.value;
    },
    async detach() {
      await cdp.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
      await cdp.detach().catch(() => undefined);
    },
  };
}

export async function attachEngineProfiler(context, page, { samplingIntervalUs = 200, distDir = null } = {}) {
  const mapFrame = await makeSourceMapper(distDir);
  const { send, detach } = await attachEngineSession(context, page);
  await send('Profiler.enable');
  await send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });

  return {
    start: () => send('Profiler.start'),
    /** Stops and summarises; `units` (e.g. edits) divides the busy time. */
    async stop(units = 1) {
      const { profile } = await send('Profiler.stop');
      keepRawProfile('engine', profile);
      return summarizeProfile(profile, units, mapFrame);
    },
    async detach() {
      await send('Profiler.disable').catch(() => undefined);
      await detach();
    },
  };
}

/** The same, for a page's main thread (a normal CDP page session). */
export async function attachPageProfiler(context, page, { samplingIntervalUs = 200, distDir = null } = {}) {
  const mapFrame = await makeSourceMapper(distDir);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: samplingIntervalUs });
  return {
    start: () => cdp.send('Profiler.start'),
    async stop(units = 1) {
      const { profile } = await cdp.send('Profiler.stop');
      keepRawProfile('tab', profile);
      return summarizeProfile(profile, units, mapFrame);
    },
    async detach() {
      await cdp.send('Profiler.disable').catch(() => undefined);
      await cdp.detach().catch(() => undefined);
    },
  };
}

/**
 * With PINAX_BENCH_PROFILE_DIR set, keeps each raw profile there as a .cpuprofile (DevTools'
 * Performance panel opens it), for questions the summary cannot answer, such as inclusive time.
 */
function keepRawProfile(kind, profile) {
  const dir = process.env.PINAX_BENCH_PROFILE_DIR;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${kind}-${Date.now()}.cpuprofile`), JSON.stringify(profile));
}

function summarizeProfile(profile, units, mapFrame) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parents = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const mappedCache = new Map();
  const mapped = (node) => {
    if (!mappedCache.has(node.id))
      mappedCache.set(node.id, node.callFrame.url ? mapFrame(node.callFrame) : null);
    return mappedCache.get(node.id);
  };
  const label = (node) => {
    const frame = node.callFrame;
    const m = mapped(node);
    if (m) return `${m.name ?? frame.functionName ?? '(anonymous)'} ${m.source}:${m.line}`;
    const file = frame.url ? frame.url.split('/').pop() : '(native)';
    return `${frame.functionName || '(anonymous)'} ${file}`;
  };
  /** The nearest JS caller of a native frame, mapped. */
  /** The nearest JS caller of a native or wasm frame, and the first caller outside Automerge's glue. */
  const jsCaller = (node) => {
    let nearest = null;
    let id = parents.get(node.id);
    while (id !== undefined) {
      const parent = nodes.get(id);
      if (parent.callFrame.url && !parent.callFrame.url.endsWith('.wasm')) {
        nearest ??= label(parent);
        const source = mapped(parent)?.source ?? '';
        if (!source.includes('node_modules/@automerge/automerge/'))
          return nearest === label(parent) ? nearest : `${nearest} <- ${label(parent)}`;
      }
      id = parents.get(id);
    }
    return nearest ?? '(no JS caller)';
  };

  const selfUs = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byCategory = {};
  const byFunction = new Map();
  const nativeCallers = new Map();
  let totalUs = 0;
  for (const [id, us] of selfUs) {
    const node = nodes.get(id);
    const cat = category(node.callFrame, mapped(node));
    byCategory[cat] = (byCategory[cat] ?? 0) + us;
    totalUs += us;
    if (cat === 'idle') continue;
    const key = label(node);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    if (
      ['postMessage', 'IndexedDB calls', 'other native', 'Automerge wasm', 'garbage collector'].includes(cat)
    ) {
      const what = cat === 'Automerge wasm' ? 'Automerge wasm' : node.callFrame.functionName;
      const callerKey = `${what} <- ${jsCaller(node)}`;
      nativeCallers.set(callerKey, (nativeCallers.get(callerKey) ?? 0) + us);
    }
  }
  const busyUs = totalUs - (byCategory.idle ?? 0);
  const ms = (us) => us / 1000;
  const top = (map, n) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, us]) => ({ name, ms: ms(us) }));
  return {
    method:
      'V8 sampling profile over CDP; self time per category (JS mapped to packages through the source map) and per function',
    wallMs: ms(totalUs),
    busyMs: ms(busyUs),
    busyMsPerUnit: ms(busyUs) / units,
    units,
    categoriesMs: Object.fromEntries(
      Object.entries(byCategory)
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, ms(v)]),
    ),
    categoriesMsPerUnit: Object.fromEntries(
      Object.entries(byCategory)
        .filter(([k]) => k !== 'idle')
        .sort((a, b) => b[1] - a[1])
        .map(([k, v]) => [k, ms(v) / units]),
    ),
    topFunctionsMs: top(byFunction, 30),
    nativeCallsByCallerMs: top(nativeCallers, 25),
  };
}
