import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../shared/limits.ts';
import {
  MAX_IMPORT_FILE_BYTES,
  MAX_IMPORT_ITEMS,
  parseImportFiles,
  type ImportFile,
} from './import-parse.ts';
import { hasControlChars } from './record.ts';

const encoder = new TextEncoder();
const file = (name: string, text: string): ImportFile => ({ name, bytes: encoder.encode(text) });
const json = (name: string, value: unknown): ImportFile => file(name, JSON.stringify(value));

describe('JSON import', () => {
  it('keeps 997 of 1,000 records and reports the 3 invalid ones by position', () => {
    const items: unknown[] = Array.from({ length: 1000 }, (_, i) => ({
      title: `Item ${i + 1}`,
      body: `Body of item ${i + 1}`,
      tags: i % 2 ? ['even'] : 'odd, numbered',
      unknownField: { ignored: true },
    }));
    items[16] = { title: 'x'.repeat(LIMITS.titleMaxChars + 1), body: 'too long a title' };
    items[499] = { title: 'Bad tags', tags: [1, 2] };
    items[999] = 42;

    const { records, problems } = parseImportFiles([json('items.json', items)]);

    expect(records).toHaveLength(997);
    expect(records.map((r) => r.title)).not.toContain('Bad tags');
    expect(records[0]).toEqual({ title: 'Item 1', body: 'Body of item 1', tags: ['odd', 'numbered'] });
    expect(records[1]).toEqual({ title: 'Item 2', body: 'Body of item 2', tags: ['even'] });
    expect(records.at(-1)?.title).toBe('Item 999');
    expect(problems.map((p) => [p.file, p.position])).toEqual([
      ['items.json', 17],
      ['items.json', 500],
      ['items.json', 1000],
    ]);
    expect(problems[0]?.reason).toMatch(/Title is too long: 1001 of at most 1000 characters/);
    expect(problems[1]?.reason).toMatch(/Tags must be a list of strings/);
    expect(problems[2]?.reason).toMatch(/Expected an item object.*found a number/);
  });

  it('applies every field rule and reports each failure with its reason', () => {
    const cases: [unknown, RegExp][] = [
      [{ title: 5 }, /Title must be text/],
      [{ title: 'ok', body: ['no'] }, /Body must be text/],
      [{ title: 'ok', tags: { a: 1 } }, /Tags must be a list/],
      [{ title: ' ', body: '\n \n' }, /Item is empty/],
      [{}, /Item is empty/],
      [{ title: 'ok', body: 'é'.repeat(LIMITS.bodyMaxBytes / 2 + 1) }, /Body is too large/],
      [{ title: 'ok', tags: Array.from({ length: LIMITS.tagsMax + 1 }, (_, i) => `t${i}`) }, /Too many tags/],
      [{ title: 'ok', tags: ['t'.repeat(LIMITS.tagMaxChars + 1)] }, /A tag is too long/],
      [{ title: 'bell\u0007' }, /Title contains control characters/],
      [{ title: 'ok', body: 'nul\u0000' }, /Body contains control characters/],
      [null, /found null/],
      [['title'], /found a list/],
    ];
    const { records, problems } = parseImportFiles([
      json(
        'rules.json',
        cases.map(([item]) => item),
      ),
    ]);
    expect(records).toEqual([]);
    expect(problems.map((p) => p.position)).toEqual(cases.map((_, i) => i + 1));
    problems.forEach((problem, i) => expect(problem.reason).toMatch(cases[i]![1]));
  });

  it('normalizes titles, bodies and tags the way the app stores them', () => {
    const { records, problems } = parseImportFiles([
      json('n.json', [
        { title: '  Two\r\nlines  ', body: '\n\n  indented\r\nline  \n\n', tags: [' a ', 'b,c', 'a', ''] },
        { body: 'No title is fine when there is a body', tags: null },
        { title: `${'t'.repeat(LIMITS.titleMaxChars)}`, body: '', tags: 'x,, y ,x' },
        { title: 'lone \uD800 surrogate' },
      ]),
    ]);
    expect(problems).toEqual([]);
    expect(records).toEqual([
      { title: 'Two lines', body: '  indented\nline  ', tags: ['a', 'b', 'c'] },
      { title: '', body: 'No title is fine when there is a body', tags: [] },
      { title: 't'.repeat(LIMITS.titleMaxChars), body: '', tags: ['x', 'y'] },
      { title: 'lone \uFFFD surrogate', body: '', tags: [] },
    ]);
  });

  it('strips a UTF-8 byte order mark', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...encoder.encode('[{"title":"BOM"}]')]);
    expect(parseImportFiles([{ name: 'bom.json', bytes }]).records).toEqual([
      { title: 'BOM', body: '', tags: [] },
    ]);
  });
});

