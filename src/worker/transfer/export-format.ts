// Writes a collection out as JSON or as a zip of Markdown files, and reads such a zip back, in the
// exact shapes `parseImportFiles` reads, so that an export can always be imported again.
import { unzipSync, zipSync, type UnzipFileInfo } from 'fflate';
import { stringify } from 'yaml';
import {
  MAX_IMPORT_FILE_BYTES,
  MAX_IMPORT_ITEMS,
  type ImportFile,
  type ImportRecord,
} from './import-parse.ts';
import { headingFor } from './markdown-parse.ts';
import { normalizeTags, normalizeTitle } from './record.ts';

/** Total uncompressed size a zip may declare for its Markdown entries (a zip bomb guard). */
export const MAX_ZIP_UNCOMPRESSED_BYTES = 5 * MAX_IMPORT_FILE_BYTES;
/** Entries of any kind: folders and skipped files count too, so a forged count cannot spin forever. */
export const MAX_ZIP_ENTRIES = 2 * MAX_IMPORT_ITEMS;
/** File and folder names in an export, in UTF-16 units: at most 240 UTF-8 bytes on any file system. */
export const MAX_EXPORT_NAME_CHARS = 80;

/** Why `unzipMarkdown` refused an archive; the message is meant for the user. */
export class ZipImportError extends Error {
  override name = 'ZipImportError';
}

/** Pretty JSON, keys always in the order title, body, tags; unknown fields are not carried. */
export function exportJson(items: readonly ImportRecord[]): string {
  const plain = items.map(({ title, body, tags }) => ({ title, body, tags: [...tags] }));
  return JSON.stringify(plain, null, 2) + '\n';
}

/**
 * One `.md` per item inside a folder named after the collection. Each file is YAML front matter
 * with the exact title and tags, a `# title` heading for readers, then the body. Files are named
 * after their titles (sanitized, lowercased, unique) and stored in item order, which
 * `unzipMarkdown` keeps, so a re-import lists the items in the same order.
 */
export function exportMarkdownZip(collectionName: string, items: readonly ImportRecord[]): Uint8Array {
  const encoder = new TextEncoder();
  const used = new Set<string>();
  const files: Record<string, Uint8Array> = {};
  for (const item of items) files[uniqueFileName(item.title, used)] = encoder.encode(renderMarkdown(item));
  return zipSync({ [slugify(collectionName, 'collection', MAX_EXPORT_NAME_CHARS)]: files });
}

/**
 * The `.md` / `.markdown` entries of a zip, in archive order, ready for `parseImportFiles`. Sizes are
 * checked from the central directory before anything is inflated, and inflating never writes past
 * an entry's declared size, so a small archive cannot expand into gigabytes. Other entries (and
 * macOS `__MACOSX/` / `._*` metadata) are skipped. Throws ZipImportError when it refuses the archive.
 */
export function unzipMarkdown(zip: Uint8Array): ImportFile[] {
  if (zip.byteLength > MAX_ZIP_UNCOMPRESSED_BYTES)
    throw new ZipImportError(`The zip file is too large: at most ${megabytes(MAX_ZIP_UNCOMPRESSED_BYTES)}.`);
  const wanted = new Set<string>();
  let entries = 0;
  let total = 0;
  // First pass: the filter sees every entry's declared sizes and always answers "no", so nothing
  // is inflated until the whole archive has been judged.
  readZip(zip, (entry) => {
    if (++entries > MAX_ZIP_ENTRIES)
      throw new ZipImportError(`The zip file holds more than ${count(MAX_ZIP_ENTRIES)} entries.`);
    if (!isMarkdownEntry(entry.name)) return false;
    // A stored entry is copied by its compressed size, a deflated one by its declared size.
    const size = Math.max(entry.size, entry.originalSize);
    if (entry.compression !== 0 && entry.compression !== 8)
      throw new ZipImportError(`"${entry.name}" uses a compression method that cannot be read.`);
    if (size > MAX_IMPORT_FILE_BYTES)
      throw new ZipImportError(`"${entry.name}" is larger than ${megabytes(MAX_IMPORT_FILE_BYTES)}.`);
    total += size;
    if (total > MAX_ZIP_UNCOMPRESSED_BYTES)
      throw new ZipImportError(
        `The zip file expands to more than ${megabytes(MAX_ZIP_UNCOMPRESSED_BYTES)} of Markdown.`,
      );
    wanted.add(entry.name);
    return false;
  });
  if (wanted.size > MAX_IMPORT_ITEMS)
    throw new ZipImportError(`The zip file holds more than ${count(MAX_IMPORT_ITEMS)} Markdown files.`);
  const unzipped = readZip(zip, (entry) => wanted.has(entry.name));
  return Object.entries(unzipped).map(([name, bytes]) => ({ name, bytes }));
}

