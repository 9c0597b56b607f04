// Strings leave Automerge's wasm through patched glue (patches/README.md): short ASCII ones are built
// without TextDecoder, everything else still goes through it. Both glues run here: the Node one (the
// relay's, loaded by the default entry) first, then the web one (the engine's bundle; the slim entry
// loads it in Node too), which replaces it once initialised.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as Automerge from '@automerge/automerge';
import { initializeWasm } from '@automerge/automerge/slim';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('strings read back from Automerge (patched glue)', () => {
  it('uses the patched glues', () => {
    const dist = path.dirname(require.resolve('@automerge/automerge/automerge.wasm'));
    for (const glue of ['web/automerge_wasm.js', 'nodejs/automerge_wasm.cjs'])
      expect(readFileSync(path.join(dist, 'mjs/wasm_bindgen_output', glue), 'utf8')).toContain(
        'decodeShortAscii',
      );
  });

  it('gives back every key and value as written, through the Node glue', () => {
    expectRoundTrip();
  });

  it('gives back every key and value as written, through the web glue', async () => {
    await initializeWasm(
      new Uint8Array(readFileSync(require.resolve('@automerge/automerge/automerge.wasm'))),
    );
    expectRoundTrip();
  });
});

/** Keys and values at and around the short-string limit, ASCII or not, read back as written. */
function expectRoundTrip(): void {
  const strings = [
    '',
    'a',
    'title',
    'x'.repeat(31),
    'y'.repeat(32),
    'z'.repeat(33),
    'tab\there, newline\nthere, \u0000 and \u007f',
    'é',
    'café',
    'naïve résumé',
    '日本語のタイトル',
    'emoji 🙂 inside',
    `${'a'.repeat(30)}é`,
    `é${'b'.repeat(40)}`,
    'lorem ipsum '.repeat(100),
  ];
  const written: Record<string, { plain: string; immutable: Automerge.ImmutableString; list: string[] }> = {};
  for (const [i, text] of strings.entries())
    written[text || `empty-${i}`] = {
      plain: text,
      immutable: new Automerge.ImmutableString(text),
      list: [text],
    };

  const doc = Automerge.from(written);
  const reloaded = Automerge.load<typeof written>(Automerge.save(doc));
  for (const view of [doc, reloaded]) {
    expect(Object.keys(view).sort()).toEqual(Object.keys(written).sort());
    for (const [key, value] of Object.entries(written)) {
      expect(view[key]?.plain.toString()).toBe(value.plain);
      expect(view[key]?.immutable.val).toBe(value.immutable.val);
      expect(view[key]?.list).toEqual(value.list);
    }
  }
}
