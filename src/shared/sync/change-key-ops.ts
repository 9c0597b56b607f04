// The operations of a change that write one map key, read straight from the change's columns. The
// relay's authorship review needs only the operations on `author`, and `Automerge.decodeChange`
// turns every operation and value of a change into JavaScript to give them: for a 1,000-item import
// batch (1 KB bodies) 67-87 ms on this machine, about a quarter of the relay's CPU per import.
// Reading three columns and comparing key bytes skips building any of that.
//
// Layout (Automerge binary format, change chunk), after the header changeHeaderOf reads: other
// actors (uLEB count, each uLEB length + bytes), column metadata (uLEB count, then a uLEB spec and
// a uLEB length per column, specs in ascending order), the columns' data back to back, then
// extra bytes. A spec is `id << 4 | deflate << 3 | type`. The columns read here:
// - keyStr (id 1, string RLE): the map key of each operation, null for list positions;
// - action (id 4, uLEB RLE): 0 makeMap, 1 set, 2 makeList, 3 del, 4 makeText, 5 inc, ...;
// - valMeta (id 5, uLEB RLE): per operation, the value's type (low 4 bits) and byte length;
// - valRaw (id 5, raw bytes): the values back to back, in the lengths valMeta gives.
// An RLE column is a sequence of runs, each starting with an sLEB count: n > 0 is one value
// repeated n times, n < 0 is -n literal values, 0 is a uLEB count of nulls.
//
// This reader vouches only for changes whose columns it understands completely: any doubt (a
// deflated column, specs out of order, columns that disagree on the number of operations, values
// that do not add up, an invalid UTF-8 value on the key) returns undefined, and the caller decodes the change with
// Automerge instead. So a crafted change can cost the relay time, never slip past the review.

import type { ChangeOperation } from '../access/authorship.ts';
import { ByteReader } from './byte-reader.ts';
import type { ChangeHeader } from './change-header.ts';

/**
 * The operations of the change chunk `chunk` (whose header is `header`) that write map key `key`,
 * in the shape `Automerge.decodeChange(chunk).ops` gives them: action, key, and the value when it
 * is a string (other values are left out: callers only tell strings apart). Undefined when the
 * chunk is not one this reader can vouch for.
 */
export function operationsOnKey(
  chunk: Uint8Array,
  header: Pick<ChangeHeader, 'end'>,
  key: string,
): ChangeOperation[] | undefined {
  try {
    return readOperationsOnKey(chunk, header.end, UTF8_ENCODER.encode(key), key);
  } catch {
    return undefined; // malformed: Automerge decides
  }
}

// ---- helpers ----

const KEY_STR = (1 << 4) | 5;
const ACTION = (4 << 4) | 2;
const VALUE_META = (5 << 4) | 6;
const VALUE_RAW = (5 << 4) | 7;
const DEFLATE_BIT = 1 << 3;
/** The value type (valMeta's low 4 bits) of a UTF-8 string. */
const UTF8_TYPE = 6;
const ACTIONS = ['makeMap', 'set', 'makeList', 'del', 'makeText', 'inc', 'makeTable', 'mark'];
/** The actions whose operations Automerge.decodeChange gives with a value. */
const VALUED_ACTIONS: ReadonlySet<string> = new Set(['set', 'inc', 'mark']);

const UTF8_ENCODER = new TextEncoder();
const UTF8 = new TextDecoder('utf-8', { fatal: true });

