// Field limits, checked by the engine before anything is written and by the UI to show the error
// next to the field before a command is even sent.

export const LIMITS = {
  nameMinChars: 1,
  nameMaxChars: 200,
  descriptionMaxChars: 5_000,
  titleMaxChars: 1_000,
  bodyMaxBytes: 1_000_000,
  tagMaxChars: 100,
  tagsMax: 100,
  /** Largest message a tab may post to the engine; anything larger is dropped unread. */
  rpcMaxStringChars: 2_000_000,
} as const;

export type FieldName = 'name' | 'description' | 'title' | 'body' | 'tags';

export interface FieldError {
  field: FieldName;
  message: string;
}

export function checkName(name: string): FieldError | undefined {
  const trimmed = name.trim();
  if (trimmed.length < LIMITS.nameMinChars) return { field: 'name', message: 'Name is required.' };
  if (trimmed.length > LIMITS.nameMaxChars)
    return {
      field: 'name',
      message: `Name is too long: ${trimmed.length} of at most ${LIMITS.nameMaxChars} characters.`,
    };
  return undefined;
}

export function checkDescription(description: string): FieldError | undefined {
  if (description.length > LIMITS.descriptionMaxChars)
    return {
      field: 'description',
      message: `Description is too long: ${description.length} of at most ${LIMITS.descriptionMaxChars} characters.`,
    };
  return undefined;
}

export function checkTitle(title: string): FieldError | undefined {
  if (title.length > LIMITS.titleMaxChars)
    return {
      field: 'title',
      message: `Title is too long: ${title.length} of at most ${LIMITS.titleMaxChars} characters.`,
    };
  return undefined;
}

export function checkBody(body: string): FieldError | undefined {
  // A UTF-16 code unit is at most 3 UTF-8 bytes (a surrogate pair: 2 units, 4 bytes), so a body this
  // short needs no counting: an import checks 10k bodies, ~30 ms of counting in Node.
  if (body.length * 3 <= LIMITS.bodyMaxBytes) return undefined;
  const bytes = utf8ByteLength(body);
  if (bytes > LIMITS.bodyMaxBytes)
    return {
      field: 'body',
      message: `Body is too large: ${formatBytes(bytes)} of at most ${formatBytes(LIMITS.bodyMaxBytes)}. Nothing was saved.`,
    };
  return undefined;
}

export function checkTags(tags: readonly string[]): FieldError | undefined {
  if (tags.length > LIMITS.tagsMax)
    return { field: 'tags', message: `Too many tags: ${tags.length} of at most ${LIMITS.tagsMax}.` };
  const long = tags.find((t) => t.length > LIMITS.tagMaxChars);
  if (long !== undefined)
    return { field: 'tags', message: `A tag is too long: at most ${LIMITS.tagMaxChars} characters.` };
  return undefined;
}

/** Splits "a, b ,,c" into unique trimmed tags, keeping first-seen order. */
export function parseTags(input: string): string[] {
  const seen = new Set<string>();
  for (const raw of input.split(',')) {
    const tag = raw.trim();
    if (tag) seen.add(tag);
  }
  return [...seen];
}

/** UTF-8 length without TextEncoder, which the shared (no-DOM) code may not assume. */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function formatBytes(bytes: number): string {
  // Near the limit, rounding would read "1.0 MB of at most 1.0 MB": give exact counts there.
  if (Math.abs(bytes - LIMITS.bodyMaxBytes) < 100_000) return `${bytes.toLocaleString('en-US')} bytes`;
  if (bytes >= 1_000_000) return `${(bytes / 1_000_000).toFixed(1)} MB`;
  if (bytes >= 1_000) return `${(bytes / 1_000).toFixed(0)} KB`;
  return `${bytes} bytes`;
}
