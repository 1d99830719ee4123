/**
 * What went wrong with a request to the access store, in terms a caller can act on:
 * `INVALID` (malformed or not allowed: a citizen's consent maps it to `BAD_USER_INPUT`),
 * `NOT_FOUND` (no such client, consent or operation) and `CONFLICT` (the state forbids it).
 */
export type AccessErrorKind = 'INVALID' | 'NOT_FOUND' | 'CONFLICT';

/** An expected refusal of the access store; `argument` names the input at fault, if one is. */
export class AccessError extends Error {
  constructor(
    readonly kind: AccessErrorKind,
    message: string,
    readonly argument?: string,
  ) {
    super(message);
    this.name = 'AccessError';
  }
}
