import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import * as jose from 'jose';
import { createCache } from '../cache';
import type { PurposePolicy } from '../access/types';
import type { Viewer } from '../access/viewer';

/** The header that carries the gateway's signed statement on every subgraph call. */
export const STATEMENT_HEADER = 'x-gateway-statement';

/** The `iss` of every statement: the gateway that authenticated the caller. */
export const STATEMENT_ISSUER = 'national-data-gateway';

/** How long a statement is valid: one subgraph call, plus clock skew between processes. */
export const STATEMENT_LIFETIME_SECONDS = 30;

/**
 * Who asks and why, as the gateway authenticated it: a client (with the policy of its purpose,
 * which the subgraph applies again) or a citizen. Absent only for the gateway's own calls
 * (reading a subgraph's SDL at start), which reach no personal data.
 */
export type StatementViewer =
  | { kind: 'client'; id: string; name: string; auditor: boolean; policy: PurposePolicy | null }
  | { kind: 'citizen'; citizenId: string; level: number };

/** What a subgraph learns from a verified statement. */
export interface Statement {
  viewer: StatementViewer | null;
  purpose: string | null;
  actor: string | null;
  caseId: string | null;
  requestId: string;
  /**
   * Where the subgraph asks which consents are in force for this client and purpose, with this
   * statement as its credential; null when the gateway keeps no consent registry.
   */
  consentUrl?: string | null;
  /** The statement's unique id (`jti`); a second use is refused. */
  id: string;
}

/** SHA-256 (hex) of a subgraph request body: binds a statement to the one request it signs. */
export function requestHash(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** The statement form of a viewer authenticated at the gateway. */
export function statementViewer(viewer: Viewer, purpose: string | null): StatementViewer {
  if (viewer.kind === 'citizen') {
    return { kind: 'citizen', citizenId: viewer.citizenId, level: viewer.level };
  }
  return {
    kind: 'client',
    id: viewer.client.id,
    name: viewer.client.name,
    auditor: viewer.client.auditor,
    policy: purpose ? (viewer.client.purposes.get(purpose) ?? null) : null,
  };
}

/** Signs one statement for one subgraph call (EdDSA over Ed25519, the gateway's key). */
export async function signStatement(
  key: KeyObject,
  audience: string,
  body: string,
  claims: Omit<Statement, 'id'>,
): Promise<string> {
  return new jose.SignJWT({
    viewer: claims.viewer,
    purpose: claims.purpose,
    actor: claims.actor,
    caseId: claims.caseId,
    requestId: claims.requestId,
    consentUrl: claims.consentUrl ?? null,
    req: requestHash(body),
  })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'gateway-statement+jwt' })
    .setIssuer(STATEMENT_ISSUER)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime(`${STATEMENT_LIFETIME_SECONDS}s`)
    .setJti(randomUUID())
    .sign(key);
}

/** Why a subgraph refused a call: for its log, never for the caller. */
export class StatementError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StatementError';
  }
}

/**
 * Checks statements addressed to one subgraph: signed by the gateway's key, addressed to this
 * subgraph, unexpired, never seen before, and made for exactly this request body.
 */
export function createStatementVerifier(publicKey: KeyObject, audience: string) {
  // Ids are remembered for as long as a statement can be valid, so a replay is always caught.
  const seen = createCache<{ at: number }>({
    max: 200_000,
    ttlMs: (STATEMENT_LIFETIME_SECONDS + 60) * 1000,
  });
  return {
    async verify(token: string | undefined, body: string): Promise<Statement> {
      if (!token) throw new StatementError('no statement');
      let payload: jose.JWTPayload;
      try {
        ({ payload } = await jose.jwtVerify(token, publicKey, {
          algorithms: ['EdDSA'],
          issuer: STATEMENT_ISSUER,
          audience,
          typ: 'gateway-statement+jwt',
          requiredClaims: ['exp', 'iat', 'jti'],
          maxTokenAge: `${STATEMENT_LIFETIME_SECONDS + 5}s`,
          clockTolerance: 5,
        }));
      } catch (error) {
        throw new StatementError(`statement refused: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (payload.req !== requestHash(body)) {
        throw new StatementError('statement made for another request');
      }
      const id = payload.jti as string;
      if (seen.has(id)) throw new StatementError('statement already used');
      seen.set(id, { at: Date.now() });
      return {
        viewer: (payload.viewer as StatementViewer | null) ?? null,
        purpose: (payload.purpose as string | null) ?? null,
        actor: (payload.actor as string | null) ?? null,
        caseId: (payload.caseId as string | null) ?? null,
        requestId: String(payload.requestId ?? id),
        consentUrl: typeof payload.consentUrl === 'string' ? payload.consentUrl : null,
        id,
      };
    },
  };
}

/**
 * Reads a statement the gateway itself issued, presented back to it by the subgraph it was
 * addressed to (to ask for the consents of its client and purpose): signed by this key,
 * unexpired, addressed to one of `audiences`. It is not bound to this request's body, and may
 * be presented more than once while it is valid: it reads, on behalf of the same request only.
 */
export async function readOwnStatement(
  publicKey: KeyObject,
  token: string | undefined,
  audiences: readonly string[],
): Promise<Statement> {
  if (!token) throw new StatementError('no statement');
  try {
    const { payload } = await jose.jwtVerify(token, publicKey, {
      algorithms: ['EdDSA'],
      issuer: STATEMENT_ISSUER,
      audience: [...audiences],
      typ: 'gateway-statement+jwt',
      requiredClaims: ['exp', 'iat', 'jti'],
      maxTokenAge: `${STATEMENT_LIFETIME_SECONDS + 5}s`,
      clockTolerance: 5,
    });
    return {
      viewer: (payload.viewer as StatementViewer | null) ?? null,
      purpose: (payload.purpose as string | null) ?? null,
      actor: (payload.actor as string | null) ?? null,
      caseId: (payload.caseId as string | null) ?? null,
      requestId: String(payload.requestId ?? payload.jti),
      id: payload.jti as string,
    };
  } catch (error) {
    throw new StatementError(`statement refused: ${(error as Error).message}`, { cause: error });
  }
}

export type StatementVerifier = ReturnType<typeof createStatementVerifier>;
