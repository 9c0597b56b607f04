// Document ids are decoded once (the patched automerge-repo, see patches/README.md): bs58check
// checks every decode with two SHA-256 rounds in JavaScript, and the same few ids are decoded on
// every find() and every URL check. bs58check is a dev dependency at automerge-repo's own range, so
// the test spies on the very module automerge-repo calls.

import type { DocumentId } from '@automerge/automerge-repo';
import {
  documentIdToBinary,
  generateAutomergeUrl,
  isValidAutomergeUrl,
  isValidDocumentId,
  parseAutomergeUrl,
} from '@automerge/automerge-repo';
import bs58check from 'bs58check';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('document ids', () => {
  it('are decoded once however often they are checked', () => {
    const url = generateAutomergeUrl();
    const { documentId } = parseAutomergeUrl(url);
    const decode = vi.spyOn(bs58check, 'decodeUnsafe');
    for (let i = 0; i < 5; i++) {
      expect(isValidDocumentId(documentId)).toBe(true);
      expect(isValidAutomergeUrl(url)).toBe(true);
    }
    expect(decode).toHaveBeenCalledTimes(0);

    // Cut from a new URL, not parsed: never decoded before.
    const fresh = generateAutomergeUrl().slice('automerge:'.length);
    decode.mockClear();
    for (let i = 0; i < 5; i++) expect(isValidDocumentId(fresh)).toBe(true);
    expect(decode).toHaveBeenCalledTimes(1);
  });

  it('hand out copies: changing one changes no later answer', () => {
    const { documentId, binaryDocumentId } = parseAutomergeUrl(generateAutomergeUrl());
    const first = documentIdToBinary(documentId);
    expect(first).toEqual(binaryDocumentId);
    first![0] = first![0]! ^ 0xff;
    expect(documentIdToBinary(documentId)).toEqual(binaryDocumentId);
  });

  it('still tell a bad id from a good one, the second time too', () => {
    const good = parseAutomergeUrl(generateAutomergeUrl()).documentId;
    // One character changed: the checksum no longer matches.
    const bad = ((good[0] === 'A' ? 'B' : 'A') + good.slice(1)) as DocumentId;
    for (let i = 0; i < 2; i++) {
      expect(isValidDocumentId(good)).toBe(true);
      expect(isValidDocumentId(bad)).toBe(false);
      expect(documentIdToBinary(bad)).toBeUndefined();
      expect(isValidAutomergeUrl(`automerge:${bad}`)).toBe(false);
      expect(isValidDocumentId('x'.repeat(500))).toBe(false);
    }
  });
});
