/**
 * Helpers that realign the rows of one batched call to the keys that asked for them, as
 * DataLoader requires: one entry per key, in key order, whatever order the source used.
 */

/** One row (or null) per key. */
export function alignOne<K, R>(
  keys: readonly K[],
  rows: readonly R[],
  keyOf: (row: R) => K,
): (R | null)[] {
  const byKey = new Map<K, R>();
  for (const row of rows) byKey.set(keyOf(row), row);
  return keys.map((key) => byKey.get(key) ?? null);
}

/** Every matching row per key (an empty list where none). */
export function alignMany<K, R>(
  keys: readonly K[],
  rows: readonly R[],
  keyOf: (row: R) => K,
): R[][] {
  const byKey = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  return keys.map((key) => byKey.get(key) ?? []);
}

/** The distinct keys of a batch, so that a source is never asked twice for the same record. */
export function distinct<K>(keys: readonly K[]): K[] {
  return [...new Set(keys)];
}
