import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkpointPayload } from './canonical';

/** The Ed25519 key that signs checkpoints, with what a verifier needs to know about it. */
export interface AuditSigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** RFC 7638 JWK thumbprint of the public key; stored with each checkpoint. */
  keyId: string;
  publicKeyPem: string;
  /** True when no key was configured and this one lives only as long as the process. */
  generated: boolean;
}

function assertEd25519(key: KeyObject, where: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${where} must be an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  }
  return key;
}

// Environment variables often carry PEM with literal "\n" sequences.
function pemFromEnv(value: string): string {
  return value.includes('\\n') ? value.replace(/\\n/g, '\n') : value;
}

/** RFC 7638 thumbprint (base64url SHA-256 of the canonical JWK) of an Ed25519 public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** An Ed25519 private key from a KeyObject or PEM (PKCS#8). */
export function toPrivateKey(key: KeyObject | string, where = 'the audit signing key'): KeyObject {
  const object = typeof key === 'string' ? createPrivateKey(pemFromEnv(key)) : key;
  if (object.type !== 'private') throw new Error(`${where} must be a private key`);
  return assertEd25519(object, where);
}

/** An Ed25519 public key from a KeyObject or PEM (public, or private from which it is derived). */
export function toPublicKey(
  key: KeyObject | string,
  where = 'an audit verification key',
): KeyObject {
  const object = typeof key === 'string' ? createPublicKey(pemFromEnv(key)) : key;
  return assertEd25519(object.type === 'private' ? createPublicKey(object) : object, where);
}

/** Wraps a private key with its public half and key id. */
export function signingKeyFrom(key: KeyObject | string, generated = false): AuditSigningKey {
  const privateKey = toPrivateKey(key);
  const publicKey = createPublicKey(privateKey);
  return {
    privateKey,
    publicKey,
    keyId: keyIdOf(publicKey),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    generated,
  };
}

/** Options of `loadSigningKey`. */
export interface LoadSigningKeyOptions {
  /**
   * Where to keep a generated key (PEM, mode 0600), so that an embedded database kept on disk
   * still verifies after a restart. Without it a generated key lives as long as the process.
   */
  generatedKeyFile?: string;
}

/**
 * The checkpoint signing key from AUDIT_SIGNING_KEY (PEM) or AUDIT_SIGNING_KEY_FILE; with neither,
 * a generated key (embedded/demo mode), reused from and saved to `generatedKeyFile` when given.
 */
export function loadSigningKey(
  env: NodeJS.ProcessEnv = process.env,
  options: LoadSigningKeyOptions = {},
): AuditSigningKey {
  if (env.AUDIT_SIGNING_KEY)
    return signingKeyFrom(readKey(env.AUDIT_SIGNING_KEY, 'AUDIT_SIGNING_KEY'));
  if (env.AUDIT_SIGNING_KEY_FILE) {
    return signingKeyFrom(readKeyFile(env.AUDIT_SIGNING_KEY_FILE, 'AUDIT_SIGNING_KEY_FILE'));
  }
  const file = options.generatedKeyFile;
  if (file && existsSync(file))
    return signingKeyFrom(readKeyFile(file, 'the generated key file'), true);
  const key = signingKeyFrom(generateKeyPairSync('ed25519').privateKey, true);
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, key.privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  }
  return key;
}

/**
 * Public keys that checkpoints may be signed with: AUDIT_PUBLIC_KEY or AUDIT_PUBLIC_KEY_FILE
 * (one or more PEM blocks, so retired keys keep verifying), plus the public half of a configured
 * AUDIT_SIGNING_KEY(_FILE). Empty when nothing is configured.
 */
export function loadVerificationKeys(env: NodeJS.ProcessEnv = process.env): KeyObject[] {
  const keys: KeyObject[] = [];
  const blocks = (pem: string, where: string) => {
    const found = pemFromEnv(pem).match(/-----BEGIN [^-]+-----[\s\S]+?-----END [^-]+-----/g);
    if (!found) throw new Error(`${where} holds no PEM key`);
    for (const block of found) keys.push(toPublicKey(block, where));
  };
  if (env.AUDIT_PUBLIC_KEY) blocks(env.AUDIT_PUBLIC_KEY, 'AUDIT_PUBLIC_KEY');
  if (env.AUDIT_PUBLIC_KEY_FILE) {
    blocks(readText(env.AUDIT_PUBLIC_KEY_FILE, 'AUDIT_PUBLIC_KEY_FILE'), 'AUDIT_PUBLIC_KEY_FILE');
  }
  if (env.AUDIT_SIGNING_KEY || env.AUDIT_SIGNING_KEY_FILE) keys.push(loadSigningKey(env).publicKey);
  return keys;
}

function readText(path: string, variable: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`, {
      cause: error,
    });
  }
}

function readKeyFile(path: string, variable: string): KeyObject {
  return readKey(readText(path, variable), variable);
}

function readKey(pem: string, variable: string): KeyObject {
  try {
    return toPrivateKey(pem, variable);
  } catch (error) {
    throw new Error(
      `${variable} is not an Ed25519 private key in PEM: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

/** Signs a checkpoint; returns the signature in base64. */
export function signCheckpoint(
  key: AuditSigningKey,
  seq: string,
  hash: string,
  atText: string,
): string {
  return sign(null, checkpointPayload(seq, hash, atText, key.keyId), key.privateKey).toString(
    'base64',
  );
}

/** True when `signature` is a valid signature of the checkpoint by `publicKey`. */
export function checkpointSignatureValid(
  publicKey: KeyObject,
  keyId: string,
  seq: string,
  hash: string,
  atText: string,
  signature: string,
): boolean {
  try {
    return verify(
      null,
      checkpointPayload(seq, hash, atText, keyId),
      publicKey,
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}
