// Import and export of a collection's items. An import is a subscription: it streams progress, and
// unsubscribing cancels it between batches. Each batch of up to MAX_BATCH_ITEMS items is one
// Automerge change, flushed before the next starts, so a crash or reload mid-import leaves every
// batch either fully in or fully out.

import { Automerge } from '@automerge/automerge-repo/slim';
import { MAX_BATCH_ITEMS } from '../../shared/protocol.ts';
import type { ExportedFile, ExportFormat, ImportFileData, ImportProgress } from '../../shared/queries.ts';
import type { CollectionId } from '../../shared/types.ts';
import { makeLogger } from '../../shared/log.ts';
import type { CollectionStore } from '../collection-store.ts';
import type { LiveCollection } from '../live-collection.ts';
import type { CollectionDoc } from '../domain/collection-doc.ts';
import { findItem, insertItems, readString } from '../domain/collection-doc.ts';
import { newItemId } from '../domain/ids.ts';
import { allItemIds } from '../domain/materialize.ts';
import type { ImportFile, ImportProblem, ImportRecord } from '../transfer/import-parse.ts';
import { checkRecord, MAX_IMPORT_FILE_BYTES } from '../transfer/record.ts';
import { authored } from '../../shared/access/authored.ts';
import { directWriter, withDetachedValue, worthDetaching, type BulkWriter } from '../bulk-write.ts';

