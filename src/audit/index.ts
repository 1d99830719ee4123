/** The gateway's tamper-evident access log: hash-chained entries, signed checkpoints. */
export { AuditLog, AUDIT_CHAIN_LOCK_KEY } from './log';
export type { AuditLogOptions, AuditExportOptions, AuditExportFormat } from './log';
export { AuditUnavailableError, AuditInputError } from './errors';
export { migrateAudit, ensureAuditPartitions, AUDIT_SCHEMA, AUDIT_WRITER_ROLE } from './migrations';
export type { MigrateAuditOptions, PartitionMaintenance } from './migrations';
export {
  loadSigningKey,
  loadVerificationKeys,
  signingKeyFrom,
  keyIdOf,
  toPublicKey,
  toPrivateKey,
  signCheckpoint,
  checkpointSignatureValid,
} from './keys';
export type { AuditSigningKey, LoadSigningKeyOptions } from './keys';
export { GENESIS_HASH, entryHash, canonicalTimestamp } from './canonical';
export type { HashableEntry } from './canonical';
export { verifyChain } from './verify';
export type { VerifyOptions } from './verify';
export { AUDIT_OUTCOMES } from './types';
export type * from './types';
