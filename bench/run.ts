import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { renderChart } from './chart';
import { comparable, firstDifference, post } from './check';
import { benchApiKey, benchHeaders } from './credentials';
import { ROOT, dataSetSize, drawSubjects, ensurePostgres, seed, withClient } from './database';
import type { LoadCommand, LoadReply, LoadResult } from './load';
import { parseOptions, type BenchOptions } from './options';
import { pgbenchAvailable, runPgbench } from './pgbench';
import {
  callDelta,
  freePort,
  sampleRss,
  settledCalls,
  sourceCalls,
  startService,
  type Service,
} from './processes';
import { printProfile, summariseProfile } from './profile';
import { renderSection, updateReadme } from './report';
import {
  computeRatios,
  evaluateTargets,
  medianRounds,
  rssGrowth,
  type BenchResults,
  type CheckedCalls,
  type RunRecord,
} from './results';
import {
  BENCH_PURPOSE,
  SUPPORTED,
  TARGETS,
  WORKLOADS,
  prepareRequests,
  type PreparedRequest,
  type ProcedureRef,
  type SubjectPool,
  type TargetName,
  type WorkloadName,
} from './workloads';

/**
 * `npm run bench`: seeds PostgreSQL (or reuses a seeded database), builds, starts the gateway and
 * each comparator as its own process in turn, checks that every comparator gives the gateway's
 * answers, and measures each workload against each target with autocannon from a separate
 * process. Writes bench/results/<timestamp>.json, latest.json, latest.svg and the README's
 * performance section (the smoke run writes bench/results/smoke.json only).
 */

const RESULTS = path.join(ROOT, 'bench', 'results');
/** Distinct subjects drawn from the data; every request picks one of them at random. */
const POOL = { citizens: 5_000, enterprises: 2_000 };
/** Requests prepared per run (W2's carry 100 ids each, so fewer are needed). */
const REQUESTS = { W2: 300, other: 2_000 };
/** Seeds of the subjects drawn for the load and for the answer check (a different sample). */
const REQUEST_SEED = 11;
const CHECK_SEED = 7;
const RUN_ORDER: readonly TargetName[] = [
  'raw-http',
  'gateway',
  'gateway-nolog',
  'apollo-minimal',
  'raw-http-sql',
  'apollo-minimal-sql',
  'naive',
  'postgraphile',
  'pgbench',
  'federated',
  'apollo-gateway',
];

const loadAtStart = Math.round(os.loadavg()[0] * 10) / 10;
const running = new Set<Service>();
let loadChild: ChildProcess | null = null;

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

async function stopAll(): Promise<void> {
  loadChild?.kill();
  await Promise.all([...running].map((service) => service.stop().catch(() => undefined)));
  running.clear();
}

async function start(spec: Parameters<typeof startService>[0]): Promise<Service> {
  const service = await startService(spec);
  running.add(service);
  return service;
}

async function stop(service: Service): Promise<void> {
  running.delete(service);
  await service.stop();
}

/** The access log exists once the gateway reads AUDIT_LOG; until then both gateway runs are one build. */
function accessLogPresent(): boolean {
  const search = (dir: string): boolean =>
    fs.readdirSync(dir, { withFileTypes: true }).some((entry) => {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) return entry.name !== 'generated' && search(file);
      return entry.name.endsWith('.ts') && fs.readFileSync(file, 'utf8').includes('AUDIT_LOG');
    });
  return search(path.join(ROOT, 'src'));
}

function build(): void {
  log('npm run build');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('npm run build failed: the gateway must compile');
}

interface Context {
  options: BenchOptions;
  insuranceUrl: string | null;
  headers: Record<string, Record<string, string>>;
}

