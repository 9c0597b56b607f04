/**
 * Narrows a tagged union for Solid's `<Match when>`: the value when its tag matches, else
 * undefined, so the child callback receives the narrowed variant.
 */
export function variant<T, K extends keyof T, const V extends T[K]>(
  value: T,
  key: K,
  tag: V,
): Extract<T, Record<K, V>> | undefined {
  return value[key] === tag ? (value as Extract<T, Record<K, V>>) : undefined;
}
