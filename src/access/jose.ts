import * as jose from 'jose';

/** The `jose` module's API. */
export type Jose = typeof jose;

/**
 * `jose` for signing and verifying JWTs. Major 5 is kept: it ships CommonJS, which every
 * runner here loads directly (6 is an ES module only, and a dynamic import of it breaks under
 * jest once a second test file runs in the same worker).
 */
export function loadJose(): Promise<Jose> {
  return Promise.resolve(jose);
}
