// The relay's discovery directory (seed 000's registry): one Automerge document at a well-known
// address, created on first start and kept in the data directory. Clients read and write it like
// any document (publish = add an entry, unpublish = delete it); GET /directory says where it is.

import fs from 'node:fs';
import path from 'node:path';
import type { AutomergeUrl, Repo } from '@automerge/automerge-repo';
import { isValidAutomergeUrl } from '@automerge/automerge-repo';
import type { Logger } from '../shared/log.ts';

export const DIRECTORY_PATH = '/directory';
const DIRECTORY_FILE = 'directory.json';

/** The directory document's URL, creating the document the first time. */
export async function ensureDirectory(repo: Repo, dataDir: string, log: Logger): Promise<AutomergeUrl> {
  const file = path.join(dataDir, DIRECTORY_FILE);
  try {
    const saved = JSON.parse(await fs.promises.readFile(file, 'utf8')) as { url?: unknown };
    if (typeof saved.url === 'string' && isValidAutomergeUrl(saved.url)) return saved.url;
    log.warn(`${file} does not hold a document URL; creating a new directory`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`could not read ${file}`, error);
  }
  const handle = repo.create({ kind: 'pinax.directory', schema: 1, entries: {} });
  await repo.flush([handle.documentId]);
  await fs.promises.writeFile(file, `${JSON.stringify({ url: handle.url })}\n`);
  log.info('created the directory document');
  return handle.url;
}
