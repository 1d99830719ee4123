import { createPublicKey, type KeyObject } from 'node:crypto';
import { loadJose } from './jose';

/** The `aud` the gateway expects in citizen identity tokens. */
export const GATEWAY_AUDIENCE = 'national-data-gateway';

/** The citizen a valid identity token speaks for. */
export interface CitizenIdentity {
  citizenId: string;
  /** Level of assurance (`loa`), at least `minLevel`. */
  level: number;
  expiresAt: Date;
}

/** Options of `createCitizenTokenVerifier`. */
export interface CitizenTokenVerifierOptions {
  /** The issuer's Ed25519 public key (PEM, SPKI). */
  publicKeyPem: string;
  /** Expected `iss`. */
  issuer: string;
  /** Expected `aud`; default `national-data-gateway`. */
  audience?: string;
  /** Lowest level of assurance accepted; default 2. */
  minLevel?: number;
  /** Clock skew tolerated on `exp`, `iat` and `nbf`; default 30 seconds. */
  clockToleranceSeconds?: number;
}

/** Checks citizen identity tokens. */
export interface CitizenTokenVerifier {
  /** The identity in `token`, or null when it is malformed, forged, expired or too weak. */
  verify(token: string): Promise<CitizenIdentity | null>;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const MAX_TOKEN_LENGTH = 8192;
const CITIZEN_ID = /^\d{12}$/;

/** True when a bearer credential has the shape of a JWT (API keys never contain a dot). */
export function looksLikeJwt(credential: string): boolean {
  return (
    typeof credential === 'string' &&
    credential.length <= MAX_TOKEN_LENGTH &&
    JWT_SHAPE.test(credential)
  );
}

/**
 * Builds a verifier of citizen identity tokens: EdDSA signature by the configured issuer,
 * `iss`, `aud`, `exp`, a 12-digit `sub` and `loa` of at least `minLevel`. A key that is not an
 * Ed25519 public key is a configuration error and throws here; bad tokens never throw.
 */
export function createCitizenTokenVerifier(
  options: CitizenTokenVerifierOptions,
): CitizenTokenVerifier {
  const key: KeyObject = createPublicKey(options.publicKeyPem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(
      `the citizen token issuer key must be an Ed25519 public key, not ${key.asymmetricKeyType}`,
    );
  }
  const issuer = options.issuer;
  const audience = options.audience ?? GATEWAY_AUDIENCE;
  const minLevel = options.minLevel ?? 2;
  const clockTolerance = options.clockToleranceSeconds ?? 30;
  return {
    async verify(token) {
      if (!looksLikeJwt(token)) return null;
      const { jwtVerify } = await loadJose();
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: ['EdDSA'],
          issuer,
          audience,
          clockTolerance,
          requiredClaims: ['sub', 'exp'],
        });
        const level = payload.loa;
        if (typeof payload.sub !== 'string' || !CITIZEN_ID.test(payload.sub)) return null;
        if (typeof level !== 'number' || !Number.isInteger(level) || level < minLevel) return null;
        return {
          citizenId: payload.sub,
          level,
          expiresAt: new Date((payload.exp as number) * 1000),
        };
      } catch {
        // Every failure of a presented token (forged, expired, wrong audience) means "not valid".
        return null;
      }
    },
  };
}
