import { TARGETS, WORKLOADS, type TargetName, type WorkloadName } from './workloads';

/** What one run of the harness does, from the command line. */
export interface BenchOptions {
  smoke: boolean;
  citizens: number;
  /** Seconds measured per workload per target. */
  duration: number;
  /** Seconds of load before each measurement, not recorded. */
  warmup: number;
  connections: number;
  workloads: WorkloadName[];
  targets: TargetName[];
  databaseUrl: string;
  /** Trust the database as it is: no seed call (for a data set seeded by other means). */
  skipSeed: boolean;
  /** Also profile the gateway under W1 (`node --cpu-prof`) and summarise the hottest functions. */
  profile: boolean;
  /** Requests checked for identical answers per workload and target before measuring. */
  checks: number;
  /** Seconds of an extra gateway W1 run that records RSS over time (0: none). */
  longRun: number;
  /** Times every target is measured, in alternating order; figures are the median round's. */
  rounds: number;
}

const USAGE = `npm run bench -- [options]

  --smoke               tiny data set (2,000 citizens in database bench_smoke), ~3 s per run,
                        every target but the gateway and raw-http on its first workload only,
                        no -sql variants; writes bench/results/smoke.json only
  --citizens N          citizens to seed (default 1,000,000 in database "national"; another
                        size in database "bench_<N>")
  --duration S          seconds measured per workload per target (default 20; smoke 3)
  --warmup S            seconds of unrecorded load before each measurement (default 5; smoke 1)
  --connections C       concurrent connections of the load generator (default 32; smoke 8)
  --workloads W1,W2     among ${WORKLOADS.join(', ')} (default all)
  --targets T1,T2       among ${TARGETS.join(', ')} (default all)
  --database-url URL    database to seed and read (default postgres://postgres@127.0.0.1:5432/<name>)
  --skip-seed           use the database as it is
  --profile             also profile the gateway under W1 with node --cpu-prof
  --checks N            requests compared with the gateway's answer per workload and target
  --long-run S          also run the gateway under W1 for S seconds to show RSS stays flat
  --rounds N            measure every target N times, alternating the order; report the median`;

function list<T extends string>(raw: string, allowed: readonly T[], what: string): T[] {
  const values = raw.split(',').map((value) => value.trim());
  for (const value of values) {
    if (!allowed.includes(value as T)) {
      throw new Error(`unknown ${what} "${value}"; expected one of ${allowed.join(', ')}`);
    }
  }
  return values as T[];
}

function positive(raw: string | undefined, flag: string): number {
  const value = Number(raw?.replace(/_/g, ''));
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${flag} takes a positive integer, got "${raw}"`);
  }
  return value;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    }
    if (!arg.startsWith('--')) throw new Error(`unexpected argument "${arg}"\n\n${USAGE}`);
    const [name, inline] = arg.split('=', 2);
    const boolean = ['--smoke', '--skip-seed', '--profile'].includes(name);
    if (boolean) flags.set(name, true);
    else {
      const value = inline ?? argv[++i];
      if (value === undefined) throw new Error(`${name} needs a value\n\n${USAGE}`);
      flags.set(name, value);
    }
  }
  const known = [
    '--smoke',
    '--citizens',
    '--duration',
    '--warmup',
    '--connections',
    '--workloads',
    '--targets',
    '--database-url',
    '--skip-seed',
    '--profile',
    '--checks',
    '--long-run',
    '--rounds',
  ];
  for (const name of flags.keys()) {
    if (!known.includes(name)) throw new Error(`unknown option ${name}\n\n${USAGE}`);
  }
  const value = (name: string) => {
    const raw = flags.get(name);
    return typeof raw === 'string' ? raw : undefined;
  };
  const smoke = flags.has('--smoke');
  const citizens = value('--citizens')
    ? positive(value('--citizens'), '--citizens')
    : smoke
      ? 2_000
      : 1_000_000;
  // Another size gets a database of its own rather than reseeding the shared 1,000,000 one.
  const database = smoke
    ? 'bench_smoke'
    : citizens === 1_000_000
      ? 'national'
      : `bench_${citizens}`;
  return {
    smoke,
    citizens,
    duration: value('--duration') ? positive(value('--duration'), '--duration') : smoke ? 3 : 20,
    warmup: value('--warmup') ? positive(value('--warmup'), '--warmup') : smoke ? 1 : 5,
    // A smoke run checks that everything works: fewer connections drain faster between runs.
    connections: value('--connections')
      ? positive(value('--connections'), '--connections')
      : smoke
        ? 8
        : 32,
    workloads: value('--workloads')
      ? list(value('--workloads') as string, WORKLOADS, 'workload')
      : [...WORKLOADS],
    // The -sql variants are the same comparators reading insurance another way: a smoke run
    // leaves them out unless named.
    targets: value('--targets')
      ? list(value('--targets') as string, TARGETS, 'target')
      : TARGETS.filter((target) => !smoke || !target.endsWith('-sql')),
    databaseUrl: value('--database-url') ?? `postgres://postgres@127.0.0.1:5432/${database}`,
    skipSeed: flags.has('--skip-seed'),
    profile: flags.has('--profile'),
    checks: value('--checks') ? positive(value('--checks'), '--checks') : smoke ? 3 : 10,
    longRun: value('--long-run') ? positive(value('--long-run'), '--long-run') : 0,
    rounds: value('--rounds') ? positive(value('--rounds'), '--rounds') : 1,
  };
}
