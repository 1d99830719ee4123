import type { TargetName, WorkloadName } from './workloads';

/** One workload against one target: the figures the issue asks for, and how they were taken. */
export interface RunRecord {
  workload: WorkloadName;
  target: TargetName;
  rps: number;
  /** Latency percentiles in ms; null when no answer came back within the run. */
  p50: number | null;
  p99: number | null;
  /** Calls to national databases per request, counted at the adapter (statements for comparators). */
  callsPerRequest: number | null;
  /** Peak resident memory of the target process while measured. */
  rssMB: number | null;
  requests: number;
  seconds: number;
  connections: number;
  /** Calls per request by national database. */
  calls: Record<string, number>;
  /** [seconds since the measurement began, MB], one sample a second. */
  rssSeries: [number, number][];
  /** Mean RSS of the last quarter of the run minus that of the second (see rssGrowth). */
  rssGrowthMB: number | null;
  /** Which round of the run measured it (with --rounds). */
  round?: number;
  /** Lowest and highest req/s over the rounds, when there were several. */
  rpsRange?: [number, number];
}

/** Calls per request measured one request at a time on the checked subjects. */
export type CheckedCalls = Partial<
  Record<WorkloadName, Partial<Record<TargetName, Record<string, number>>>>
>;

export type TargetStatus = 'pass' | 'miss' | 'not measured';

export interface TargetCheck {
  target: string;
  workload: WorkloadName | null;
  measured: string;
  limit: string;
  status: TargetStatus;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  byFunction: { name: string; where: string; selfMs: number; percent: number }[];
  byModule: { module: string; selfMs: number; percent: number }[];
}

export interface BenchResults {
  machine: Record<string, unknown>;
  /** One record per workload and target: the median round's. */
  runs: RunRecord[];
  /** Every round's record, with --rounds. */
  rounds?: RunRecord[];
  ratios: Partial<Record<WorkloadName, Record<string, number>>>;
  targets: TargetCheck[];
  checkedCalls: CheckedCalls;
  /** The gateway under W1 for --long-run seconds: RSS over time. */
  longRun?: RunRecord;
  notes: string[];
  /** What could not be measured and why: a run with failures exits non-zero. */
  failures: string[];
  profile?: ProfileSummary;
}

