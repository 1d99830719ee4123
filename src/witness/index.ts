/** The access log's witness: a ledger of cosigned checkpoints outside the log's database. */
export { Witness, migrateWitness, WITNESS_SCHEMA } from './ledger';
export type { AddCheckpointResult, WitnessOptions, WitnessedCheckpoint } from './ledger';
export { witnessHandler, serveWitness } from './server';
export type { WitnessServer } from './server';
export { HttpWitnessClient, LedgerWitnessClient, WitnessUnreachableError } from './client';
export type { WitnessClient } from './client';
export { AuditWitnesses } from './witnesses';
export type { AuditWitnessesOptions, WitnessTarget } from './witnesses';
export {
  DEFAULT_LOG_ORIGIN,
  listFrom,
  loadWitnessKey,
  logOriginFrom,
  logVerifierKey,
  witnessLogKeysFrom,
  witnessTargetsFrom,
} from './config';
export { startAuditWitnessing, openEmbeddedLedger } from './embedded';
export * from './note';
