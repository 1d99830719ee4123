import path from 'node:path';
import { knex, type Knex } from 'knex';
import type { AuditSigningKey } from '../audit/keys';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { HttpWitnessClient } from './client';
import { DEFAULT_LOG_ORIGIN, logOriginFrom, witnessTargetsFrom } from './config';
import { loadWitnessKey } from './config';
import { Witness, migrateWitness } from './ledger';
import { NOTE_ED25519, encodeVerifierKey, noteVerifier } from './note';
import { serveWitness } from './server';
import { AuditWitnesses } from './witnesses';

/** What the gateway's start-up gets: the log's witnesses, and how to stop the ones it runs. */
export interface GatewayWitnessing {
  witnessing: AuditWitnesses | undefined;
  /** Stops the in-process witness, if any; call after the access log is closed. */
  close(): Promise<void>;
}

/**
 * An embedded PostgreSQL (PGlite) of the witness's own, in memory or in `dataDir`: a database
 * apart from the one that holds the log, as a real witness's would be.
 */
export async function openEmbeddedLedger(dataDir?: string): Promise<Knex> {
  const { PGlite } = await import('@electric-sql/pglite');
  const ClientPgLite = (await import('knex-pglite')).default;
  const pglite = dataDir ? new PGlite(dataDir) : new PGlite();
  await pglite.waitReady;
  return knex({
    client: ClientPgLite,
    dialect: 'postgres',
    connection: () => ({ pglite }) as object,
  } as Knex.Config);
}

/**
 * The access log's witnesses for this configuration: those of AUDIT_WITNESS_URL; on the embedded
 * default without one, a witness run in process over its own embedded database and served on a
 * loopback port; otherwise none, with a warning that a dropped tail cannot be detected.
 */
export async function startAuditWitnessing(
  config: Config,
  logger: Logger,
  log: { knex: Knex; signingKey: AuditSigningKey; embedded: boolean },
): Promise<GatewayWitnessing> {
  const origin = logOriginFrom({ AUDIT_LOG_ORIGIN: config.auditLogOrigin ?? DEFAULT_LOG_ORIGIN });
  const onError = (error: Error) => logger.warn({ err: error }, 'audit witness');
  const nothing = async () => undefined;
  if (config.auditWitnessUrls.length > 0) {
    const witnessing = new AuditWitnesses({
      origin,
      knex: log.knex,
      signingKey: log.signingKey.privateKey,
      witnesses: witnessTargetsFrom(config.auditWitnessUrls, config.auditWitnessKeys),
      onError,
    });
    witnessing.start();
    return { witnessing, close: nothing };
  }
  if (!log.embedded) {
    logger.warn(
      'no AUDIT_WITNESS_URL: checkpoints are kept only in the log database, so a dropped tail cannot be detected',
    );
    return { witnessing: undefined, close: nothing };
  }
  const dataDir = config.embeddedDataDir;
  const ledger = await openEmbeddedLedger(dataDir ? path.join(dataDir, 'witness') : undefined);
  await migrateWitness(ledger);
  const { signer } = loadWitnessKey(
    {},
    {
      generatedKeyFile: dataDir ? path.join(dataDir, 'witness-signing-key.pem') : undefined,
      defaultName: 'embedded-witness.localhost/ndg',
    },
  );
  const witness = new Witness(ledger, {
    cosigner: signer,
    logs: [noteVerifier(origin, NOTE_ED25519, log.signingKey.publicKey)],
  });
  const server = await serveWitness(witness, { onError });
  const witnessing = new AuditWitnesses({
    origin,
    knex: log.knex,
    signingKey: log.signingKey.privateKey,
    witnesses: [{ client: new HttpWitnessClient(server.url), key: signer }],
    onError,
  });
  witnessing.start();
  logger.info(
    { url: server.url, key: encodeVerifierKey(signer) },
    'embedded audit witness ready (its own embedded database)',
  );
  return {
    witnessing,
    async close() {
      await server.close();
      await ledger.destroy();
    },
  };
}
