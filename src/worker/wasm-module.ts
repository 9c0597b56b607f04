// Automerge's wasm, fetched and compiled from the moment a worker starts. The engine's own chunk
// (~0.6 MB of JavaScript) downloads and compiles first, and only then asked for the wasm: on a
// fresh device both were on the critical path one after the other, and the engine waited for the
// wasm before it could load the collection it had just downloaded. Streaming compilation runs off
// the worker's thread, so the two now overlap.

import wasmUrl from '@automerge/automerge/automerge.wasm?url';

/**
 * What to initialize Automerge with: the compiled module, or its URL when compiling here failed
 * (no streaming compilation, a wrong MIME type, offline without the service worker's copy), so
 * that Automerge's own loader tries again and reports its error.
 */
export type AutomergeWasm = WebAssembly.Module | string;

/** Imported by the worker entries only; the engine is handed the promise. */
export function compileAutomergeWasm(): Promise<AutomergeWasm> {
  if (typeof WebAssembly.compileStreaming !== 'function') return Promise.resolve(wasmUrl);
  // No logger here: this module stays out of the engine's chunk (importing the shared logger would
  // make each worker entry carry its own copy of the engine), and Automerge's loader reports the
  // failure itself when it retries.
  return WebAssembly.compileStreaming(fetch(wasmUrl)).catch(() => wasmUrl);
}
