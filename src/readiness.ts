import type { Knex } from 'knex';
import type { SourceCheck, SourceState } from '../adapters';
import type { DatabaseName } from '../adapters/databases';
import { NATIONAL_DATABASES } from '../adapters/databases';
import type { CircuitName } from '../adapters/protection';
import type { AuditWitnessStatus } from './audit/types';

/** What /readyz answers: each source's state and circuit, and the access log's state. */
export interface Readiness {
  status: 'ready' | 'degraded';
  /** Each national database, and `audit` (the access log's database). */
  sources: Record<string, SourceState>;
  circuits: Record<string, CircuitName>;
  /**
   * The access log's witnesses, by their place in AUDIT_WITNESS_URL: one that is down leaves
   * the gateway serving (entries still commit first; checkpoints queue) but degraded.
   */
  witnesses: { state: 'up' | 'down'; backlog: number }[];
}

/**
 * Probes still running, one per target: a target that hangs is reported down at once on the
 * next call, instead of being asked again and holding one more connection.
 */
const pending = new WeakMap<object, Promise<SourceState>>();

function probe(
  target: object,
  timeoutMs: number,
  ping: (signal: AbortSignal) => Promise<unknown>,
): Promise<SourceState> {
  if (pending.has(target)) return Promise.resolve('down');
  const controller = new AbortController();
  const answer = ping(controller.signal).then(
    (): SourceState => 'up',
    (): SourceState => 'down',
  );
  const tracked = answer.finally(() => pending.delete(target));
  pending.set(target, tracked);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<SourceState>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('down');
    }, timeoutMs);
  });
  return Promise.race([answer, late]).finally(() => clearTimeout(timer));
}

/**
 * Checks every source and the access log, each bounded by `timeoutMs`, so /readyz answers in
 * that time whatever hangs. A source is ready when it answers and its circuit is closed.
 */
export async function checkReadiness(
  checks: Record<DatabaseName, SourceCheck>,
  accessLog: Knex,
  timeoutMs: number,
  witnessStatus: () => AuditWitnessStatus[] = () => [],
): Promise<{ statusCode: number; body: Readiness }> {
  const [audit, ...states] = await Promise.all([
    probe(accessLog, timeoutMs, () => accessLog.raw('SELECT 1')),
    ...NATIONAL_DATABASES.map((name) =>
      probe(checks[name], timeoutMs, (signal) => checks[name].ping(signal)),
    ),
  ]);
  const circuits = Object.fromEntries(
    NATIONAL_DATABASES.map((name) => [name, checks[name].circuit()]),
  );
  const all: Record<string, SourceState> = {
    ...Object.fromEntries(NATIONAL_DATABASES.map((name, i) => [name, states[i]])),
    audit,
  };
  const ready =
    Object.values(all).every((state) => state === 'up') &&
    Object.values(circuits).every((circuit) => circuit === 'closed');
  const witnesses = witnessStatus().map(({ state, backlog }) => ({ state, backlog }));
  const witnessed = witnesses.every((witness) => witness.state === 'up');
  return {
    statusCode: ready ? 200 : 503,
    body: { status: ready && witnessed ? 'ready' : 'degraded', sources: all, circuits, witnesses },
  };
}
