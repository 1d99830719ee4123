import { LRUCache } from 'lru-cache';

/**
 * The one way to make a cache that outlives a request: always bounded in size and age. Only
 * reference data (administrative units, industry codes) goes in one; personal data never does.
 */
export function createCache<V extends object>(options: {
  max: number;
  ttlMs: number;
}): LRUCache<string, V> {
  return new LRUCache<string, V>({ max: options.max, ttl: options.ttlMs, updateAgeOnGet: false });
}

export type Cache<V extends object> = LRUCache<string, V>;
