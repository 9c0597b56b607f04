// Dedicated-worker entry, used when the browser has no SharedWorker. Each tab runs its own engine;
// engines bridge over BroadcastChannel. The tab hands over a MessagePort so the RPC is identical.

import type { Engine } from './engine.ts';
import { profileIsNew } from './new-profile.ts';
import { compileAutomergeWasm } from './wasm-module.ts';

// Asked before the engine's code has loaded, let alone opened (and so created) the database.
const profileWasNew = profileIsNew();
// Compiled while the engine's code downloads (wasm-module.ts).
const wasm = compileAutomergeWasm();

const waiting: MessagePort[] = [];
let engine: Engine | undefined;

self.addEventListener('message', (event: MessageEvent) => {
  const port = event.ports[0];
  if (!port) return;
  if (engine) engine.attachPort(port);
  else waiting.push(port);
});

void import('./engine.ts').then(({ startEngine }) => {
  engine = startEngine('dedicated-worker', { profileWasNew, wasm });
  for (const port of waiting.splice(0)) engine.attachPort(port);
});
