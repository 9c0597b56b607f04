// The relay reads changes from the network with the column reader (src/shared/sync/change-key-ops.ts)
// before Automerge applies them: on changes with bytes flipped, it must give exactly the operations
// on a key that Automerge.decodeChange gives, or nothing.

import { Worker } from 'node:worker_threads';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ChangeOperation } from '../shared/access/authorship.ts';
import { changeHeaderOf } from '../shared/sync/change-header.ts';
import { operationsOnKey } from '../shared/sync/change-key-ops.ts';
import { changeMaking, edit, withBytesChanged } from '../shared/sync/change-test-support.ts';

describe('operationsOnKey on damaged changes', () => {
  it('agrees with Automerge or reads nothing when bytes of the columns are changed', async () => {
    let readAndDecoded = 0;
    // Automerge decodes in a worker thread it can be stopped in: on some damaged counts its decoder
    // ran past the 20 s test timeout (one run in a few thousand), and a wasm call cannot be
    // interrupted on the thread that made it. This reader is bounded (MAX_OPERATIONS).
    const decoder = new DecoderThread();
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.array(edit, { minLength: 1, maxLength: 12 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
          async (edits, flips) => {
            const change = changeMaking(edits);
            const header = changeHeaderOf(change)!;
            const damaged = await withBytesChanged(change, header.end, flips);
            const mine = operationsOnKey(damaged, header, 'author');
            // Only what this reader read is compared; Automerge is not asked about the rest.
            if (mine === undefined) return;
            // Undefined: a change Automerge refuses (never applied either), or one it could not
            // decode within the time limit (no answer to compare with).
            const theirs = await decoder.operationsOn(damaged, 'author', DECODE_LIMIT_MS);
            if (theirs !== undefined) {
              readAndDecoded++;
              expect(mine).toEqual(theirs);
            }
          },
        ),
        { numRuns: 400 },
      );
    } finally {
      await decoder.close();
    }
    // Not vacuous: many damaged changes stay valid (a flipped value byte, say) and were compared.
    expect(readAndDecoded).toBeGreaterThan(20);
  });

  it('gives no value for an action that has none, as Automerge does (a case CI found)', async () => {
    // A zeroed action byte turns the "set" of a string into a "makeMap" whose value bytes remain.
    const change = changeMaking([
      { item: 1, key: 'author', value: -2.392840991159909e-78, as: 'immutable' },
      { item: 0, key: 'tags', value: false, as: 'immutable' },
    ]);
    const header = changeHeaderOf(change)!;
    const damaged = await withBytesChanged(change, header.end, [[1378007174, 0]]);
    const decoder = new DecoderThread();
    try {
      const theirs = await decoder.operationsOn(damaged, 'author', DECODE_LIMIT_MS);
      expect(theirs).toEqual([{ action: 'makeMap', key: 'author' }]);
      expect(operationsOnKey(damaged, header, 'author')).toEqual(theirs);
    } finally {
      await decoder.close();
    }
  });
});

const DECODE_LIMIT_MS = 2_000;

/** decodedOperationsOn, in a worker thread that is stopped (and replaced) when it takes too long. */
class DecoderThread {
  #worker = DecoderThread.#start();

  async operationsOn(
    change: Uint8Array,
    key: string,
    limitMs: number,
  ): Promise<ChangeOperation[] | undefined> {
    const worker = this.#worker;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.off('message', onMessage);
        void worker.terminate();
        this.#worker = DecoderThread.#start();
        resolve(undefined);
      }, limitMs);
      const onMessage = (ops: ChangeOperation[] | null) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        resolve(ops ?? undefined);
      };
      worker.on('message', onMessage);
      worker.postMessage({ change, key });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  static #start(): Worker {
    // The same filtering as decodedOperationsOn, in CommonJS (an eval worker is a script).
    const source = `
      const { parentPort, workerData } = require('node:worker_threads');
      const Automerge = require('node:module').createRequire(workerData.from)('@automerge/automerge');
      parentPort.on('message', ({ change, key }) => {
        let ops = null;
        try {
          ops = Automerge.decodeChange(change).ops
            .filter((op) => 'key' in op && op.key === key)
            .map((op) => typeof op.value === 'string'
              ? { action: op.action, key, value: op.value }
              : { action: op.action, key });
        } catch {}
        parentPort.postMessage(ops);
      });`;
    return new Worker(source, { eval: true, workerData: { from: import.meta.url } });
  }
}
