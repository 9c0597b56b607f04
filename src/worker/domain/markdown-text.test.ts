import { describe, expect, it } from 'vitest';
import { markdownToText } from './markdown-text.ts';

describe('markdownToText', () => {
  it.each([
    ['## Walks\nBy the river', 'Walks\nBy the river'],
    ['# Title #', 'Title'],
    ['A walk by the **river** and __sea__.', 'A walk by the river and sea.'],
    ['Some *emphasis*, some _more_, and ~~less~~.', 'Some emphasis, some more, and less.'],
    ['- one\n* two\n+ three\n1. four\n2) five', 'one\ntwo\nthree\nfour\nfive'],
    ['- [ ] to do\n- [x] done', 'to do\ndone'],
    ['> quoted\n> > nested', 'quoted\nnested'],
    ['See [the map](https://example.com/map "Map") here.', 'See the map here.'],
    ['![A heron](heron.jpg) at dawn', 'A heron at dawn'],
    ['[Ref link][1]\n\n[1]: https://example.com', 'Ref link\n\n'],
    ['Run `npm test` first', 'Run npm test first'],
    ['```ts\nconst a = 1;\n```', '\nconst a = 1;\n'],
    ['Above\n\n---\n\nBelow', 'Above\n\n\n\nBelow'],
    ['Title\n=====', 'Title\n'],
    ['A <b>bold</b> move<br/>', 'A bold move'],
    ['| Bird | Seen |\n| --- | --- |\n| Wren | 3 |', 'Bird Seen\n\nWren 3'],
  ])('%j reads %j', (markdown, text) => {
    expect(markdownToText(markdown)).toBe(text);
  });

  it('keeps what only looks like markup', () => {
    for (const text of [
      'snake_case_name and file_name.txt',
      '2 * 3 * 4 = 24',
      'a < b and b > c',
      'Price: $5 - $10',
      'Hash #tag in text',
      'An [aside] in brackets',
      'Plain words with no markup at all.',
    ])
      expect(markdownToText(text)).toBe(text);
  });
});