/** Starts one target as a fresh process of its own. */
async function startTarget(
  target: Exclude<TargetName, 'pgbench'>,
  context: Context,
  extra: { nodeArgs?: string[] } = {},
): Promise<Service> {
  const { options, insuranceUrl } = context;
  const port = await freePort();
  const base = {
    DATABASE_URL: options.databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    NODE_ENV: 'production',
    ...(insuranceUrl ? { INSURANCE_SERVICE_URL: insuranceUrl } : {}),
  };
  if (target === 'gateway' || target === 'gateway-nolog') {
    return start({
      name: target,
      script: 'dist/src/main.js',
      nodeArgs: extra.nodeArgs,
      env: {
        ...base,
        LOG_LEVEL: 'warn',
        ...(target === 'gateway-nolog' ? { AUDIT_LOG: 'off' } : {}),
      },
      port,
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      path: '/graphql',
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
    });
  }
  if (target === 'federated') {
    // Every subgraph and the federated gateway, each a process (bench/targets/federated.ts).
    return start({
      name: target,
      script: 'dist/bench/targets/federated.js',
      env: { ...base, LOG_LEVEL: 'warn' },
      port,
      readyUrl: `http://127.0.0.1:${port}/readyz`,
      path: '/graphql',
      metricsUrl: `http://127.0.0.1:${port}/metrics`,
      readyTimeoutMs: 300_000,
    });
  }
  const metricsPort = await freePort();
  // The -sql variants are the same comparator reading insurance from its tables.
  const sql = target.endsWith('-sql');
  // A comparator opens its metrics port once it serves: that is its readiness.
  return start({
    name: target,
    script: `dist/bench/targets/${sql ? target.slice(0, -'-sql'.length) : target}.js`,
    env: {
      ...base,
      METRICS_PORT: String(metricsPort),
      ...(sql ? { INSURANCE_OVER: 'sql' } : {}),
      // One call per item queues hundreds of statements behind the pool for a W2 request; the
      // gateway's 2 s source timeout would turn that slowness into errors instead of a figure.
      ...(target === 'naive' ? { SOURCE_TIMEOUT_MS: '60000' } : {}),
    },
    port,
    readyUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    path: '/graphql',
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    // apollo-gateway starts the subgraph processes first.
    readyTimeoutMs: 300_000,
  });
}

/** The load generator process, forked once and reused for every run. */
function loadGenerator(): ChildProcess {
  if (loadChild) return loadChild;
  const script = path.join(ROOT, 'dist', 'bench', 'load.js');
  // execArgv [] so that the child is plain node, not the harness's tsx loader.
  loadChild = fork(script, [], { cwd: ROOT, execArgv: [], stdio: 'inherit' });
  return loadChild;
}

function sendLoad(command: LoadCommand): Promise<LoadResult> {
  const child = loadGenerator();
  return new Promise((resolve, reject) => {
    const onExit = () => reject(new Error('the load generator exited'));
    child.once('exit', onExit);
    child.once('message', (reply: LoadReply) => {
      child.off('exit', onExit);
      if (reply.ok) resolve(reply.result);
      else reject(new Error(`load generator: ${reply.error}`));
    });
    child.send(command);
  });
}

function assertClean(result: LoadResult, target: string, workload: string, service: Service): void {
  const failures = result.errors + result.timeouts + result.non2xx + result.mismatches;
  if (failures === 0) return;
  throw new Error(
    `${workload} on ${target}: ${result.errors} errors, ${result.timeouts} timeouts, ` +
      `${result.non2xx} non-2xx, ${result.mismatches} answers with GraphQL errors out of ` +
      `${result.requests}: a fast wrong answer is not a result.\n` +
      `first bad answers:\n${result.badBodies.join('\n')}\n` +
      `last output of ${target}:\n${service.output()}`,
  );
}

const perRequest = (calls: Record<string, number>, requests: number) =>
  Object.fromEntries(
    Object.entries(calls).map(([name, count]) => [
      name,
      Math.round((1000 * count) / requests) / 1000,
    ]),
  );