function readZip(zip: Uint8Array, filter: (entry: UnzipFileInfo) => boolean): Record<string, Uint8Array> {
  try {
    return unzipSync(zip, { filter });
  } catch (error) {
    if (error instanceof ZipImportError) throw error;
    throw new ZipImportError('This is not a valid zip file, or it is damaged.');
  }
}

function isMarkdownEntry(name: string): boolean {
  const lower = name.toLowerCase();
  const base = lower.split('/').pop() ?? '';
  if (lower.startsWith('__macosx/') || base.startsWith('._')) return false;
  return lower.endsWith('.md') || lower.endsWith('.markdown');
}

function renderMarkdown(item: ImportRecord): string {
  // Titles and tags are single-line in the app; one that is not (from an older or foreign writer) is
  // written as import reads it, so a multi-line YAML scalar never has to survive the round trip: a
  // tag of blank lines came out as a block scalar the YAML parser then refused, losing its item.
  const title = normalizeTitle(item.title);
  // lineWidth 0: no folding, so every title survives as written; failsafe parsing reads it back.
  const front = stringify({ title, tags: normalizeTags(item.tags) }, { lineWidth: 0 });
  const heading = headingFor(title);
  return [`---\n${front}---\n`, heading && `${heading}\n`, item.body && `${item.body}\n`]
    .filter((part) => part !== '')
    .join('\n');
}

function uniqueFileName(title: string, used: Set<string>): string {
  const base = slugify(title, 'untitled', MAX_EXPORT_NAME_CHARS);
  for (let n = 1; ; n++) {
    const suffix = `${n === 1 ? '' : `-${n}`}.md`;
    const name = clip(base, MAX_EXPORT_NAME_CHARS - suffix.length) + suffix;
    if (!used.has(name)) {
      used.add(name);
      return name;
    }
  }
}

/**
 * A name that is safe as one path segment on every common file system: no separators, no `..`,
 * no control, format (bidi, zero-width) or reserved characters, no leading or trailing dots, dashes or spaces, not a reserved
 * Windows device name. Lowercased (and NFC) so names that differ only in case cannot collide when
 * unzipped onto a case-insensitive disk.
 */
function slugify(text: string, fallback: string, maxChars: number): string {
  // Bounded first, so every later step works on at most a few hundred characters.
  const head = Array.from(text.slice(0, 4 * maxChars)).slice(0, 2 * maxChars);
  const mapped = head.map((ch) => (isUnsafe(ch) ? '-' : ch)).join('');
  const slug = trimEnds(
    mapped
      .toLowerCase()
      .normalize('NFC')
      // Runs like `..-` or `--` become one dash, and `...` one dot, so no `..` survives anywhere.
      .replace(/[-.]{2,}/g, (run) => (run.includes('-') ? '-' : '.')),
  );
  const clipped = clip(slug, maxChars);
  if (clipped === '') return fallback;
  return WINDOWS_DEVICE.test(clipped) ? `_${clipped}` : clipped;
}

const UNSAFE_CHARS = new Set([...'/\\:*?"<>|']);
const WINDOWS_DEVICE = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/;

function isUnsafe(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || UNSAFE_CHARS.has(ch) || /[\s\p{Cf}]/u.test(ch);
}

/** Cuts to `max` UTF-16 units without splitting a surrogate pair, then re-trims the ends. */
function clip(text: string, max: number): string {
  let out = '';
  for (const ch of text) {
    if (out.length + ch.length > max) break;
    out += ch;
  }
  return trimEnds(out);
}

function trimEnds(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && '-.'.includes(text.charAt(start))) start++;
  while (end > start && '-.'.includes(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toLocaleString('en-US')} MB`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
