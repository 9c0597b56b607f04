// Bodies are Markdown (typed, or imported from .md files), but a snippet is plain text: a list row
// or a search result reads "A walk by the river", not "## Walks\n- A walk by the **river**". This
// drops the common markup and keeps the words. It is not a Markdown parser: it only has to make a
// one-line preview read well, and it must stay cheap, as a snippet is made for every item an import
// or a sync brings. Every rule works within one line, so the text of a prefix of whole lines is a
// prefix of the text of the whole body (makeSnippet only reads the start of a body).

/** The text of `markdown` with its common markup removed; line breaks are kept. */
export function markdownToText(markdown: string): string {
  if (!mayHoldMarkup(markdown)) return markdown;
  let text = markdown;
  for (const { needles, pattern, replacement } of RULES) {
    // A rule runs only where its markup's characters occur: a quick scan, then the pattern.
    if (!needles.some((needle) => text.includes(needle))) continue;
    // Two identical calls: TypeScript picks String.replace's overload (string or function) only
    // from a narrowed type, not from the union.
    text =
      typeof replacement === 'string'
        ? text.replace(pattern, replacement)
        : text.replace(pattern, replacement);
  }
  return text;
}

/** Whether any rule could match: most bodies hold no markup, and markdownToText returns them as
 * they are. */
export function mayHoldMarkup(text: string): boolean {
  return MAYBE_MARKUP.test(text);
}

/** Anything a rule could match. */
const MAYBE_MARKUP = /[#*_[`>~<]|^[ \t]*(?:[-+=|]|\d{1,9}[.)])/m;

// In order: block markers first (they sit at the start of a line), then links and images (their
// text may hold emphasis), then emphasis and code.
const RULES: readonly Rule[] = [
  rule(['```', '~~~'], /^[ \t]*(?:```|~~~).*$/gm, ''), // code fence lines
  rule(['#'], /^[ \t]{0,3}#{1,6}(?:[ \t]+|$)/gm, ''), // ATX headings
  rule(['#'], /[ \t]+#+[ \t]*$/gm, ''), // a heading's closing hashes
  rule(['---', '===', '*', '_'], /^[ \t]{0,3}(?:[-=]{3,}|(?:[*_][ \t]*){3,})[ \t]*$/gm, ''), // rules, setext
  rule(['>'], /^(?:[ \t]*>[ \t]?)+/gm, ''), // block quotes, nested too
  rule(['-', '*', '+', '.', ')'], /^[ \t]*(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?/gm, ''), // list items
  rule(['!['], /!\[([^\]\n]*)\]\([^)\n]*\)/g, '$1'), // images: their alt text
  rule([']('], /\[([^\]\n]+)\]\([^)\n]*\)/g, '$1'), // links: their text
  rule([']['], /\[([^\]\n]+)\]\[[^\]\n]*\]/g, '$1'), // reference links
  rule([']:'], /^[ \t]{0,3}\[[^\]\n]+\]:[ \t]*\S+.*$/gm, ''), // link reference definitions
  rule(['<'], /<\/?[a-zA-Z][^<>\n]*>/g, ''), // inline HTML tags
  rule(['**', '__'], /(\*\*|__)(?=\S)([^\n]*?\S)\1/g, '$2'), // strong
  rule(['*'], /(^|[^\w*])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?![\w*])/gm, '$1$2'), // *emphasis*
  rule(['_'], /(^|[^\w_])_(?=[^\s_])([^_\n]*?[^\s_])_(?![\w_])/gm, '$1$2'), // _emphasis_, not snake_case
  rule(['~~'], /~~(?=\S)([^\n]*?\S)~~/g, '$1'), // strikethrough
  rule(['`'], /(`+)([^`\n]+?)\1/g, '$2'), // inline code
  rule(['|'], /^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*(?::?-{3,}:?)?[ \t]*$/gm, ''), // table delimiter rows
  rule(['|'], /^[ \t]*\|(.*?)\|?[ \t]*$/gm, (_row: string, cells: string) =>
    cells.replace(/[ \t]*\|[ \t]*/g, ' ').trim(),
  ), // table rows
];

interface Rule {
  /** The rule can only match text that holds one of these. */
  needles: readonly string[];
  pattern: RegExp;
  replacement: string | ((match: string, cells: string) => string);
}

function rule(needles: readonly string[], pattern: RegExp, replacement: Rule['replacement']): Rule {
  return { needles, pattern, replacement };
}
