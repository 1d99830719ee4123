import type { AccessStore } from '../access/store';
import type { Viewer } from '../access/viewer';
import { createCache } from '../cache';
import { ErrorCode, refusal } from '../errors';

/**
 * Trusted documents: operations registered in advance (`npm run clients -- operation`) and
 * sent by their SHA-256 id, as Hive Gateway's and Apollo's persisted operations are. An id is
 * resolved to its registered text before anything else, so every later stage (limits,
 * introspection, policy, log) sees the document that runs; nothing is ever registered by a
 * request (no automatic persisted queries). Clients marked persisted-only may run nothing else.
 */
export function createTrustedDocuments(store: AccessStore) {
  // Registered documents never change under their hash: safe to keep for an hour.
  const documents = createCache<{ text: string }>({ max: 5000, ttlMs: 60 * 60 * 1000 });

  return {
    /** Apollo Server's persisted-query cache: reads the registry, never writes. */
    cache: {
      async get(key: string): Promise<string | undefined> {
        // Apollo Server prefixes the keys of its persisted-query cache.
        const hash = key.replace(/^apq:/, '');
        const hit = documents.get(hash);
        if (hit) return hit.text;
        const text = await store.registeredDocument(hash);
        if (text === null) return undefined;
        documents.set(hash, { text });
        return text;
      },
      async set(): Promise<void> {
        // A request never registers a document.
      },
      async delete(): Promise<boolean> {
        return false;
      },
    },

    /** Refuses (FORBIDDEN, 403) a document a persisted-only client has not registered. */
    async check(viewer: Viewer, documentHash: string): Promise<void> {
      if (viewer.kind !== 'client' || !viewer.client.persistedOnly) return;
      if (await store.isRegisteredOperation(viewer.client.id, documentHash)) return;
      throw refusal(
        ErrorCode.FORBIDDEN,
        403,
        `Client "${viewer.client.id}" may run registered operations only; this document is not registered.`,
      );
    },
  };
}

export type TrustedDocuments = ReturnType<typeof createTrustedDocuments>;