export function runImport(
  collections: CollectionStore,
  collectionId: CollectionId,
  files: readonly ImportFileData[],
  push: (progress: ImportProgress) => void,
  rules: {
    /** Rejects when this user may not add items (a viewer); the import then fails with its message. */
    requireEditor?: (live: LiveCollection) => Promise<void>;
    /** The importing user, recorded as each item's author as any other command records it. */
    author?: () => Promise<string>;
  } = {},
): () => void {
  let cancelled = false;
  const progress: ImportProgress = { phase: 'parsing', total: 0, imported: 0, problems: [] };
  const send = () => push({ ...progress, problems: [...progress.problems] });

  const run = async (): Promise<void> => {
    send();
    const live = await collections.get(collectionId);
    if (!live) throw new Error('This collection is not available.');
    await rules.requireEditor?.(live);
    const author = await rules.author?.();
    const { records, problems } = await readFiles(files);
    progress.problems = problems;
    progress.total = records.length;
    progress.phase = 'importing';
    send();
    // Each batch is one change, so a crash leaves it wholly in or out. Its write to IndexedDB runs
    // while the next batch is built (awaiting each write first kept the engine waiting on
    // IndexedDB between batches); a batch is counted once its write has landed, so progress
    // means "safe", and "done" waits for every write.
    const flushes: Array<Promise<void>> = [];
    let flushFailure: unknown;
    const writeBatches = async (writer: BulkWriter): Promise<void> => {
      for (let start = 0; start < records.length; start += MAX_BATCH_ITEMS) {
        if (cancelled || flushFailure !== undefined) break;
        const batch = records
          .slice(start, start + MAX_BATCH_ITEMS)
          .map((record) => [newItemId(), record] as const);
        writer.change(
          batch.map(([itemId]) => itemId),
          (doc) => insertItems(doc, batch, Date.now(), author),
          author ? authored(author) : {},
        );
        flushes.push(
          collections.flush([live.id]).then(
            () => {
              progress.imported += batch.length;
              send();
            },
            (error: unknown) => {
              flushFailure ??= error;
            },
          ),
        );
        // Let other commands, sync and the read models in between batches.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
    };
    // A large import skips keeping the document's JS value current batch by batch (bulk-write.ts).
    if (worthDetaching(records.length, live.summary.itemCount + records.length))
      await withDetachedValue(live.handle, writeBatches);
    else await writeBatches(directWriter(live.handle));
    await Promise.all(flushes);
    if (flushFailure !== undefined)
      throw flushFailure instanceof Error ? flushFailure : new Error('The import could not be saved.');
    progress.phase = cancelled ? 'cancelled' : 'done';
    log.info(
      `import ${progress.phase}: ${progress.imported} of ${progress.total} items, ${problems.length} problems`,
    );
    send();
  };
  run().catch((error: unknown) => {
    log.error('import failed', error);
    progress.phase = 'failed';
    progress.error = error instanceof Error ? error.message : String(error);
    send();
  });
  return () => {
    cancelled = true;
  };
}

/**
 * Loads the import and export code ahead of its first use, once the engine has started: on a first
 * visit the service worker may not have cached it yet, and the network may be gone by the time the
 * user imports a file.
 */
export function preloadFileFormats(): void {
  fileFormats().catch((error: unknown) => log.warn('could not load the import and export code', error));
}

export async function exportCollection(
  collections: CollectionStore,
  collectionId: CollectionId,
  format: ExportFormat,
): Promise<ExportedFile | undefined> {
  const live = await collections.get(collectionId);
  if (!live) return undefined;
  const doc = live.handle.doc();
  const base = fileSlug(live.summary.name);
  switch (format) {
    case 'automerge':
      return {
        fileName: `${base}.automerge`,
        mimeType: 'application/octet-stream',
        bytes: Automerge.save(doc),
      };
    case 'json': {
      const { exportJson } = await fileFormats();
      return {
        fileName: `${base}.json`,
        mimeType: 'application/json',
        bytes: new TextEncoder().encode(exportJson(liveRecords(doc))),
      };
    }
    case 'markdown': {
      const { exportMarkdownZip } = await fileFormats();
      return {
        fileName: `${base}.zip`,
        mimeType: 'application/zip',
        bytes: exportMarkdownZip(live.summary.name, liveRecords(doc)),
      };
    }
  }
}

/** Items of a collection document, oldest first: what an export holds and an import of it gives. */
export function liveRecords(doc: CollectionDoc): ImportRecord[] {
  const items: Array<ImportRecord & { createdAt: number; id: string }> = [];
  for (const id of allItemIds(doc)) {
    const record = findItem(doc, id);
    if (!record || record.deletedAt !== undefined) continue;
    items.push({
      id,
      createdAt: typeof record.createdAt === 'number' ? record.createdAt : 0,
      title: readString(record.title),
      body: readString(record.body),
      tags: record.tags && typeof record.tags === 'object' ? Object.keys(record.tags).sort() : [],
    });
  }
  items.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  return items.map(({ title, body, tags }) => ({ title, body, tags }));
}

/** JSON and Markdown go to the parser; a zip is unpacked first; a raw Automerge export is loaded. */
async function readFiles(
  files: readonly ImportFileData[],
): Promise<{ records: ImportRecord[]; problems: ImportProblem[] }> {
  const { parseImportFiles, unzipMarkdown } = await fileFormats();
  const texts: ImportFile[] = [];
  const records: ImportRecord[] = [];
  const problems: ImportProblem[] = [];
  for (const file of files) {
    const name = file.name.toLowerCase();
    if (file.bytes.byteLength > MAX_IMPORT_FILE_BYTES) {
      problems.push({ file: file.name, position: null, reason: tooLarge() });
    } else if (name.endsWith('.zip')) {
      try {
        const entries = unzipMarkdown(file.bytes);
        if (entries.length === 0)
          problems.push({ file: file.name, position: null, reason: 'No Markdown files in this zip.' });
        texts.push(...entries);
      } catch (error) {
        problems.push({
          file: file.name,
          position: null,
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    } else if (name.endsWith('.automerge')) {
      let found: ImportRecord[];
      try {
        found = liveRecords(Automerge.load<CollectionDoc>(file.bytes));
      } catch {
        problems.push({
          file: file.name,
          position: null,
          reason: 'Not an Automerge document exported by Pinax.',
        });
        continue;
      }
      // A document from a file is as hostile as any other input: the same checks as JSON records.
      found.forEach((raw, index) => {
        const checked = checkRecord(raw);
        if (checked.ok) records.push(checked.record);
        else problems.push({ file: file.name, position: index + 1, reason: checked.reason });
      });
    } else {
      texts.push(file);
    }
  }
  const parsed = parseImportFiles(texts);
  return { records: [...records, ...parsed.records], problems: [...problems, ...parsed.problems] };
}

/**
 * The parsers and writers of JSON, Markdown and zip files, loaded apart from the engine: with the
 * YAML and zip libraries they are a fifth of its code, which every start would otherwise parse and
 * compile before the engine could answer anything (~35 ms on a fresh device).
 */
async function fileFormats() {
  const [{ parseImportFiles }, { exportJson, exportMarkdownZip, unzipMarkdown }] = await Promise.all([
    import('../transfer/import-parse.ts'),
    import('../transfer/export-format.ts'),
  ]);
  return { parseImportFiles, exportJson, exportMarkdownZip, unzipMarkdown };
}

function tooLarge(): string {
  return `File is larger than ${Math.round(MAX_IMPORT_FILE_BYTES / 1_000_000)} MB.`;
}

function fileSlug(name: string): string {
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return slug || 'collection';
}

const log = makeLogger('pinax:transfer');
