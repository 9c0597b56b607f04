// A user's personal documents: the home document (joined collections, devices, follows) and the
// activity stream. The relay lets only that user's devices write them, once an engine registers
// them (src/server/access-registry.ts); a home is read by the user's devices alone too.

export const HOME_KIND = 'pinax.home';

export const PERSONAL_KINDS = ['home', 'activity'] as const;
export type PersonalKind = (typeof PERSONAL_KINDS)[number];

export function isPersonalKind(value: unknown): value is PersonalKind {
  return PERSONAL_KINDS.includes(value as PersonalKind);
}
