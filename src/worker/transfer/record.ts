// One normalization and validation rule for every imported item, whatever file it came from. JSON and
// Markdown imports both end here, which is what makes "export, then import" give the same items in
// either format.
import { checkBody, checkTags, checkTitle, parseTags } from '../../shared/limits.ts';

/** Larger files are refused unread: the whole file is decoded and parsed in memory in the worker. */
export const MAX_IMPORT_FILE_BYTES = 20_000_000;
/** Items per import, over all files: each one becomes a row and a body document. */
export const MAX_IMPORT_ITEMS = 100_000;

export type ImportRecord = { title: string; body: string; tags: string[] };

/** Fields as found in a file, before their types are known. */
export interface RawRecord {
  title?: unknown;
  body?: unknown;
  tags?: unknown;
}

export type RecordResult = { ok: true; record: ImportRecord } | { ok: false; reason: string };

/**
 * Titles are single-line in the app (an `<input>`), so line breaks become one space; the ends are
 * trimmed. Unpaired surrogates become U+FFFD, as they would on any UTF-8 export anyway.
 */
export function normalizeTitle(title: string): string {
  return singleLine(wellFormed(title));
}

/**
 * Line endings become `\n` (the body editor is a textarea, which does the same), and blank lines at
 * the start and end are dropped, because a Markdown file cannot tell them apart from the blank lines
 * around its heading. Everything between is kept byte for byte, indentation and trailing spaces too.
 */
export function normalizeBody(body: string): string {
  const lines = wellFormed(body).replace(/\r\n?/g, '\n').split('\n');
  let start = 0;
  let end = lines.length;
  while (start < end && isBlank(lines[start] ?? '')) start++;
  while (end > start && isBlank(lines[end - 1] ?? '')) end--;
  return lines.slice(start, end).join('\n');
}

/**
 * The tag field in the app is one comma-separated line read with `parseTags`, so a list is read the
 * same way: a tag holding a comma becomes two tags, and blanks and duplicates go.
 */
export function normalizeTags(tags: readonly string[]): string[] {
  return parseTags(tags.map((tag) => singleLine(wellFormed(tag))).join(','));
}

/** Checks the field types, normalizes, then applies the app's own limits (`shared/limits.ts`). */
export function checkRecord(raw: RawRecord): RecordResult {
  const title = raw.title ?? '';
  const body = raw.body ?? '';
  if (typeof title !== 'string') return fail('Title must be text.');
  if (typeof body !== 'string') return fail('Body must be text.');
  const tags = readTags(raw.tags);
  if (tags === undefined) return fail('Tags must be a list of strings or a comma-separated string.');

  const record: ImportRecord = {
    title: normalizeTitle(title),
    body: normalizeBody(body),
    tags: normalizeTags(tags),
  };
  if (hasControlChars(record.title)) return fail('Title contains control characters.');
  if (hasControlChars(record.body)) return fail('Body contains control characters.');
  if (record.tags.some(hasControlChars)) return fail('A tag contains control characters.');
  const errors = [checkTitle(record.title), checkBody(record.body), checkTags(record.tags)];
  const messages = errors.flatMap((error) => (error ? [error.message] : []));
  if (messages.length > 0) return fail(messages.join(' '));
  if (record.title === '' && record.body === '') return fail('Item is empty: it needs a title or a body.');
  return { ok: true, record };
}

/**
 * Characters that never occur in text someone typed: C0 controls except tab, line feed, form feed and
 * carriage return, DEL, and the C1 block. Used both to refuse binary files and to refuse fields that
 * would make an exported Markdown file look binary.
 */
export function hasControlChars(text: string): boolean {
  return CONTROL_CHAR.test(text);
}

/**
 * One regular expression rather than a loop over char codes: an import checks its whole file, then
 * every field, and the regex engine scans ~5 times faster (11 MB: ~11 against ~55 ms, Node).
 * Allowed C0 controls: tab (09), line feed (0a), form feed (0c), carriage return (0d).
 */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL_CHAR = /[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function readTags(tags: unknown): string[] | undefined {
  if (tags === undefined || tags === null) return [];
  if (typeof tags === 'string') return [tags];
  if (Array.isArray(tags) && tags.every((tag) => typeof tag === 'string')) return tags;
  return undefined;
}

/** Joins lines with one space; split-and-trim rather than a regex so a huge title stays linear. */
function singleLine(text: string): string {
  return text
    .split(/[\r\n]+/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' ');
}

function wellFormed(text: string): string {
  return text.replace(LONE_SURROGATE, '\uFFFD');
}

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function fail(reason: string): RecordResult {
  return { ok: false, reason };
}
