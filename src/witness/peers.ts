/**
 * Witnesses among the federation's own logs: each process of the federated topology (the
 * gateway and every subgraph) keeps, beside its access log, a witness of its peers' logs in its
 * own database, served under `/witness` on its own HTTP server. The gateway witnesses every
 * subgraph's log and every subgraph witnesses the gateway's, so a ministry's database
 * administrator cannot drop a tail of one log without the other logs' ledgers showing it.
 *
 * A process witnesses when WITNESS_LOG_KEYS names the logs it accepts (as `npm run witness`
 * does); its log is witnessed by AUDIT_WITNESS_URL as any log is. `peerWitnessEnvironments`
 * makes those settings for a whole topology at once (what `npm run start:federated` does).
 */
import http from 'node:http';
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { Knex } from 'knex';
import type { Logger } from '../logger';
import { listFrom, loadWitnessKey, logVerifierKey, witnessLogKeysFrom } from './config';
import { Witness, migrateWitness } from './ledger';
import { toPrivateKey } from '../audit/keys';
import { COSIGNATURE_ED25519, encodeVerifierKey, noteSigner } from './note';
import { witnessHandler } from './server';

/** Where a process serves the witness of its peers' logs. */
export const PEER_WITNESS_PREFIX = '/witness';

/** A witness served by a process of the federation, if it is configured to be one. */
export interface PeerWitness {
  /** Answers a request under PEER_WITNESS_PREFIX. */
  handle(req: http.IncomingMessage, res: http.ServerResponse): void;
  verifierKey: string;
}

/** The witness of the peers' logs named by WITNESS_LOG_KEYS, over `ledger`; none when unset. */
export async function startPeerWitness(
  env: NodeJS.ProcessEnv,
  ledger: Knex,
  logger: Logger,
): Promise<PeerWitness | undefined> {
  if (listFrom(env.WITNESS_LOG_KEYS).length === 0) return undefined;
  const logs = witnessLogKeysFrom(env);
  const { signer } = loadWitnessKey(env);
  await migrateWitness(ledger);
  const witness = new Witness(ledger, { cosigner: signer, logs });
  const handle = witnessHandler(witness, (error) =>
    logger.error({ err: error }, 'peer witness request failed'),
  );
  logger.info(
    { key: witness.verifierKey, logs: logs.map((log) => log.name) },
    'peer witness ready',
  );
  return {
    verifierKey: witness.verifierKey,
    handle(req, res) {
      req.url = (req.url ?? '/').slice(PEER_WITNESS_PREFIX.length) || '/';
      handle(req, res);
    },
  };
}

/** Whether a request is for the peer witness. */
export function isPeerWitnessPath(pathname: string): boolean {
  return pathname === PEER_WITNESS_PREFIX || pathname.startsWith(`${PEER_WITNESS_PREFIX}/`);
}

function pem(key: KeyObject): string {
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * The settings of every process of a topology on one machine for mutual witnessing: each its
 * own log key, log origin and witness key; the gateway's log witnessed by every subgraph, and
 * every subgraph's log by the gateway. `baseUrls` are the processes' HTTP origins.
 */
export function peerWitnessEnvironments(
  baseUrls: { gateway: string } & Record<string, string>,
  options: {
    /** The operator's log signing key (AUDIT_SIGNING_KEY), kept for every log; else one each. */
    logSigningKey?: string;
    originPrefix?: string;
  } = {},
): Record<string, NodeJS.ProcessEnv> {
  const originPrefix = options.originPrefix ?? 'national-data-gateway.localhost';
  const names = Object.keys(baseUrls);
  const given = options.logSigningKey
    ? toPrivateKey(options.logSigningKey, 'AUDIT_SIGNING_KEY')
    : null;
  const made = Object.fromEntries(
    names.map((name) => {
      const log = given
        ? { privateKey: given, publicKey: createPublicKey(given) }
        : generateKeyPairSync('ed25519');
      const witness = generateKeyPairSync('ed25519');
      const origin = `${originPrefix}/audit/${name}`;
      const witnessName = `${originPrefix}/witness/${name}`;
      return [
        name,
        {
          log,
          witness,
          origin,
          witnessName,
          logKey: logVerifierKey(origin, log.publicKey),
          witnessKey: encodeVerifierKey(
            noteSigner(witnessName, COSIGNATURE_ED25519, witness.privateKey),
          ),
        },
      ];
    }),
  );
  const peersOf = (name: string) =>
    name === 'gateway' ? names.filter((other) => other !== 'gateway') : ['gateway'];
  return Object.fromEntries(
    names.map((name) => {
      const own = made[name];
      const peers = peersOf(name);
      return [
        name,
        {
          AUDIT_SIGNING_KEY: pem(own.log.privateKey),
          AUDIT_LOG_ORIGIN: own.origin,
          WITNESS_SIGNING_KEY: pem(own.witness.privateKey),
          WITNESS_NAME: own.witnessName,
          WITNESS_LOG_KEYS: peers.map((peer) => made[peer].logKey).join(','),
          AUDIT_WITNESS_URL: peers
            .map((peer) => `${baseUrls[peer].replace(/\/$/, '')}${PEER_WITNESS_PREFIX}`)
            .join(','),
          AUDIT_WITNESS_KEYS: peers.map((peer) => made[peer].witnessKey).join(','),
        },
      ];
    }),
  );
}
