/**
 * `npm run witness`: the access log's witness as a service of its own. HTTP on WITNESS_HOST
 * (default 127.0.0.1) and WITNESS_PORT (default 4100); ledger in WITNESS_DATABASE_URL; key from
 * WITNESS_SIGNING_KEY(_FILE), named WITNESS_NAME; the logs it accepts in WITNESS_LOG_KEYS.
 * `npm run witness -- bench` measures what one witness accepts (see README).
 */
import { createHash, generateKeyPairSync } from 'node:crypto';
import { parseArgs } from 'node:util';
import { knex, type Knex } from 'knex';
import { createLogger } from '../logger';
import { HttpWitnessClient } from './client';
import { loadWitnessKey, witnessLogKeysFrom } from './config';
import { Witness, migrateWitness } from './ledger';
import {
  COSIGNATURE_ED25519,
  NOTE_ED25519,
  checkpointText,
  noteSigner,
  signNoteLine,
} from './note';
import { serveWitness } from './server';

function port(env: NodeJS.ProcessEnv): number {
  const raw = env.WITNESS_PORT ?? '4100';
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    throw new Error(`WITNESS_PORT must be a port number, got "${raw}"`);
  }
  return value;
}

async function serve(env: NodeJS.ProcessEnv): Promise<void> {
  const logger = createLogger(env.LOG_LEVEL || 'info');
  const url = env.WITNESS_DATABASE_URL;
  if (!url) throw new Error('WITNESS_DATABASE_URL is required: the ledger lives there');
  const logs = witnessLogKeysFrom(env);
  const { signer, generated } = loadWitnessKey(env);
  if (generated) {
    logger.warn(
      'no WITNESS_SIGNING_KEY: the witness signs with a key made at start; logs configured with it will not trust a restarted witness',
    );
  }
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 10 } });
  await migrateWitness(db);
  const witness = new Witness(db, { cosigner: signer, logs });
  const server = await serveWitness(witness, {
    port: port(env),
    host: env.WITNESS_HOST || '127.0.0.1',
    onError: (error) => logger.error({ err: error }, 'witness request failed'),
  });
  logger.info(
    { url: server.url, key: witness.verifierKey, logs: logs.map((log) => log.name) },
    'witness ready: give its key to the logs as AUDIT_WITNESS_KEYS',
  );
  const stop = () => {
    server
      .close()
      .then(() => db.destroy())
      .then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

/** Submits checkpoints as fast as the witness takes them, from `logs` logs in parallel. */
async function bench(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { checkpoints: { type: 'string' }, logs: { type: 'string' } },
  });
  const perLog = Number(values.checkpoints ?? 2000);
  const logCount = Number(values.logs ?? 1);
  const adminUrl = env.WITNESS_DATABASE_URL;
  if (!adminUrl)
    throw new Error('WITNESS_DATABASE_URL names the server to make a scratch database on');
  const scratch = `witness_bench_${process.pid}`;
  const admin = knex({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${scratch}`);
  const scratchUrl = new URL(adminUrl);
  scratchUrl.pathname = `/${scratch}`;
  let db: Knex | undefined;
  try {
    db = knex({ client: 'pg', connection: scratchUrl.toString(), pool: { min: 0, max: 10 } });
    await migrateWitness(db);
    const logs = Array.from({ length: logCount }, (_, i) =>
      noteSigner(
        `bench.localhost/log${i}`,
        NOTE_ED25519,
        generateKeyPairSync('ed25519').privateKey,
      ),
    );
    const cosigner = noteSigner(
      'bench.localhost/witness',
      COSIGNATURE_ED25519,
      generateKeyPairSync('ed25519').privateKey,
    );
    const witness = new Witness(db, { cosigner, logs });
    const server = await serveWitness(witness);
    const client = new HttpWitnessClient(server.url);
    const latencies: number[] = [];
    const started = process.hrtime.bigint();
    await Promise.all(
      logs.map(async (log) => {
        for (let size = 1n; size <= BigInt(perLog); size += 1n) {
          const hash = createHash('sha256').update(`${log.name}${size}`).digest('hex');
          const text = checkpointText({ origin: log.name, size, hash });
          const t0 = process.hrtime.bigint();
          const result = await client.addCheckpoint(
            size - 1n,
            `${text}\n${signNoteLine(log, text)}`,
          );
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (result.status !== 200)
            throw new Error(`checkpoint ${size} refused: ${result.status}`);
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    const at = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
    process.stdout.write(
      `${latencies.length} checkpoints from ${logCount} log(s) over HTTP: ${Math.round(latencies.length / seconds)} checkpoints/s; ` +
        `add-checkpoint latency p50 ${at(0.5).toFixed(2)} ms, p99 ${at(0.99).toFixed(2)} ms.\n`,
    );
    await server.close();
  } finally {
    await db?.destroy();
    await admin.raw(`DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`);
    await admin.destroy();
  }
}

const [command, ...rest] = process.argv.slice(2);
(command === 'bench' ? bench(rest, process.env) : serve(process.env)).catch((error: unknown) => {
  process.stderr.write(`witness: ${(error as Error).message}\n`);
  process.exit(2);
});
