import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { toPrivateKey } from '../audit/keys';
import { HttpWitnessClient } from './client';
import {
  COSIGNATURE_ED25519,
  NOTE_ED25519,
  encodeVerifierKey,
  noteSigner,
  noteVerifier,
  parseVerifierKey,
  type NoteSigner,
} from './note';
import type { WitnessTarget } from './witnesses';

/** The origin line of the gateway's log when AUDIT_LOG_ORIGIN is unset. */
export const DEFAULT_LOG_ORIGIN = 'national-data-gateway.localhost/audit';

/** A list variable: comma- or whitespace-separated. */
export function listFrom(value: string | undefined): string[] {
  return (value ?? '').split(/[\s,]+/).filter((item) => item.length > 0);
}

/** The log's origin: AUDIT_LOG_ORIGIN, else the default; a note key name (no spaces, no "+"). */
export function logOriginFrom(env: NodeJS.ProcessEnv): string {
  const origin = env.AUDIT_LOG_ORIGIN || DEFAULT_LOG_ORIGIN;
  if (/[\s+]/.test(origin)) throw new Error('AUDIT_LOG_ORIGIN must hold no spaces and no "+"');
  return origin;
}

/**
 * The witnesses of AUDIT_WITNESS_URL, each paired with its key in AUDIT_WITNESS_KEYS (verifier
 * keys `name+id+base64`, in the same order): a witness's answers count only when its key signs them.
 */
export function witnessTargetsFrom(
  urls: string[],
  keys: string[],
  timeoutMs?: number,
): WitnessTarget[] {
  if (urls.length === 0) return [];
  if (keys.length !== urls.length) {
    throw new Error(
      `AUDIT_WITNESS_KEYS must give one verifier key per AUDIT_WITNESS_URL (${urls.length} URLs, ${keys.length} keys)`,
    );
  }
  return urls.map((url, index) => {
    try {
      new URL(url);
    } catch {
      throw new Error(`AUDIT_WITNESS_URL: "${url}" is not a URL`);
    }
    let key;
    try {
      key = parseVerifierKey(keys[index]);
    } catch (error) {
      throw new Error(`AUDIT_WITNESS_KEYS[${index}]: ${(error as Error).message}`, {
        cause: error,
      });
    }
    if (key.type !== COSIGNATURE_ED25519) {
      throw new Error(`AUDIT_WITNESS_KEYS[${index}] is not a witness cosigning key (type 0x04)`);
    }
    return { client: new HttpWitnessClient(url, timeoutMs), key };
  });
}

/** The log's verifier key for a witness's WITNESS_LOG_KEYS: its origin and public key. */
export function logVerifierKey(origin: string, publicKey: KeyObject): string {
  return encodeVerifierKey(noteVerifier(origin, NOTE_ED25519, publicKey));
}

/** The witness's cosigning key and whether it was generated for lack of one. */
export interface LoadedWitnessKey {
  signer: NoteSigner;
  generated: boolean;
}

/**
 * The witness key: WITNESS_SIGNING_KEY (PEM) or WITNESS_SIGNING_KEY_FILE, named WITNESS_NAME;
 * else a generated one, kept in `generatedKeyFile` when given.
 */
export function loadWitnessKey(
  env: NodeJS.ProcessEnv,
  options: { generatedKeyFile?: string; defaultName?: string } = {},
): LoadedWitnessKey {
  const name = env.WITNESS_NAME || options.defaultName || 'witness.localhost/ndg';
  const signer = (key: KeyObject | string) =>
    noteSigner(name, COSIGNATURE_ED25519, toPrivateKey(key, 'the witness signing key'));
  if (env.WITNESS_SIGNING_KEY) return { signer: signer(env.WITNESS_SIGNING_KEY), generated: false };
  if (env.WITNESS_SIGNING_KEY_FILE) {
    return { signer: signer(readFileSync(env.WITNESS_SIGNING_KEY_FILE, 'utf8')), generated: false };
  }
  const file = options.generatedKeyFile;
  if (file && existsSync(file))
    return { signer: signer(readFileSync(file, 'utf8')), generated: true };
  const { privateKey } = generateKeyPairSync('ed25519');
  if (file) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600 });
  }
  return { signer: signer(privateKey), generated: true };
}

/** The logs a witness accepts, from WITNESS_LOG_KEYS (verifier keys named by each log's origin). */
export function witnessLogKeysFrom(env: NodeJS.ProcessEnv) {
  const keys = listFrom(env.WITNESS_LOG_KEYS).map((text, index) => {
    try {
      return parseVerifierKey(text);
    } catch (error) {
      throw new Error(`WITNESS_LOG_KEYS[${index}]: ${(error as Error).message}`, { cause: error });
    }
  });
  if (keys.length === 0) {
    throw new Error(
      'WITNESS_LOG_KEYS is required: the verifier key of each log to witness (npm run audit -- log-key prints it)',
    );
  }
  for (const key of keys) {
    if (key.type !== NOTE_ED25519)
      throw new Error(`WITNESS_LOG_KEYS: ${key.name} is not a log key`);
  }
  return keys;
}