describe('files that cannot be imported', () => {
  const junk = new Uint8Array(4096);
  let seed = 7;
  for (let i = 0; i < junk.length; i++) junk[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  junk[10] = 0x00;
  junk[11] = 0xff;

  const cases: [string, ImportFile, RegExp][] = [
    ['non-JSON .json', file('broken.json', '[{"title": "a",]'), /^Not valid JSON: /],
    [
      'a 50 MB file',
      { name: 'huge.json', bytes: new Uint8Array(50_000_000) },
      /too large: 50 MB.*at most 20 MB/,
    ],
    ['binary junk named .md', { name: 'junk.md', bytes: junk }, /Not a text file/],
    ['valid UTF-8 with NUL bytes', file('nul.md', '# Title\n\0\0\0'), /Not a text file.*control characters/],
    [
      'a JSON object, not an array',
      json('object.json', { title: 'x' }),
      /Expected an array of items.*an object/,
    ],
    ['a JSON string', json('string.json', 'x'), /Expected an array of items.*a string/],
    ['an empty array', json('empty.json', []), /holds no items/],
    ['an unknown extension', file('notes.txt', 'hello'), /Unsupported file type/],
  ];

  it.each(cases)('%s: one whole-file problem, no records', (_label, input, reason) => {
    const { records, problems } = parseImportFiles([input]);
    expect(records).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: input.name, position: null });
    expect(problems[0]?.reason).toMatch(reason);
  });

  it('names the parser position for broken JSON', () => {
    const [problem] = parseImportFiles([file('pos.json', '[\n  {"title": "a"} oops\n]')]).problems;
    expect(problem?.reason).toMatch(/^Not valid JSON: .*position 19.*line 2,? column 18/);
  });

  it('accepts a file of exactly the size limit and refuses one byte more, without decoding it', () => {
    const text = `[{"title":"edge","body":"${'a'.repeat(LIMITS.bodyMaxBytes - 100)}"}]`;
    const padded = text + ' '.repeat(MAX_IMPORT_FILE_BYTES - text.length);
    expect(parseImportFiles([file('edge.json', padded)]).records).toHaveLength(1);
    const over = parseImportFiles([file('over.json', padded + ' ')]);
    expect(over.records).toEqual([]);
    expect(over.problems[0]?.reason).toMatch(/too large/);
  });

  it('keeps reading the other files when one is bad', () => {
    const { records, problems } = parseImportFiles([
      file('bad.json', 'nope'),
      json('good.json', [{ title: 'kept' }]),
      file('good.md', '# Also kept'),
    ]);
    expect(records.map((r) => r.title)).toEqual(['kept', 'Also kept']);
    expect(problems.map((p) => p.file)).toEqual(['bad.json']);
  });

  it('refuses a file that would take the import past the item limit, whole', () => {
    const many = Array.from({ length: MAX_IMPORT_ITEMS }, (_, i) => ({ title: `${i}` }));
    const { records, problems } = parseImportFiles([
      json('a.json', many),
      json('b.json', [{ title: 'one more' }]),
    ]);
    expect(records).toHaveLength(MAX_IMPORT_ITEMS);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'b.json', position: null });
    expect(problems[0]?.reason).toMatch(/limit of 100,000 items/);
    const tooMany = parseImportFiles([json('c.json', [...many, { title: 'x' }])]);
    expect(tooMany.records).toEqual([]);
    expect(tooMany.problems[0]?.reason).toMatch(/100,001 items; at most 100,000/);
  });
});

