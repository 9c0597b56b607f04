// Measure 5: the tab's initial JavaScript, gzipped (zlib level 9), without the engine.
//
// "Initial" = the module scripts and modulepreloads named in dist/index.html plus every chunk they
// import statically (followed transitively). Chunks reachable only through import() are reported
// as lazy. Worker entries (found as `new URL("…js", import.meta.url)` in tab chunks) and everything
// they reach, plus *.wasm, form the engine, reported separately for context.

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const STATIC_IMPORT = /(?:^|[\s;})])(?:import|export)\s*(?:[\w$*{}\s,]*?\s*from\s*)?["']([^"']+\.m?js)["']/g;
const DYNAMIC_IMPORT = /\bimport\s*\(\s*["'`]([^"'`]+\.m?js)["'`]\s*\)/g;
const WORKER_URL = /new\s+URL\s*\(\s*["'`]([^"'`]+\.m?js)["'`]/g;

function gzipSize(buffer) {
  return zlib.gzipSync(buffer, { level: 9 }).length;
}

/** Resolves a specifier found in `fromFile` (a path relative to distDir) to a dist-relative path. */
function resolveSpecifier(spec, fromFile) {
  if (/^[a-z]+:/i.test(spec)) return null; // absolute URL: not part of the build
  const rel = spec.startsWith('/') ? spec.slice(1) : path.posix.join(path.posix.dirname(fromFile), spec);
  return path.posix.normalize(rel);
}

function scan(distDir, file) {
  const source = fs.readFileSync(path.join(distDir, file), 'utf8');
  const collect = (regex) => {
    const out = new Set();
    for (const match of source.matchAll(regex)) {
      const resolved = resolveSpecifier(match[1], file);
      if (resolved && fs.existsSync(path.join(distDir, resolved))) out.add(resolved);
    }
    return [...out];
  };
  return { statics: collect(STATIC_IMPORT), dynamics: collect(DYNAMIC_IMPORT), workers: collect(WORKER_URL) };
}

function describe(distDir, file) {
  const buffer = fs.readFileSync(path.join(distDir, file));
  return { file, bytes: buffer.length, gzipBytes: gzipSize(buffer) };
}

function total(list, key) {
  return list.reduce((sum, entry) => sum + entry[key], 0);
}

export function measureBundle(distDir) {
  const html = fs.readFileSync(path.join(distDir, 'index.html'), 'utf8');
  const entries = new Set();
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
    if (!/type=["']?module/.test(tag)) continue;
    const src = /src=["']?([^"'\s>]+)/.exec(tag)?.[1];
    if (src) entries.add(resolveSpecifier(src, 'index.html'));
  }
  for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
    if (!/rel=["']?modulepreload/.test(tag)) continue;
    const href = /href=["']?([^"'\s>]+)/.exec(tag)?.[1];
    if (href) entries.add(resolveSpecifier(href, 'index.html'));
  }
  const stylesheets = [];
  for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
    if (!/rel=["']?stylesheet/.test(tag)) continue;
    const href = /href=["']?([^"'\s>]+)/.exec(tag)?.[1];
    if (href) stylesheets.push(resolveSpecifier(href, 'index.html'));
  }

  // The tab's static graph.
  const initial = new Set();
  const lazy = new Set();
  const workerEntries = new Set();
  const queue = [...entries];
  while (queue.length) {
    const file = queue.shift();
    if (initial.has(file)) continue;
    initial.add(file);
    const { statics, dynamics, workers } = scan(distDir, file);
    queue.push(...statics);
    for (const d of dynamics) lazy.add(d);
    for (const w of workers) workerEntries.add(w);
  }

  // The engine: everything the worker entries reach, statically or dynamically.
  const engine = new Set();
  const engineQueue = [...workerEntries];
  while (engineQueue.length) {
    const file = engineQueue.shift();
    if (engine.has(file)) continue;
    engine.add(file);
    const { statics, dynamics } = scan(distDir, file);
    engineQueue.push(...statics, ...dynamics);
  }
  for (const file of initial) lazy.delete(file);
  for (const file of engine) lazy.delete(file);

  const assets = fs.readdirSync(path.join(distDir, 'assets')).map((f) => `assets/${f}`);
  const wasm = assets.filter((f) => f.endsWith('.wasm'));
  const initialFiles = [...initial].map((f) => describe(distDir, f));
  const engineFiles = [...engine].map((f) => describe(distDir, f));
  const wasmFiles = wasm.map((f) => describe(distDir, f));
  const cssFiles = stylesheets.map((f) => describe(distDir, f));
  const lazyFiles = [...lazy].map((f) => describe(distDir, f));

  return {
    method:
      'gzip level 9 (zlib.gzipSync) per file; initial = module scripts + modulepreloads in index.html and their static imports, transitively; engine = worker entries (new URL(...) in tab chunks) and all they import; wasm separately',
    tabInitialJs: {
      files: initialFiles,
      bytes: total(initialFiles, 'bytes'),
      gzipBytes: total(initialFiles, 'gzipBytes'),
    },
    tabCss: { files: cssFiles, bytes: total(cssFiles, 'bytes'), gzipBytes: total(cssFiles, 'gzipBytes') },
    tabLazyJs: {
      files: lazyFiles,
      bytes: total(lazyFiles, 'bytes'),
      gzipBytes: total(lazyFiles, 'gzipBytes'),
    },
    engineJs: {
      files: engineFiles,
      bytes: total(engineFiles, 'bytes'),
      gzipBytes: total(engineFiles, 'gzipBytes'),
    },
    wasm: { files: wasmFiles, bytes: total(wasmFiles, 'bytes'), gzipBytes: total(wasmFiles, 'gzipBytes') },
    indexHtml: describe(distDir, 'index.html'),
  };
}