export function findRun(
  runs: readonly RunRecord[],
  workload: WorkloadName,
  target: TargetName,
): RunRecord | undefined {
  return runs.find((run) => run.workload === workload && run.target === target);
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** Every ratio the issue names, per workload, for the targets that ran. */
export function computeRatios(runs: readonly RunRecord[]): BenchResults['ratios'] {
  const ratios: BenchResults['ratios'] = {};
  for (const workload of new Set(runs.map((run) => run.workload))) {
    const gateway = findRun(runs, workload, 'gateway');
    if (!gateway) continue;
    const entry: Record<string, number> = {};
    for (const target of [
      'raw-http',
      'raw-http-sql',
      'apollo-minimal',
      'apollo-minimal-sql',
      'naive',
      'postgraphile',
      'pgbench',
      'gateway-nolog',
    ] as const) {
      const other = findRun(runs, workload, target);
      if (other && other.rps > 0)
        entry[`gateway/${target} rps`] = round(gateway.rps / other.rps, 3);
    }
    const raw = findRun(runs, workload, 'raw-http');
    if (raw && raw.p99 && gateway.p99 !== null) {
      entry['gateway/raw-http p99'] = round(gateway.p99 / raw.p99, 3);
    }
    const nolog = findRun(runs, workload, 'gateway-nolog');
    if (nolog && nolog.rps > 0) entry['log cost'] = round(1 - gateway.rps / nolog.rps, 3);
    const federated = findRun(runs, workload, 'federated');
    const apolloGateway = findRun(runs, workload, 'apollo-gateway');
    if (federated && gateway.rps > 0) {
      entry['federated/gateway rps'] = round(federated.rps / gateway.rps, 3);
    }
    if (federated && apolloGateway && apolloGateway.rps > 0) {
      entry['federated/apollo-gateway rps'] = round(federated.rps / apolloGateway.rps, 3);
    }
    ratios[workload] = entry;
  }
  return ratios;
}

const percent = (value: number) => `${Math.round(value * 100)}%`;

/** The targets, each with what was measured and whether it holds. */
export function evaluateTargets(
  runs: readonly RunRecord[],
  checkedCalls: CheckedCalls,
  accessLogPresent: boolean,
  longRun?: RunRecord,
  /** The gateway's SOURCE_TIMEOUT_MS in the run: a W2 answer slower than it is queueing. */
  sourceTimeoutMs = 2000,
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const missing = (target: string, workload: WorkloadName | null, limit: string) =>
    checks.push({ target, workload, measured: '-', limit, status: 'not measured' });

  for (const workload of ['W1', 'W2', 'W4'] as const) {
    const gateway = checkedCalls[workload]?.gateway;
    const minimum = checkedCalls[workload]?.['raw-http'];
    const label = 'calls per request = minimum';
    if (!gateway || !minimum) {
      missing(label, workload, 'raw-http (one per source per level)');
      continue;
    }
    const sum = (calls: Record<string, number>) =>
      Object.entries(calls)
        .filter(([source]) => source !== 'reference')
        .reduce((total, [, count]) => total + count, 0);
    // raw-http issues one statement per source per level; fewer is better still.
    checks.push({
      target: label,
      workload,
      measured: round(sum(gateway), 3).toString(),
      limit: `<= ${round(sum(minimum), 3)} (raw-http)`,
      status: sum(gateway) <= sum(minimum) + 1e-9 ? 'pass' : 'miss',
    });
  }

  for (const workload of ['W1', 'W2', 'W4'] as const) {
    const gateway = findRun(runs, workload, 'gateway');
    const raw = findRun(runs, workload, 'raw-http');
    const apollo = findRun(runs, workload, 'apollo-minimal');
    if (gateway && raw) {
      checks.push({
        target: 'throughput vs raw-http',
        workload,
        measured: percent(gateway.rps / raw.rps),
        limit: '>= 60%',
        status: gateway.rps >= 0.6 * raw.rps ? 'pass' : 'miss',
      });
      const p99 = gateway.p99 !== null && raw.p99 ? gateway.p99 / raw.p99 : null;
      checks.push({
        target: 'p99 vs raw-http p99',
        workload,
        measured: p99 === null ? '-' : `${round(p99)}x`,
        limit: '<= 2x',
        status: p99 === null ? 'not measured' : p99 <= 2 ? 'pass' : 'miss',
      });
    } else {
      missing('throughput vs raw-http', workload, '>= 60%');
      missing('p99 vs raw-http p99', workload, '<= 2x');
    }
    if (gateway && apollo) {
      checks.push({
        target: 'throughput vs apollo-minimal',
        workload,
        measured: `${round(gateway.rps / apollo.rps)}x`,
        limit: '>= 1.2x',
        status: gateway.rps >= 1.2 * apollo.rps ? 'pass' : 'miss',
      });
    } else missing('throughput vs apollo-minimal', workload, '>= 1.2x');
  }

  const p1 = findRun(runs, 'P1', 'gateway');
  const postgraphile = findRun(runs, 'P1', 'postgraphile');
  if (p1 && postgraphile) {
    checks.push({
      target: 'population-only vs PostGraphile',
      workload: 'P1',
      measured: `${round(p1.rps / postgraphile.rps)}x`,
      limit: '>= 1x',
      status: p1.rps >= postgraphile.rps ? 'pass' : 'miss',
    });
  } else missing('population-only vs PostGraphile', 'P1', '>= 1x');

  for (const workload of ['W1', 'W2', 'W4'] as const) {
    const federated = findRun(runs, workload, 'federated');
    const apolloGateway = findRun(runs, workload, 'apollo-gateway');
    const gateway = findRun(runs, workload, 'gateway');
    if (federated && apolloGateway) {
      checks.push({
        target: 'federated vs apollo-gateway (same subgraphs)',
        workload,
        measured: `${round(federated.rps / apolloGateway.rps)}x`,
        limit: '>= 2x',
        status: federated.rps >= 2 * apolloGateway.rps ? 'pass' : 'miss',
      });
    } else missing('federated vs apollo-gateway (same subgraphs)', workload, '>= 2x');
    if (federated && gateway) {
      checks.push({
        target: 'federated vs single-process gateway',
        workload,
        measured: percent(federated.rps / gateway.rps),
        limit: '>= 50%',
        status: federated.rps >= 0.5 * gateway.rps ? 'pass' : 'miss',
      });
    } else missing('federated vs single-process gateway', workload, '>= 50%');
  }

  for (const run of runs.filter((r) => r.target === 'gateway')) {
    const nolog = findRun(runs, run.workload, 'gateway-nolog');
    if (!nolog) continue;
    checks.push({
      target: accessLogPresent ? 'access log cost' : 'access log cost (no log yet: same build)',
      workload: run.workload,
      measured: percent(1 - run.rps / nolog.rps),
      limit: '<= 10%',
      status: !accessLogPresent ? 'not measured' : run.rps >= 0.9 * nolog.rps ? 'pass' : 'miss',
    });
  }

  const w2 = findRun(runs, 'W2', 'gateway');
  if (w2) {
    checks.push({
      target: `gateway RSS under W2 at ${w2.connections} connections`,
      workload: 'W2',
      measured: w2.rssMB === null ? '-' : `${Math.round(w2.rssMB)} MB`,
      limit: '< 300 MB',
      status: w2.rssMB === null ? 'not measured' : w2.rssMB < 300 ? 'pass' : 'miss',
    });
    checks.push({
      target: 'gateway p99 under W2 within the source timeout',
      workload: 'W2',
      measured: w2.p99 === null ? '-' : `${Math.round(w2.p99)} ms`,
      limit: `< ${sourceTimeoutMs} ms`,
      status: w2.p99 === null ? 'not measured' : w2.p99 < sourceTimeoutMs ? 'pass' : 'miss',
    });
  } else {
    missing('gateway RSS under W2', 'W2', '< 300 MB');
    missing('gateway p99 under W2 within the source timeout', 'W2', `< ${sourceTimeoutMs} ms`);
  }
  const gatewayRuns = runs.filter((r) => r.target === 'gateway' && r.rssMB !== null);
  if (gatewayRuns.length > 0) {
    const peak = Math.max(...gatewayRuns.map((r) => r.rssMB as number));
    checks.push({
      target: 'gateway RSS under load',
      workload: null,
      measured: `${Math.round(peak)} MB`,
      limit: '< 300 MB',
      status: peak < 300 ? 'pass' : 'miss',
    });
  }
  if (longRun && longRun.rssGrowthMB !== null) {
    const quarter = Math.floor(longRun.rssSeries.length / 4);
    const growth = longRun.rssGrowthMB / (longRun.rssSeries[quarter]?.[1] ?? 1);
    const peak = longRun.rssMB ?? 0;
    checks.push({
      target: `gateway RSS flat over ${Math.round(longRun.seconds)} s (after the first quarter)`,
      workload: longRun.workload,
      measured: `${longRun.rssGrowthMB >= 0 ? '+' : ''}${longRun.rssGrowthMB.toFixed(1)} MB (${percent(growth)}), peak ${Math.round(peak)} MB`,
      limit: 'growth <= 10%, < 300 MB',
      status: growth <= 0.1 && peak < 300 && longRun.seconds >= 290 ? 'pass' : 'miss',
    });
  } else missing('gateway RSS flat over 5 minutes', 'W1', 'run with --long-run 300');
  return checks;
}

/**
 * Mean RSS of the last quarter of the samples minus that of the second quarter. The first
 * quarter is left out: the heap grows to its working size in the first minute or so of load,
 * which is sizing, not a leak; what must not happen is growth once it is there.
 */
export function rssGrowth(series: readonly [number, number][]): number | null {
  if (series.length < 8) return null;
  const quarter = Math.floor(series.length / 4);
  const mean = (part: readonly [number, number][]) =>
    part.reduce((sum, [, mb]) => sum + mb, 0) / part.length;
  return mean(series.slice(-quarter)) - mean(series.slice(quarter, 2 * quarter));
}

/**
 * One record per workload and target from several rounds: the round with the median req/s
 * (the lower middle one for an even count), so that its figures stay those of one run; the
 * peak RSS is the highest of any round.
 */
export function medianRounds(records: readonly RunRecord[]): RunRecord[] {
  const groups = new Map<string, RunRecord[]>();
  for (const record of records) {
    const key = `${record.workload} ${record.target}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  return [...groups.values()].map((group) => {
    if (group.length === 1) return group[0];
    const sorted = [...group].sort((a, b) => a.rps - b.rps);
    const median = sorted[Math.floor((sorted.length - 1) / 2)];
    const rss = group.map((r) => r.rssMB).filter((mb): mb is number => mb !== null);
    return {
      ...median,
      rssMB: rss.length > 0 ? Math.max(...rss) : null,
      rpsRange: [sorted[0].rps, sorted[sorted.length - 1].rps],
    };
  });
}
