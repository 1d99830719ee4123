/** Access control's building blocks: clients, purposes, consents, citizen tokens and limits. */
export {
  AccessStore,
  DEFAULT_RATE_LIMIT_PER_MINUTE,
  DEMO_RATE_LIMIT_PER_MINUTE,
  DEMO_PURPOSE,
  EKYC_PURPOSE,
} from './store';
export { migrateAccess, ACCESS_SCHEMA } from './migrations';
export { AccessError } from './errors';
export type { AccessErrorKind } from './errors';
export { fieldAllowed, entriesAllow, entryCovered, FIELD_ENTRY } from './policy';
export { generateApiKey, hashApiKey, operationHash, API_KEY_PATTERN } from './keys';
export { createCitizenTokenVerifier, looksLikeJwt } from './citizen-token';
export type {
  CitizenIdentity,
  CitizenTokenVerifier,
  CitizenTokenVerifierOptions,
} from './citizen-token';
export { createRateLimiter } from './rate-limit';
export type { RateDecision, RateLimiter, RateLimiterOptions } from './rate-limit';
export { checkOperationLimits, DEFAULT_LIMITS, DEFAULT_LIST_SIZE } from './limits';
export type { LimitCheckOptions, OperationLimits } from './limits';
export type * from './types';