describe('Markdown import', () => {
  const one = (name: string, text: string) => {
    const { records, problems } = parseImportFiles([file(name, text)]);
    return { record: records[0], records, problems };
  };

  it('reads title and tags (as a list) from front matter', () => {
    const { record, problems } = one(
      'a.md',
      '---\ntitle: "Front: matter"\ntags:\n  - one\n  - two\n---\n\nThe body.\n\nSecond paragraph.\n',
    );
    expect(problems).toEqual([]);
    expect(record).toEqual({
      title: 'Front: matter',
      body: 'The body.\n\nSecond paragraph.',
      tags: ['one', 'two'],
    });
  });

  it('reads tags as a comma-separated string and scalars as plain text', () => {
    const { record } = one('b.md', '---\ntitle: 2024\ntags: alpha, beta ,alpha\nauthor: ignored\n---\nBody');
    expect(record).toEqual({ title: '2024', body: 'Body', tags: ['alpha', 'beta'] });
  });

  it('takes the first level-1 heading as the title and removes it from the body', () => {
    const { record } = one('c.md', '\n# The Title #\n\nSome text.\n## Section\n# Second H1 stays\n');
    expect(record).toEqual({
      title: 'The Title',
      body: 'Some text.\n## Section\n# Second H1 stays',
      tags: [],
    });
  });

  it('uses a heading below front matter without a title, and finds it after a paragraph', () => {
    const { record } = one('d.md', '---\ntags: [x]\n---\nIntro line\n\n# Late heading\n\nRest');
    expect(record).toEqual({ title: 'Late heading', body: 'Intro line\n\n\nRest', tags: ['x'] });
  });

  it('ignores headings inside fenced code and level-2 headings', () => {
    const { record } = one('folder/My Notes.markdown', '```sh\n# not a title\n```\n## Not either\ntext');
    expect(record).toEqual({
      title: 'My Notes',
      body: '```sh\n# not a title\n```\n## Not either\ntext',
      tags: [],
    });
  });

  it('falls back to the file name without folders or extension', () => {
    expect(one('dir\\sub/Plain file.v2.md', 'Just text').record).toEqual({
      title: 'Plain file.v2',
      body: 'Just text',
      tags: [],
    });
  });

  it('treats an empty front matter title as the title, leaving a body heading in the body', () => {
    const { record } = one('e.md', '---\ntitle: ""\n---\n# Body heading\ntext');
    expect(record).toEqual({ title: '', body: '# Body heading\ntext', tags: [] });
  });

  it('drops the heading an export writes only when it repeats the front matter title', () => {
    expect(one('f.md', '---\ntitle: Same\n---\n\n# Same\n\n# Same\nbody').record?.body).toBe('# Same\nbody');
    expect(one('g.md', '---\ntitle: One\n---\n# Other\nbody').record?.body).toBe('# Other\nbody');
  });

  it('reads CRLF files and keeps an unclosed --- as body text', () => {
    expect(one('h.md', '# T\r\n\r\nline 1\r\nline 2\r\n').record).toEqual({
      title: 'T',
      body: 'line 1\nline 2',
      tags: [],
    });
    expect(one('i.md', '---\nnot front matter').record).toEqual({
      title: 'i',
      body: '---\nnot front matter',
      tags: [],
    });
  });

  it.each([
    ['broken YAML', '---\ntitle: [unclosed\n---\n', /Front matter is not valid YAML: .*line 2/],
    ['duplicate keys', '---\ntitle: a\ntitle: b\n---\n', /Map keys must be unique/],
    ['a custom tag', '---\ntitle: !js/function x\n---\n', /Unresolved tag/],
    [
      'an alias bomb',
      '---\na: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\n---\n',
      /resource exhaustion|alias/i,
    ],
    ['a list, not a mapping', '---\n- a\n- b\n---\n', /must be a YAML mapping/],
    ['a title that is a list', '---\ntitle: [a]\n---\n', /Title must be text/],
    ['tags that are a mapping', '---\ntags: {a: b}\n---\n# t', /Tags must be a list/],
  ])('refuses front matter with %s as a problem naming the file', (_label, text, reason) => {
    const { records, problems } = one('bad.md', text);
    expect(records).toEqual([]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'bad.md', position: null });
    expect(problems[0]?.reason).toMatch(reason);
  });
});

describe('hasControlChars', () => {
  it('refuses C0 controls but tab, line feed, form feed and carriage return, DEL and the C1 block', () => {
    const allowedC0 = new Set([0x09, 0x0a, 0x0c, 0x0d]);
    for (let code = 0; code <= 0x2ff; code++) {
      const refused = code < 0x20 ? !allowedC0.has(code) : code >= 0x7f && code <= 0x9f;
      expect(hasControlChars(`ok ${String.fromCharCode(code)} ok`), `U+${code.toString(16)}`).toBe(refused);
    }
    expect(hasControlChars('plain text, “quotes” and émoji 🙂')).toBe(false);
  });
});
