// Turns the files a user picked into items to create, and a list of what could not be read. Pure: no
// storage, no DOM, so the engine can run it and tests can throw anything at it.
import { parseMarkdown } from './markdown-parse.ts';
import {
  checkRecord,
  hasControlChars,
  MAX_IMPORT_FILE_BYTES,
  MAX_IMPORT_ITEMS,
  type ImportRecord,
  type RecordResult,
} from './record.ts';

export type { ImportRecord } from './record.ts';
export {
  MAX_IMPORT_FILE_BYTES,
  MAX_IMPORT_ITEMS,
  normalizeBody,
  normalizeTags,
  normalizeTitle,
} from './record.ts';

export interface ImportFile {
  name: string;
  bytes: Uint8Array;
}

export interface ImportProblem {
  file: string;
  /** 1-based position of the record within a JSON array, or null for a problem with the whole file. */
  position: number | null;
  reason: string;
}

export interface ImportResult {
  records: ImportRecord[];
  problems: ImportProblem[];
}

/**
 * Reads `.json` files (an array of `{ title, body, tags }` objects; unknown keys ignored) and `.md` /
 * `.markdown` files (one item each). Invalid records are reported by position and the valid ones
 * kept; a file that cannot be read at all is one problem with position null. A file that would take
 * the import past MAX_IMPORT_ITEMS is refused whole, so no file is ever half imported.
 * Every record is normalized and checked by `checkRecord` (see record.ts).
 */
export function parseImportFiles(files: readonly ImportFile[]): ImportResult {
  const records: ImportRecord[] = [];
  const problems: ImportProblem[] = [];
  for (const file of files) {
    const parsed = parseFile(file);
    problems.push(...parsed.problems);
    if (parsed.records.length === 0) continue;
    if (records.length + parsed.records.length > MAX_IMPORT_ITEMS) {
      problems.push({
        file: file.name,
        position: null,
        reason: `Importing this file would go past the limit of ${count(MAX_IMPORT_ITEMS)} items per import.`,
      });
      continue;
    }
    records.push(...parsed.records);
  }
  return { records, problems };
}

function parseFile(file: ImportFile): ImportResult {
  const whole = (reason: string): ImportResult => ({
    records: [],
    problems: [{ file: file.name, position: null, reason }],
  });
  const kind = fileKind(file.name);
  if (!kind) return whole('Unsupported file type: only .json, .md and .markdown files can be imported.');
  if (file.bytes.byteLength > MAX_IMPORT_FILE_BYTES)
    return whole(
      `The file is too large: ${megabytes(file.bytes.byteLength)}; files of at most ` +
        `${megabytes(MAX_IMPORT_FILE_BYTES)} can be imported.`,
    );
  const text = decodeText(file.bytes);
  if (text === undefined) return whole('Not a text file: it is not valid UTF-8 text.');
  if (hasControlChars(text)) return whole('Not a text file: it contains binary data (control characters).');
  if (kind === 'markdown') return fromResults(file.name, [parseMarkdown(file.name, text)], false);

  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    return whole(`Not valid JSON: ${jsonErrorMessage(error, text)}`);
  }
  if (!Array.isArray(data)) return whole(`Expected an array of items, but the file holds ${describe(data)}.`);
  if (data.length === 0) return whole('The file holds no items.');
  if (data.length > MAX_IMPORT_ITEMS)
    return whole(
      `The file holds ${count(data.length)} items; at most ${count(MAX_IMPORT_ITEMS)} can be imported at once.`,
    );
  return fromResults(file.name, data.map(jsonRecord), true);
}

function jsonRecord(element: unknown): RecordResult {
  if (typeof element !== 'object' || element === null || Array.isArray(element))
    return {
      ok: false,
      reason: `Expected an item object with a title, body and tags, found ${describe(element)}.`,
    };
  const fields = element as Record<string, unknown>;
  // Own keys only, so `"__proto__"` or inherited names can never supply a field.
  const pick = (key: string): unknown => (Object.hasOwn(fields, key) ? fields[key] : undefined);
  return checkRecord({ title: pick('title'), body: pick('body'), tags: pick('tags') });
}

function fromResults(file: string, results: RecordResult[], positioned: boolean): ImportResult {
  const out: ImportResult = { records: [], problems: [] };
  results.forEach((result, i) => {
    if (result.ok) out.records.push(result.record);
    else out.problems.push({ file, position: positioned ? i + 1 : null, reason: result.reason });
  });
  return out;
}

function fileKind(name: string): 'json' | 'markdown' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.md') || lower.endsWith('.markdown')) return 'markdown';
  return undefined;
}

/** Strict UTF-8: a lenient decoder would turn binary junk into U+FFFD text and import it. */
function decodeText(bytes: Uint8Array): string | undefined {
  try {
    // ignoreBOM: false (the default) is what strips a leading UTF-8 BOM.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

/** The parser's message, plus line and column when it gives only an offset (as older V8 does). */
function jsonErrorMessage(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const offset = /at position (\d+)/.exec(message)?.[1];
  if (offset === undefined || /\bline \d/.test(message)) return message;
  const before = text.slice(0, Number(offset));
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `a ${typeof value}`;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
