import { createCache } from '../cache';
import { looksLikeJwt, type CitizenTokenVerifier } from '../access/citizen-token';
import { hashApiKey } from '../access/keys';
import type { AccessStore } from '../access/store';
import type { RegisteredClient } from '../access/types';
import type { Viewer } from '../access/viewer';
import type { RequestFacts } from './request';

/** Who is asking, from the request's credential: a registered client or a citizen. */
export interface Authenticator {
  /** The viewer, or null when the credential is missing, unknown, revoked or expired. */
  authenticate(facts: RequestFacts): Promise<Viewer | null>;
  /** Forgets cached clients (after a key is revoked or rotated in this process). */
  forget(): void;
}

/**
 * Builds the authentication stage. Clients are cached by the hash of their key for a few
 * seconds: a revoked or rotated key stops working within that time, and a busy client costs
 * no lookup per request.
 */
export function createAuthenticator(options: {
  store: AccessStore;
  citizenTokens: CitizenTokenVerifier;
  clientCacheMs?: number;
}): Authenticator {
  const { store, citizenTokens } = options;
  const clients = createCache<{ client: RegisteredClient }>({
    max: 1000,
    ttlMs: options.clientCacheMs ?? 3000,
  });

  async function client(apiKey: string): Promise<RegisteredClient | null> {
    const hash = hashApiKey(apiKey);
    const hit = clients.get(hash);
    if (hit) return hit.client;
    const found = await store.authenticate(apiKey);
    if (found) clients.set(hash, { client: found });
    return found;
  }

  return {
    async authenticate(facts) {
      const { credential, purpose, actor, caseId } = facts;
      if (!credential) return null;
      if (looksLikeJwt(credential)) {
        const identity = await citizenTokens.verify(credential);
        if (!identity) return null;
        return {
          kind: 'citizen',
          citizenId: identity.citizenId,
          level: identity.level,
          purpose,
          actor,
          caseId,
        };
      }
      const found = await client(credential);
      if (!found) return null;
      return { kind: 'client', client: found, purpose, actor, caseId };
    },
    forget: () => clients.clear(),
  };
}
