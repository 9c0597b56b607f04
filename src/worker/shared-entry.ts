// SharedWorker entry. It must stay tiny and register `onconnect` synchronously: a worker whose
// module graph has top-level await loses the first connect event. The engine loads lazily and
// ports that connect meanwhile wait in a queue (their messages queue inside the port).

import type { Engine } from './engine.ts';
import { profileIsNew } from './new-profile.ts';
import { compileAutomergeWasm } from './wasm-module.ts';

// Asked before the engine's code has loaded, let alone opened (and so created) the database.
const profileWasNew = profileIsNew();
// Compiled while the engine's code downloads (wasm-module.ts).
const wasm = compileAutomergeWasm();

const scope = self as unknown as SharedWorkerGlobalScope;
const waiting: MessagePort[] = [];
let engine: Engine | undefined;

scope.onconnect = (event: MessageEvent) => {
  for (const port of event.ports) {
    if (engine) engine.attachPort(port);
    else waiting.push(port);
  }
};

void import('./engine.ts').then(({ startEngine }) => {
  engine = startEngine('shared-worker', { restart: () => scope.close(), profileWasNew, wasm });
  for (const port of waiting.splice(0)) engine.attachPort(port);
});