/** Warm-up, then the measured run with call counts and RSS sampled alongside. */
async function measure(
  workload: WorkloadName,
  target: TargetName,
  service: Service,
  requests: PreparedRequest[],
  context: Context,
  seconds: number,
  /** Filled with when the measured load ran (ms since the epoch), for the profile. */
  window: { from: number; to: number } = { from: 0, to: 0 },
): Promise<RunRecord> {
  const { options, headers } = context;
  const command = {
    url: service.url,
    requests,
    headersByPurpose: headers,
    connections: options.connections,
  };
  const warm = await sendLoad({ ...command, seconds: options.warmup });
  assertClean(warm, target, workload, service);
  const before = await settledCalls(service);
  const sampler = sampleRss(service.pid);
  window.from = Date.now();
  const result = await sendLoad({ ...command, seconds });
  window.to = Date.now();
  const series = sampler.stop();
  const after = await settledCalls(service);
  assertClean(result, target, workload, service);
  // Calls of every request sent, the last ones in flight included, over the requests sent.
  const calls = callDelta(before, after);
  const total = Object.values(calls).reduce((sum, count) => sum + count, 0);
  const peak = series.length > 0 ? Math.max(...series.map(([, mb]) => mb)) : null;
  return {
    workload,
    target,
    rps: Math.round(result.rps * 10) / 10,
    // No answer within the run (naive under W2 in a short run): no latency to report.
    p50: result.requests > 0 ? result.p50 : null,
    p99: result.requests > 0 ? result.p99 : null,
    callsPerRequest:
      service.metricsUrl && result.sent > 0
        ? Math.round((1000 * total) / result.sent) / 1000
        : null,
    rssMB: peak === null ? null : Math.round(peak * 10) / 10,
    requests: result.requests,
    seconds: result.seconds,
    connections: options.connections,
    calls: perRequest(calls, Math.max(1, result.sent)),
    rssSeries: series.map(([t, mb]) => [t, Math.round(mb * 10) / 10]),
    rssGrowthMB: (() => {
      const growth = rssGrowth(series);
      return growth === null ? null : Math.round(growth * 10) / 10;
    })(),
  };
}

/**
 * Sends the check requests one at a time: each answer must equal the gateway's, and the calls
 * each request makes are counted exactly (nothing else runs meanwhile).
 */
async function checkTarget(
  workload: WorkloadName,
  target: TargetName,
  service: Service,
  checks: PreparedRequest[],
  expected: unknown[],
  context: Context,
): Promise<Record<string, number>> {
  let calls: Record<string, number> = {};
  for (let i = 0; i < checks.length; i++) {
    const before = await sourceCalls(service);
    const answer = await post(service.url, checks[i], context.headers[checks[i].purpose]);
    const after = await sourceCalls(service);
    for (const [name, count] of Object.entries(callDelta(before, after))) {
      calls[name] = (calls[name] ?? 0) + count;
    }
    const difference = firstDifference(expected[i], comparable(workload, target, answer.body));
    if (answer.status !== 200 || difference) {
      throw new Error(
        `${target} does not answer ${workload} as the gateway does (request ${checks[i].body.slice(0, 300)}):\n` +
          `status ${answer.status}; first difference at ${difference}\n` +
          `last output of ${target}:\n${service.output()}`,
      );
    }
  }
  calls = perRequest(calls, checks.length);
  return calls;
}

async function procedures(
  gateway: Service,
  headers: Record<string, string>,
): Promise<ProcedureRef[]> {
  const answer = await post(
    gateway.url,
    {
      body: JSON.stringify({ query: '{ procedures { code subjectKind } }' }),
      purpose: BENCH_PURPOSE,
    },
    headers,
  );
  const body = answer.body as { data?: { procedures?: ProcedureRef[] } };
  return body.data?.procedures ?? [];
}

async function machine(options: BenchOptions, sizes: Record<string, number>) {
  const version = await withClient(options.databaseUrl, async (client) =>
    String((await client.query('SHOW server_version')).rows[0].server_version),
  );
  const cpus = os.cpus();
  return {
    date: new Date().toISOString().slice(0, 10),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cpus: cpus.length,
    memoryGB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres: `PostgreSQL ${version.split(' ')[0]}`,
    citizens: sizes['population.citizens'],
    dataSet: sizes,
    durationS: options.duration,
    warmupS: options.warmup,
    connections: options.connections,
    rounds: options.rounds,
    insurance: 'mock agency service in its own process',
    smoke: options.smoke,
    // Other work on a shared machine shows here: 1-minute load averages at start and end.
    loadAverage: { start: loadAtStart, end: Math.round(os.loadavg()[0] * 10) / 10 },
  };
}

