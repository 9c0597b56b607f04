// One Markdown file is one item: optional YAML front matter, a title, and the rest as the body.
import { parseDocument } from 'yaml';
import { checkRecord, normalizeTitle, type RawRecord, type RecordResult } from './record.ts';

/**
 * Reads `text` (already decoded, BOM stripped) as one item. The title comes from, in order:
 * 1. a `title` key in the front matter, even an empty one (it is what an export writes, and an export
 *    of an untitled item must not promote a `# line` of its body to the title). An export also writes
 *    `# title` right after the front matter; that line is dropped when it matches the title.
 * 2. the first level-1 ATX heading (`# Title`) outside fenced code, which is removed from the body;
 * 3. the file name without folders and extension.
 * Setext headings (`Title` over `===`) are body text.
 */
export function parseMarkdown(fileName: string, text: string): RecordResult {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const front = splitFrontMatter(lines);
  let fields: Record<string, unknown> = {};
  let bodyLines = lines;
  if (front) {
    const parsed = parseFrontMatter(front.yaml);
    if (!parsed.ok) return parsed;
    fields = parsed.fields;
    bodyLines = front.rest;
  }

  const raw: RawRecord = { tags: own(fields, 'tags'), body: '' };
  if (own(fields, 'title') !== undefined) {
    raw.title = own(fields, 'title');
    if (typeof raw.title === 'string') bodyLines = dropExportedHeading(bodyLines, raw.title);
  } else {
    const heading = findTitleHeading(bodyLines);
    if (heading) {
      raw.title = heading.title;
      bodyLines = bodyLines.filter((_, i) => i !== heading.index);
    } else {
      raw.title = fileTitle(fileName);
    }
  }
  raw.body = bodyLines.join('\n');
  return checkRecord(raw);
}

/** The heading an export writes under the front matter, or '' when it writes none (empty title). */
export function headingFor(title: string): string {
  const text = normalizeTitle(title);
  return text === '' ? '' : `# ${text}`;
}

type FrontMatter = { ok: true; fields: Record<string, unknown> } | { ok: false; reason: string };

function splitFrontMatter(lines: string[]): { yaml: string; rest: string[] } | undefined {
  if (lines[0]?.trimEnd() !== '---') return undefined;
  const close = lines.findIndex((line, i) => i > 0 && (line.trimEnd() === '---' || line.trimEnd() === '...'));
  // An opening `---` with no closing line is a thematic break in the body, not front matter.
  if (close < 0) return undefined;
  // The leading empty line stands in for the opening `---`, so YAML error positions are file lines.
  return { yaml: '\n' + lines.slice(1, close).join('\n'), rest: lines.slice(close + 1) };
}

/**
 * The failsafe schema reads every scalar as a string (`title: 2024` is "2024", `tags: yes` is
 * "yes") and knows no tags that build objects; unknown tags, duplicate keys and alias bombs are
 * refused rather than guessed at.
 */
function parseFrontMatter(source: string): FrontMatter {
  const doc = parseDocument(source, {
    schema: 'failsafe',
    strict: true,
    uniqueKeys: true,
    prettyErrors: true,
  });
  const issue = doc.errors[0] ?? doc.warnings[0];
  if (issue) return { ok: false, reason: `Front matter is not valid YAML: ${firstLine(issue.message)}.` };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, reason: `Front matter is not valid YAML: ${firstLine(String(error))}.` };
  }
  if (value === null || value === undefined) return { ok: true, fields: {} };
  if (typeof value !== 'object' || Array.isArray(value))
    return {
      ok: false,
      reason: 'Front matter must be a YAML mapping of keys to values (title: …, tags: …).',
    };
  return { ok: true, fields: value as Record<string, unknown> };
}

function dropExportedHeading(lines: string[], title: string): string[] {
  const heading = headingFor(title);
  const first = lines.findIndex((line) => line.trim() !== '');
  if (heading === '' || first < 0 || lines[first]?.trimEnd() !== heading) return lines;
  return lines.filter((_, i) => i !== first);
}

function findTitleHeading(lines: string[]): { index: number; title: string } | undefined {
  let fence: { char: string; length: number } | undefined;
  for (const [index, line] of lines.entries()) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (marker) {
      const char = marker.charAt(0);
      if (!fence) fence = { char, length: marker.length };
      else if (char === fence.char && marker.length >= fence.length) fence = undefined;
      continue;
    }
    if (!fence && /^ {0,3}#(?:[ \t]|$)/.test(line)) return { index, title: headingText(line) };
  }
  return undefined;
}

/** `#  Title ##` → "Title": drops the marker and an optional closing run of `#` (CommonMark). */
function headingText(line: string): string {
  const text = line.trim().slice(1).trim();
  let end = text.length;
  while (end > 0 && text.charAt(end - 1) === '#') end--;
  if (end === 0) return '';
  if (end === text.length || !/[ \t]/.test(text.charAt(end - 1))) return text;
  return text.slice(0, end).trim();
}

function fileTitle(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** Own keys only: a `__proto__` key in the YAML must not make up a title. */
function own(fields: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(fields, key) ? fields[key] : undefined;
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/[:.]\s*$/, '');
}
