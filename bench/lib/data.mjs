// Deterministic benchmark items: a 6-word title, a ~1 KB body and 3 tags, from a seeded PRNG, so
// every run (and the Node micro-benchmark) works on the same data.

const WORDS = (
  'alpha amber anchor apple arch atlas autumn badge basin beacon birch blossom bramble breeze brook ' +
  'canyon cedar chalk cinder clover cobalt comet copper coral crane crest dawn delta dune ember fable ' +
  'falcon fern fjord flint forge garnet glacier granite harbor hazel heron hollow indigo iris ivory ' +
  'jasper juniper kelp kestrel lagoon lantern larch ledger lilac linen lotus maple marble meadow mesa ' +
  'meteor mist moss nectar nimbus oak onyx orchard osprey pebble pepper pine plume prairie quartz quill ' +
  'raven reed ridge river saffron sage sequoia shale sierra slate sparrow spruce summit tallow thistle ' +
  'thunder timber topaz tundra umber valley velvet vesper willow winter wren yarrow zephyr zinc'
).split(' ');

const TAGS = Array.from({ length: 40 }, (_, i) => `tag-${WORDS[i]}`);

/** mulberry32: a tiny, fast, well-distributed 32-bit PRNG. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function words(rand, count) {
  const out = [];
  for (let i = 0; i < count; i++) out.push(WORDS[Math.floor(rand() * WORDS.length)]);
  return out;
}

/** The i-th benchmark item: { title, body, tags }. Body is 1,000-1,100 UTF-8 bytes of words. */
export function makeItem(i, seed = 1) {
  const rand = prng(seed * 1_000_003 + i);
  const title = words(rand, 6).join(' ');
  let body = `Item ${i}.`;
  while (body.length < 1000) body += ` ${words(rand, 1)[0]}`;
  const tags = new Set();
  while (tags.size < 3) tags.add(TAGS[Math.floor(rand() * TAGS.length)]);
  return { title, body, tags: [...tags] };
}

/** A plain array of items (transferable to a page with page.evaluate). */
export function makeItems(count, seed = 1, offset = 0) {
  return Array.from({ length: count }, (_, k) => makeItem(offset + k, seed));
}
