import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Characters an API key may have: never a dot, so a key is never mistaken for a JWT. */
export const API_KEY_PATTERN = /^[A-Za-z0-9_-]{8,256}$/;

/** A new random API key: 32 bytes, base64url. */
export function generateApiKey(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256 of a key, hex: all the store keeps of it. */
export function hashApiKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}

/** The last 4 characters, so an operator can tell keys apart without seeing them. */
export function keyHint(apiKey: string): string {
  return apiKey.slice(-4);
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** SHA-256 of an operation document, hex, as persisted operations are registered under. */
export function operationHash(document: string): string {
  return createHash('sha256').update(document, 'utf8').digest('hex');
}
