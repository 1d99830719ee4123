/**
 * The stand-in for VNeID, the national electronic identity: it signs citizen identity tokens
 * (JWT, EdDSA) for the embedded default and its tests. Its key pair is derived from a fixed,
 * public seed so that the gateway and the CLI agree without sharing files. Anyone can mint
 * tokens with it: a deployment on real data configures the real issuer's public key instead.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  randomUUID,
  type KeyObject,
} from 'node:crypto';
import { GATEWAY_AUDIENCE } from '../../src/access/citizen-token';
import { loadJose } from '../../src/access/jose';

/** The `iss` of mock tokens. */
export const MOCK_VNEID_ISSUER = 'https://vneid.mock.gov.vn';

export { GATEWAY_AUDIENCE };

/** DEMO ONLY, NOT A SECRET: the seed of the mock issuer's Ed25519 key pair. */
export const MOCK_VNEID_DEMO_SEED_LABEL =
  'national-data-gateway / mock VNeID issuer / DEMO ONLY, NOT A SECRET / 2025';

// PKCS#8 prefix of an Ed25519 private key (RFC 8410): the 32-byte seed follows it.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

const seed = createHash('sha256').update(MOCK_VNEID_DEMO_SEED_LABEL, 'utf8').digest();
const privateKey: KeyObject = createPrivateKey({
  key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]),
  format: 'der',
  type: 'pkcs8',
});

/** The mock issuer's public key, PEM (SPKI). */
export const MOCK_VNEID_PUBLIC_KEY_PEM = createPublicKey(privateKey)
  .export({ format: 'pem', type: 'spki' })
  .toString();

/** Level of assurance: 1 (basic account), 2 (identity verified in person or by chip). */
export type AssuranceLevel = 1 | 2;

/** Options of `issueCitizenToken`. */
export interface IssueOptions {
  /** Default 2; the gateway accepts only 2. */
  level?: AssuranceLevel;
  /** Default 3600. */
  ttlSeconds?: number;
  /** When the token is issued; now by default (tests backdate it to make expired tokens). */
  issuedAt?: Date;
  /** Default `GATEWAY_AUDIENCE`. */
  audience?: string;
}

/** Signs a citizen identity token for `citizenId`, as VNeID would after a login. */
export async function issueCitizenToken(
  citizenId: string,
  {
    level = 2,
    ttlSeconds = 3600,
    issuedAt = new Date(),
    audience = GATEWAY_AUDIENCE,
  }: IssueOptions = {},
): Promise<string> {
  const { SignJWT } = await loadJose();
  const iat = Math.floor(issuedAt.getTime() / 1000);
  return new SignJWT({ loa: level })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT' })
    .setIssuer(MOCK_VNEID_ISSUER)
    .setAudience(audience)
    .setSubject(citizenId)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .setJti(randomUUID())
    .sign(privateKey);
}