/** The whole run: its results, and whether they replaced latest.json. */
async function run(options: BenchOptions): Promise<{ results: BenchResults; latest: boolean }> {
  const started = Date.now();
  await ensurePostgres();
  if (!options.skipSeed) {
    log(`seeding ${options.citizens.toLocaleString('en-US')} citizens into ${options.databaseUrl}`);
    seed(options.databaseUrl, options.citizens);
  }
  const sizes = await dataSetSize(options.databaseUrl);
  if (!options.skipSeed && sizes['population.citizens'] !== options.citizens) {
    throw new Error(
      `the database holds ${sizes['population.citizens']} citizens, not ${options.citizens}`,
    );
  }
  const pool: SubjectPool = await drawSubjects(
    options.databaseUrl,
    sizes,
    options.smoke ? 1_000 : POOL.citizens,
    options.smoke ? 200 : POOL.enterprises,
  );
  log(
    `${pool.citizens.length} citizens and ${pool.enterprises.length} enterprises drawn as subjects`,
  );
  build();

  const notes: string[] = [];
  const logPresent = accessLogPresent();
  if (!logPresent) {
    notes.push(
      'The access log is not in the gateway yet: gateway and gateway-nolog run the same build.',
    );
  }
  const context: Context = { options, insuranceUrl: null, headers: {} };
  {
    const port = await freePort();
    await start({
      name: 'insurance-service',
      script: 'dist/mocks/insurance-service/main.js',
      env: {
        INSURANCE_DATABASE_URL: options.databaseUrl,
        INSURANCE_PORT: String(port),
        NODE_ENV: 'production',
      },
      port,
      readyUrl: `http://127.0.0.1:${port}/health`,
      path: '',
      metricsUrl: null,
    });
    context.insuranceUrl = `http://127.0.0.1:${port}`;
  }

  // The reference answers every comparator must give, from a gateway started for that alone.
  const reference = await startTarget('gateway', context);
  // The registry exists once the gateway has started; the catalogue tells which procedure
  // codes the client needs as purposes for W3.
  let apiKey = await benchApiKey(options.databaseUrl, [BENCH_PURPOSE]);
  pool.procedures = await procedures(reference, benchHeaders(apiKey, BENCH_PURPOSE));
  const purposes = [BENCH_PURPOSE, ...pool.procedures.map((procedure) => procedure.code)];
  if (purposes.length > 1) apiKey = await benchApiKey(options.databaseUrl, purposes);
  for (const purpose of purposes) context.headers[purpose] = benchHeaders(apiKey, purpose);
  const workloads = options.workloads.filter((workload) => {
    if (workload === 'W3' && pool.procedures.length === 0) {
      notes.push('W3 skipped: the gateway has no procedure catalogue yet.');
      return false;
    }
    return true;
  });
  // A workload the gateway cannot answer is a failure of the run, reported at the end; the
  // other workloads are still measured so that one refusal does not hide every other figure.
  const failures: string[] = [];
  const expected = new Map<WorkloadName, unknown[]>();
  for (const workload of workloads) {
    const checks = prepareRequests(workload, 'gateway', pool, options.checks, CHECK_SEED);
    const answers: unknown[] = [];
    for (const request of checks) {
      const answer = await post(reference.url, request, context.headers[request.purpose]);
      const text = JSON.stringify(answer.body);
      const data = (answer.body as { data?: Record<string, unknown> }).data;
      if (
        answer.status !== 200 ||
        text.includes('"errors":') ||
        !data ||
        Object.values(data).includes(null)
      ) {
        failures.push(
          `${workload}: the gateway does not answer it (HTTP ${answer.status}): ${text.slice(0, 400)}`,
        );
        break;
      }
      answers.push(comparable(workload, 'gateway', answer.body));
    }
    if (answers.length === checks.length) expected.set(workload, answers);
  }
  await stop(reference);

  const haveBench = pgbenchAvailable();
  if (!haveBench && options.targets.includes('pgbench')) {
    notes.push('pgbench skipped: the pgbench binary is not installed.');
  }
  const measured: RunRecord[] = [];
  const checkedCalls: CheckedCalls = {};
  // One process per target, serving its workloads in turn; targets whose ratio matters most sit
  // next to each other (raw-http, gateway, gateway-nolog) so that drift on a shared machine
  // weighs least on them. One target runs at a time, which keeps the database's connection
  // count bounded and the machine to that target alone. Further rounds alternate the order,
  // and each figure is the median round's, so that a burst of other work on the machine
  // during one target's turn does not decide a ratio.
  for (let round = 1; round <= options.rounds; round++) {
    const order = round % 2 === 1 ? RUN_ORDER : [...RUN_ORDER].reverse();
    if (options.rounds > 1) log(`round ${round} of ${options.rounds}`);
    for (const target of order) {
      if (!options.targets.includes(target)) continue;
      let mine = workloads.filter((w) => expected.has(w) && SUPPORTED[w].includes(target));
      // A smoke run checks that every target still works: the gateway and raw-http on every
      // workload, every other target on its first one, so that it stays short.
      if (options.smoke && target !== 'gateway' && target !== 'raw-http') mine = mine.slice(0, 1);
      if (mine.length === 0) continue;
      if (target === 'pgbench') {
        if (haveBench) {
          await measurePgbench(options, pool).then(
            (record) => measured.push({ ...record, round }),
            (error: unknown) => failures.push(`W1 on pgbench: ${String(error)}`),
          );
        }
        continue;
      }
      let service: Service;
      try {
        service = await startTarget(target, context);
      } catch (error) {
        failures.push(`${target}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      try {
        for (const workload of mine) {
          try {
            log(`${workload} on ${target}`);
            const checks = prepareRequests(workload, target, pool, options.checks, CHECK_SEED);
            const expectedAnswers = expected.get(workload) ?? [];
            const calls = await checkTarget(
              workload,
              target,
              service,
              checks,
              expectedAnswers,
              context,
            );
            checkedCalls[workload] = { ...checkedCalls[workload], [target]: calls };
            const size = workload === 'W2' ? REQUESTS.W2 : REQUESTS.other;
            const requests = prepareRequests(workload, target, pool, size, REQUEST_SEED);
            const record = await measure(
              workload,
              target,
              service,
              requests,
              context,
              options.duration,
            );
            measured.push({ ...record, round });
            log(
              `${workload} on ${target}: ${record.rps} req/s, p50 ${record.p50} ms, p99 ${record.p99} ms, ` +
                `${record.callsPerRequest ?? '-'} calls/request, ${record.rssMB ?? '-'} MB`,
            );
          } catch (error) {
            const message = error instanceof Error ? error.message : String(error);
            failures.push(`${workload} on ${target}: ${message}`);
            console.error(`\n${workload} on ${target} FAILED: ${message}\n`);
          }
        }
      } finally {
        await stop(service);
      }
    }
  }
  const runs = medianRounds(measured);

  let longRun: RunRecord | undefined;
  if (options.longRun > 0) {
    log(`gateway under W1 for ${options.longRun} s, RSS sampled every second`);
    const service = await startTarget('gateway', context);
    try {
      const requests = prepareRequests('W1', 'gateway', pool, REQUESTS.other, REQUEST_SEED);
      longRun = await measure('W1', 'gateway', service, requests, context, options.longRun);
    } finally {
      await stop(service);
    }
  }

  let profile: BenchResults['profile'];
  if (options.profile) {
    const dir = path.join(RESULTS, 'profiles');
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    log('gateway under W1 with node --cpu-prof');
    const spawned = Date.now();
    const service = await startTarget('gateway', context, {
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    });
    const window = { from: 0, to: 0 };
    try {
      const requests = prepareRequests('W1', 'gateway', pool, REQUESTS.other, REQUEST_SEED);
      await measure('W1', 'gateway', service, requests, context, options.duration, window);
    } finally {
      await stop(service);
    }
    const file = fs.readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
    if (!file) throw new Error('the profiled gateway wrote no .cpuprofile');
    // The profile starts with the process: keep the measured load only, not start-up or warm-up.
    profile = summariseProfile(path.join(dir, file), {
      fromMs: window.from - spawned,
      toMs: window.to - spawned,
    });
    printProfile(profile);
  }

  const results: BenchResults = {
    machine: await machine(options, sizes),
    runs,
    rounds: options.rounds > 1 ? measured : undefined,
    ratios: computeRatios(runs),
    targets: evaluateTargets(runs, checkedCalls, logPresent, longRun),
    checkedCalls,
    longRun,
    notes,
    failures,
    profile,
  };
  await stopAll();
  const latest = write(results, options);
  log(`done in ${Math.round((Date.now() - started) / 1000)} s`);
  return { results, latest };
}

async function measurePgbench(options: BenchOptions, pool: SubjectPool): Promise<RunRecord> {
  log('W1 on pgbench');
  const subjects = pool.citizens.length;
  await runPgbench(options.databaseUrl, subjects, options.connections, options.warmup);
  const result = await runPgbench(
    options.databaseUrl,
    subjects,
    options.connections,
    options.duration,
  );
  if (result.failed > 0) throw new Error(`pgbench: ${result.failed} failed transactions`);
  // Statements per transaction as raw-http issues them; the subject lookup is not counted.
  const perTransaction = await withClient(options.databaseUrl, async (client) => {
    const row = (await client.query('SELECT 5 + avg(has_employers) AS n FROM bench.subjects'))
      .rows[0] as { n: string };
    return Math.round(Number(row.n) * 1000) / 1000;
  });
  log(
    `W1 on pgbench: ${Math.round(result.tps)} tps, p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms`,
  );
  return {
    workload: 'W1',
    target: 'pgbench',
    rps: Math.round(result.tps * 10) / 10,
    p50: Math.round(result.p50 * 100) / 100,
    p99: Math.round(result.p99 * 100) / 100,
    callsPerRequest: perTransaction,
    rssMB: null,
    requests: result.transactions,
    seconds: options.duration,
    connections: options.connections,
    calls: {},
    rssSeries: [],
    rssGrowthMB: null,
  };
}

function printTable(results: BenchResults): void {
  const rows = results.runs.map((run) => ({
    workload: run.workload,
    target: run.target,
    'req/s': run.rps,
    'p50 ms': run.p50,
    'p99 ms': run.p99,
    'calls/req': run.callsPerRequest,
    'RSS MB': run.rssMB,
  }));
  console.table(rows);
  console.log('ratios:', JSON.stringify(results.ratios, null, 2));
  console.table(results.targets);
  for (const note of results.notes) console.log(`note: ${note}`);
  for (const failure of results.failures) console.log(`FAILED: ${failure.split('\n')[0]}`);
}

/** Writes the results; true when latest.json was replaced (a complete, non-smoke run). */
function write(results: BenchResults, options: BenchOptions): boolean {
  fs.mkdirSync(RESULTS, { recursive: true });
  printTable(results);
  const json = `${JSON.stringify(results, null, 2)}\n`;
  if (options.smoke) {
    fs.writeFileSync(path.join(RESULTS, 'smoke.json'), json);
    log('wrote bench/results/smoke.json');
    return false;
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
  fs.writeFileSync(path.join(RESULTS, `${stamp}.json`), json);
  const complete =
    WORKLOADS.every((w) => options.workloads.includes(w)) &&
    TARGETS.every((t) => options.targets.includes(t));
  if (!complete) {
    log(
      `wrote bench/results/${stamp}.json (a partial run leaves latest.json and README as they are)`,
    );
    return false;
  }
  fs.writeFileSync(path.join(RESULTS, 'latest.json'), json);
  const machineInfo = results.machine as { citizens: number; cpus: number; cpu: string };
  fs.writeFileSync(
    path.join(RESULTS, 'latest.svg'),
    renderChart(
      results.runs,
      `${machineInfo.citizens.toLocaleString('en-US')} citizens, ${machineInfo.cpus} × ${machineInfo.cpu}, ${options.connections} connections`,
    ),
  );
  log(`wrote bench/results/${stamp}.json, latest.json and latest.svg`);
  return true;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  // Bounded in time: every run's seconds, plus generous room for seeding, builds and starts.
  const runsCount = WORKLOADS.length * TARGETS.length * options.rounds;
  const budget =
    (runsCount * (options.duration + options.warmup + 30) +
      options.longRun +
      (options.smoke ? 300 : 1800)) *
    1000;
  const watchdog = setTimeout(() => {
    console.error(`bench: still running after ${budget / 1000} s; stopping`);
    void stopAll().finally(() => process.exit(1));
  }, budget);
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stopAll().finally(() => process.exit(130));
    });
  }
  try {
    const { results, latest } = await run(options);
    if (latest) {
      await updateReadme(
        path.join(ROOT, 'README.md'),
        renderSection(results, 'bench/results/latest.svg'),
      );
      log('README.md performance section updated');
    }
    if (results.failures.length > 0) {
      throw new Error(
        `${results.failures.length} failure(s):\n${results.failures.map((f) => `- ${f}`).join('\n')}`,
      );
    }
  } finally {
    await stopAll();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