function readOperationsOnKey(
  chunk: Uint8Array,
  headerEnd: number,
  keyBytes: Uint8Array,
  key: string,
): ChangeOperation[] | undefined {
  const reader = new ByteReader(chunk, headerEnd, bodyEndOf(chunk));
  const otherActors = reader.uleb();
  for (let i = 0; i < otherActors; i++) reader.bytes(reader.uleb());
  const columns = new Map<number, Uint8Array>();
  const specs: Array<{ spec: number; length: number }> = [];
  const count = reader.uleb();
  for (let i = 0; i < count; i++) {
    const spec = reader.uleb();
    const length = reader.uleb();
    if (spec & DEFLATE_BIT) return undefined;
    if (specs.length > 0 && spec <= specs[specs.length - 1]!.spec) return undefined;
    specs.push({ spec, length });
  }
  for (const { spec, length } of specs) columns.set(spec, reader.bytes(length));

  const keys = columns.has(KEY_STR) ? stringRuns(columns.get(KEY_STR)!) : [];
  const actions = columns.has(ACTION) ? ulebRuns(columns.get(ACTION)!) : [];
  const metas = columns.has(VALUE_META) ? ulebRuns(columns.get(VALUE_META)!) : [];
  const raw = columns.get(VALUE_RAW) ?? new Uint8Array(0);
  const operations = actions.length;
  // Automerge writes every operation's key, action and value metadata: fewer in any column means a
  // change it did not write, read here one way and perhaps another way there.
  if ((keys.length !== operations && keys.length !== 0) || metas.length !== operations) return undefined;

  const found: ChangeOperation[] = [];
  let valueAt = 0;
  for (let op = 0; op < operations; op++) {
    const meta = metas[op] ?? 0;
    const valueLength = Math.floor(meta / 16);
    const value = raw.subarray(valueAt, valueAt + valueLength);
    valueAt += valueLength;
    const opKey = keys[op];
    if (!opKey || !sameBytes(opKey, keyBytes)) continue;
    const code = actions[op];
    if (code === null || code === undefined) return undefined;
    const action = ACTIONS[code] ?? `unknown action ${code}`;
    // Automerge gives a value only for the actions that have one: a "makeMap" whose value bytes
    // hold a string (a damaged action byte) is still just a makeMap.
    found.push(
      meta % 16 === UTF8_TYPE && VALUED_ACTIONS.has(action)
        ? { action, key, value: UTF8.decode(value) }
        : { action, key },
    );
  }
  if (valueAt !== raw.length) return undefined;
  return found;
}

/** Where a chunk's body ends: magic, checksum and type (9 bytes), the uLEB body length, the body. */
function bodyEndOf(chunk: Uint8Array): number {
  const reader = new ByteReader(chunk, 9);
  const length = reader.uleb();
  return reader.at + length;
}

/** A string RLE column's values, as UTF-8 byte ranges (null for a null). */
function stringRuns(column: Uint8Array): Array<Uint8Array | null> {
  // Not checked for valid UTF-8: a key equal to the probed key's bytes is valid, and Automerge
  // refuses to apply a change with any invalid one.
  return runs(column, (reader) => reader.bytes(reader.uleb()));
}

/** A uLEB RLE column's values. */
function ulebRuns(column: Uint8Array): Array<number | null> {
  return runs(column, (reader) => reader.uleb());
}

function runs<T>(column: Uint8Array, readValue: (reader: ByteReader) => T): Array<T | null> {
  const reader = new ByteReader(column, 0);
  const values: Array<T | null> = [];
  while (!reader.done) {
    const count = reader.sleb();
    const adds = count === 0 ? undefined : Math.abs(count);
    if (adds !== undefined && values.length + adds > MAX_OPERATIONS) throw new Error('too many operations');
    if (count > 0) {
      const value = readValue(reader);
      for (let i = 0; i < count; i++) values.push(value);
    } else if (count < 0) {
      for (let i = 0; i < -count; i++) values.push(readValue(reader));
    } else {
      const nulls = reader.uleb();
      if (values.length + nulls > MAX_OPERATIONS) throw new Error('too many operations');
      for (let i = 0; i < nulls; i++) values.push(null);
    }
  }
  return values;
}

/**
 * More operations than this reader takes on (a 1,000-item import batch has ~10,000): larger changes,
 * and runs crafted to claim billions, go to Automerge.
 */
const MAX_OPERATIONS = 1_000_000;

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
