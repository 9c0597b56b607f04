import fc from 'fast-check';
import { unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { parseTags } from '../../shared/limits.ts';
import {
  MAX_EXPORT_NAME_CHARS,
  ZipImportError,
  exportJson,
  exportMarkdownZip,
  unzipMarkdown,
} from './export-format.ts';
import { MAX_IMPORT_FILE_BYTES, parseImportFiles, type ImportRecord } from './import-parse.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const viaJson = (items: readonly ImportRecord[]) =>
  parseImportFiles([{ name: 'export.json', bytes: encoder.encode(exportJson(items)) }]);
const viaZip = (items: readonly ImportRecord[], name = 'Collection') =>
  parseImportFiles(unzipMarkdown(exportMarkdownZip(name, items)));

// Characters chosen to break naive YAML, Markdown and file-name handling, mixed with any code point
// that is not a control character.
const TRICKY = [
  '#',
  '# ',
  '---',
  '...',
  '- ',
  ': ',
  '"',
  "'",
  '\\',
  '`',
  '```',
  '!',
  '&',
  '*',
  '|',
  '>',
  '%',
];
const WORDS = [
  'null',
  'true',
  '~',
  '1e3',
  'yes',
  '[a]',
  '{b}',
  '\t',
  ' ',
  '  ',
  '\u00a0',
  '\u2028',
  '\ufeff',
];
const anyChar = fc
  .string({ unit: 'binary', minLength: 1, maxLength: 1 })
  .filter(
    (ch) =>
      (ch.codePointAt(0) ?? 0) >= 0x20 &&
      !((ch.codePointAt(0) ?? 0) >= 0x7f && (ch.codePointAt(0) ?? 0) <= 0x9f),
  );
const inlineUnit = fc.oneof(fc.constantFrom(...TRICKY, ...WORDS, 'é', 'e\u0301', '😀', '日本'), anyChar);
const messyUnit = fc.oneof(inlineUnit, fc.constantFrom('\n', '\r\n', '\r', '\n\n', ' \n ', ','));

/** Items already in the form an import produces: these must come back exactly. */
const canonicalItem: fc.Arbitrary<ImportRecord> = (() => {
  const title = fc.string({ unit: inlineUnit, maxLength: 30 }).filter((t) => t === t.trim());
  const line = fc.string({ unit: inlineUnit, maxLength: 20 });
  const contentLine = line.filter((l) => l.trim() !== '');
  const body = fc.oneof(
    fc.constant(''),
    contentLine,
    fc
      .tuple(contentLine, fc.array(line, { maxLength: 5 }), contentLine)
      .map(([a, mid, z]) => [a, ...mid, z].join('\n')),
  );
  const tag = fc
    .string({ unit: inlineUnit.filter((u) => !u.includes(',')), minLength: 1, maxLength: 12 })
    .filter((t) => t === t.trim() && t !== '');
  const tags = fc.uniqueArray(tag, { maxLength: 6 });
  return fc.record({ title, body, tags }).filter((item) => item.title !== '' || item.body !== '');
})();

/** Anything the app might hold: untrimmed, multi-line titles, CRLF, blank lines, messy tags. */
const messyItem: fc.Arbitrary<ImportRecord> = fc.record({
  title: fc.string({ unit: messyUnit, maxLength: 30 }),
  body: fc.string({ unit: messyUnit, maxLength: 60 }),
  tags: fc.array(fc.string({ unit: messyUnit, maxLength: 12 }), { maxLength: 6 }),
});

/** What an import keeps of an item, restated independently of the implementation. */
function expectedRecord(item: ImportRecord): ImportRecord | undefined {
  const oneLine = (s: string) => s.replace(/\s*[\r\n]\s*/g, ' ').trim();
  const body = item.body
    .replace(/\r\n?/g, '\n')
    .replace(/^(?:[^\S\n]*\n)+/, '')
    .replace(/(?:\n[^\S\n]*)+$/, '');
  const record = {
    title: oneLine(item.title),
    body: body.trim() === '' ? '' : body,
    tags: parseTags(item.tags.map(oneLine).join(',')),
  };
  return record.title === '' && record.body === '' ? undefined : record;
}

describe('round trips', () => {
  it('JSON gives back canonical items exactly, in order', () => {
    fc.assert(
      fc.property(fc.array(canonicalItem, { minLength: 1, maxLength: 15 }), (items) => {
        expect(viaJson(items)).toEqual({ records: items, problems: [] });
      }),
      { numRuns: 300 },
    );
  });

  it('a Markdown zip gives back canonical items exactly, in order', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.array(canonicalItem, { maxLength: 15 }),
        (name, items) => {
          expect(viaZip(items, name)).toEqual({ records: items, problems: [] });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any item comes back normalized: one-line trimmed title, outer blank lines and CR dropped, tags parsed', () => {
    fc.assert(
      fc.property(fc.array(messyItem, { minLength: 1, maxLength: 10 }), (items) => {
        const expected = items.map(expectedRecord);
        const { records, problems } = viaJson(items);
        expect(records).toEqual(expected.filter((r) => r !== undefined));
        expect(problems.map((p) => p.position)).toEqual(
          expected.flatMap((r, i) => (r === undefined ? [i + 1] : [])),
        );
      }),
      { numRuns: 300 },
    );
  });

  it('JSON and Markdown zip imports of the same export agree, and a second round trip changes nothing', () => {
    fc.assert(
      fc.property(fc.array(messyItem, { minLength: 1, maxLength: 10 }), (items) => {
        const once = viaJson(items);
        const zipped = viaZip(items);
        expect(zipped.records).toEqual(once.records);
        expect(zipped.problems).toHaveLength(once.problems.length);
        if (once.records.length > 0) expect(viaZip(once.records).records).toEqual(once.records);
      }),
      { numRuns: 300 },
    );
  });

  it('an item whose tags are blank lines survives a Markdown zip, as it survives JSON', () => {
    // Found by the property above: the tag was written as a YAML block scalar the parser refused.
    const items = [{ title: '', body: ',', tags: [' \n \n\t\n'] }];
    const expected = { records: [{ title: '', body: ',', tags: [] }], problems: [] };
    expect(viaJson(items)).toEqual(expected);
    expect(viaZip(items)).toEqual(expected);
  });

  it('keeps limit-sized fields and bodies that look like front matter or headings', () => {
    const items: ImportRecord[] = [
      {
        title: 'T'.repeat(1000),
        body: 'é'.repeat(499_999) + 'x',
        tags: Array.from({ length: 100 }, (_, i) => `${i}`),
      },
      { title: 'Heading twin', body: '# Heading twin\n---\ntitle: fake\n---', tags: ['a'] },
      { title: '', body: '# Not the title\n\ntext', tags: [] },
      { title: '--- "quoted": yes #', body: '---', tags: ['#hash', 'key: value', '- dash'] },
    ];
    expect(viaJson(items)).toEqual({ records: items, problems: [] });
    expect(viaZip(items)).toEqual({ records: items, problems: [] });
  });
});

describe('exportJson', () => {
  it('writes pretty JSON with keys in the order title, body, tags and nothing else', () => {
    const item = { tags: ['a'], extra: 1, body: 'b', title: 't' } as ImportRecord;
    expect(exportJson([item])).toBe(
      '[\n  {\n    "title": "t",\n    "body": "b",\n    "tags": [\n      "a"\n    ]\n  }\n]\n',
    );
  });
});

describe('exportMarkdownZip', () => {
  it('writes front matter, a heading and the body in one file per item', () => {
    const zip = unzipSync(
      exportMarkdownZip('Notes', [{ title: 'Hello: "world"', body: 'Body', tags: ['x'] }]),
    );
    expect(Object.keys(zip)).toEqual(['notes/', 'notes/hello-world.md']);
    const text = decoder.decode(zip['notes/hello-world.md']);
    expect(text).toMatch(/^---\ntitle: .*\ntags:\n {2}- x\n---\n\n# Hello: "world"\n\nBody\n$/);
  });

  it('names files safely and uniquely, however hostile the titles', () => {
    const titles = [
      '../../etc/passwd',
      'a/b\\c:d*e?f"g<h>i|j',
      '..',
      '.hidden',
      'CON',
      'con.txt',
      ' spaced \t out ',
      '\u202Egpj.md',
      'x'.repeat(300),
      '日本語'.repeat(40),
      '😀'.repeat(50),
      '',
      'Same',
      'same',
      'SAME',
    ];
    const items = titles.map((title) => ({ title, body: 'b', tags: [] }));
    const entries = Object.keys(unzipSync(exportMarkdownZip('../Evil/..\\name', items)));
    expect(entries[0]).toBe('evil-name/');
    const names = entries.slice(1);

    expect(names).toHaveLength(titles.length);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) {
      const segments = name.split('/');
      expect(segments).toHaveLength(2);
      for (const segment of segments) {
        expect(segment.length).toBeLessThanOrEqual(MAX_EXPORT_NAME_CHARS);
        expect(segment).not.toMatch(/\.\.|\\|^[-. ]|[-. ]$|[\s\p{Cc}\p{Cf}:*?"<>|]/u);
        expect(segment).toBe(segment.toLowerCase());
      }
    }
    expect(names[0]).toBe('evil-name/etc-passwd.md');
    expect(names.slice(2, 6)).toEqual([
      'evil-name/untitled.md',
      'evil-name/hidden.md',
      'evil-name/_con.md',
      'evil-name/_con.txt.md',
    ]);
    expect(names.slice(11)).toEqual([
      'evil-name/untitled-2.md',
      'evil-name/same.md',
      'evil-name/same-2.md',
      'evil-name/same-3.md',
    ]);
    expect(viaZip(items).records.map((r) => r.title)).toEqual(titles.map((t) => t.trim()));
  });
});

describe('unzipMarkdown', () => {
  const text = (s: string) => encoder.encode(s);

  it('returns the Markdown entries in archive order and skips everything else', () => {
    const zip = zipSync({
      'b.md': text('# B'),
      'notes.txt': text('skip'),
      'a.markdown': text('# A'),
      'dir/': {},
      '__MACOSX/._b.md': new Uint8Array([0, 5, 22, 7]),
      'dir/._c.md': new Uint8Array([0, 1]),
      'items.json': text('[]'),
    });
    expect(unzipMarkdown(zip).map((f) => f.name)).toEqual(['b.md', 'a.markdown']);
  });

  it('refuses archives whose Markdown would expand past the total limit, before inflating', () => {
    const zeros = new Uint8Array(MAX_IMPORT_FILE_BYTES);
    const files = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`${i}.md`, zeros]));
    const bomb = zipSync(files, { level: 1 });
    expect(bomb.byteLength).toBeLessThan(1_000_000);
    expect(() => unzipMarkdown(bomb)).toThrow(
      new ZipImportError('The zip file expands to more than 100 MB of Markdown.'),
    );
  });

  it('refuses an entry larger than the file limit', () => {
    const zip = zipSync({ 'big.md': new Uint8Array(MAX_IMPORT_FILE_BYTES + 1) }, { level: 1 });
    expect(() => unzipMarkdown(zip)).toThrow(/"big\.md" is larger than 20 MB/);
  });

  it('trusts declared sizes only as an upper bound: a forged small size cannot inflate more', () => {
    const zip = zipSync({ 'liar.md': new Uint8Array(5_000_000).fill(0x61) });
    patchCentral(zip, (view, at) => view.setUint32(at + 24, 10, true));
    const files = unzipMarkdown(zip);
    expect(files[0]?.bytes.byteLength).toBeLessThanOrEqual(10);
  });

  it('refuses a forged huge size without allocating it', () => {
    const zip = zipSync({ 'huge.md': text('# tiny') });
    patchCentral(zip, (view, at) => view.setUint32(at + 24, 0xfffffff0, true));
    expect(() => unzipMarkdown(zip)).toThrow(ZipImportError);
  });

  it('refuses unknown compression methods and damaged or non-zip input', () => {
    const zip = zipSync({ 'odd.md': text('# odd') });
    patchCentral(zip, (view, at) => view.setUint16(at + 10, 14, true));
    expect(() => unzipMarkdown(zip)).toThrow(/compression method/);
    expect(() => unzipMarkdown(text('definitely not a zip'))).toThrow(/not a valid zip/);
    expect(() => unzipMarkdown(zipSync({ 'x.md': text('# x') }).slice(0, 30))).toThrow(ZipImportError);
  });
});

/** Rewrites every central directory header (signature PK\1\2), where unzipping reads sizes from. */
function patchCentral(zip: Uint8Array, patch: (view: DataView, at: number) => void): void {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let found = 0;
  for (let at = 0; at + 46 <= zip.byteLength; at++)
    if (view.getUint32(at, true) === 0x02014b50) {
      patch(view, at);
      found++;
    }
  expect(found).toBeGreaterThan(0);
}
