import type { IncomingHttpHeaders } from 'node:http';
import { createCache } from '../cache';
import { hashApiKey } from './keys';
import type { RegisteredClient } from './types';
import type { CitizenTokenVerifier } from './citizen-token';
import { looksLikeJwt } from './citizen-token';
import type { AccessStore } from './store';
import type { Viewer } from './viewer';

/** Longest header value taken from a request; anything longer is a mistake or an attack. */
const MAX_HEADER = 256;

function header(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  if (!text) return null;
  const trimmed = text.trim();
  return trimmed === '' ? null : trimmed.slice(0, MAX_HEADER);
}

/**
 * Authenticated clients, by the hash of their key, for a few seconds: a revoked or rotated key
 * stops working within that time, and a busy client costs no lookup per request.
 */
export function createClientCache(ttlMs = 3000) {
  const cache = createCache<{ client: RegisteredClient }>({ max: 1000, ttlMs });
  return {
    async authenticate(store: AccessStore, apiKey: string): Promise<RegisteredClient | null> {
      const hash = hashApiKey(apiKey);
      const hit = cache.get(hash);
      if (hit) return hit.client;
      const client = await store.authenticate(apiKey);
      if (client) cache.set(hash, { client });
      return client;
    },
    clear: () => cache.clear(),
  };
}

export type ClientCache = ReturnType<typeof createClientCache>;

/**
 * Who is asking: a registered client by its API key, or a citizen by an identity token
 * (`Authorization: Bearer ...`), with the purpose, actor and case the request declares.
 * Null when the credential is missing, unknown, revoked or expired.
 */
export async function authenticateRequest(
  headers: IncomingHttpHeaders,
  store: AccessStore,
  clients: ClientCache,
  citizenTokens: CitizenTokenVerifier,
): Promise<Viewer | null> {
  const authorization = headers.authorization ?? '';
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  if (!match) return null;
  const credential = match[1];
  const purpose = header(headers, 'x-purpose');
  const actor = header(headers, 'x-actor');
  const caseId = header(headers, 'x-case-id');
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
  const client = await clients.authenticate(store, credential);
  if (!client) return null;
  return {
    kind: 'client',
    client,
    purpose,
    policy: purpose ? (client.purposes.get(purpose) ?? null) : null,
    actor,
    caseId,
  };
}
