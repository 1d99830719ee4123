import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ROOT } from './database';

/** A process the harness started: a target, or the insurance agency's mock service. */
export interface Service {
  name: string;
  pid: number;
  /** Where requests go: the GraphQL endpoint, or the service's base URL. */
  url: string;
  /** The calls each national database answered: Prometheus text from the gateway, JSON from comparators; null for services that do not count. */
  metricsUrl: string | null;
  /** The last lines it wrote, to show why it failed. */
  output(): string;
  stop(): Promise<void>;
}

export interface ServiceSpec {
  name: string;
  /** Script under dist/, relative to the repository root. */
  script: string;
  nodeArgs?: string[];
  env: Record<string, string>;
  port: number;
  /** Polled until it answers 200: the service is ready. */
  readyUrl: string;
  /** URL suffix (relative to http://127.0.0.1:port) requests go to. */
  path: string;
  metricsUrl: string | null;
  readyTimeoutMs?: number;
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Starts a compiled script with node (no wrapper process, so pid is the target's own). */
export async function startService(spec: ServiceSpec): Promise<Service> {
  const script = path.join(ROOT, spec.script);
  if (!fs.existsSync(script)) throw new Error(`${script} is missing; did the build run?`);
  const child: ChildProcess = spawn(process.execPath, [...(spec.nodeArgs ?? []), script], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...spec.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 40) lines.splice(0, lines.length - 40);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null = null;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : 1);
      resolve();
    }),
  );

  const base = `http://127.0.0.1:${spec.port}`;
  const deadline = Date.now() + (spec.readyTimeoutMs ?? 120_000);
  while (!(await answers(spec.readyUrl))) {
    if (exited !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `${spec.name} did not become ready (${exited !== null ? `exit ${exited}` : 'timeout'}):\n` +
          lines.join('\n'),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }

  return {
    name: spec.name,
    pid: child.pid as number,
    url: base + spec.path,
    metricsUrl: spec.metricsUrl,
    output: () => lines.join('\n'),
    async stop() {
      if (exited !== null) return;
      // A federated target stops its own processes; any it leaves behind are stopped here.
      const descendants = descendantsOf(child.pid as number);
      child.kill('SIGTERM');
      const force = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exit;
      clearTimeout(force);
      for (const pid of descendants) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      }
    },
  };
}

/** The processes a process started, from /proc (none once it is gone). */
function childrenOf(pid: number): number[] {
  try {
    return fs
      .readdirSync(`/proc/${pid}/task`)
      .flatMap((task) =>
        fs.readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean),
      )
      .map(Number);
  } catch {
    return [];
  }
}

/** Every process below `pid`, children first. */
function descendantsOf(pid: number): number[] {
  return childrenOf(pid).flatMap((child) => [child, ...descendantsOf(child)]);
}

/**
 * Resident memory in MB, from /proc (null once it is gone), of a process and every process it
 * started: a federated target is a launcher and its subgraph and gateway processes.
 */
export function rssMB(pid: number): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    if (!match) return null;
    const own = Number(match[1]) / 1024;
    return childrenOf(pid).reduce((sum, child) => sum + (rssMB(child) ?? 0), own);
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; returns [seconds, MB] pairs. */
export function sampleRss(pid: number, everyMs = 1000): { stop(): [number, number][] } {
  const started = Date.now();
  const samples: [number, number][] = [];
  const take = () => {
    const mb = rssMB(pid);
    if (mb !== null) samples.push([Math.round((Date.now() - started) / 100) / 10, mb]);
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}

/** Calls per national database since the target started, from its /metrics. */
export async function sourceCalls(service: Service): Promise<Record<string, number>> {
  if (!service.metricsUrl) return {};
  const response = await fetch(service.metricsUrl);
  if (!response.ok) throw new Error(`${service.metricsUrl} answered ${response.status}`);
  const text = await response.text();
  // The gateway speaks Prometheus text; the comparators' small counters serve JSON.
  if (!text.trimStart().startsWith('{')) {
    const calls: Record<string, number> = {};
    for (const match of text.matchAll(
      /^gateway_source_calls_total\{source="([a-z_]+)"\} (\d+)$/gm,
    )) {
      calls[match[1]] = Number(match[2]);
    }
    return calls;
  }
  // The federated gateway counts the calls it makes to each subgraph.
  const body = JSON.parse(text) as {
    sourceCalls?: Record<string, number>;
    subgraphCalls?: Record<string, number>;
  };
  return body.sourceCalls ?? body.subgraphCalls ?? {};
}

/**
 * Calls once the target is done with every request it received: when a run stops, requests in
 * flight are still served, and their calls must land on the side of the snapshot they belong to.
 */
export async function settledCalls(service: Service): Promise<Record<string, number>> {
  let previous = JSON.stringify(await sourceCalls(service));
  // naive under W2 can take many seconds to work through what was queued when the load stopped.
  for (let i = 0; i < 300; i++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const current = await sourceCalls(service);
    if (JSON.stringify(current) === previous) return current;
    previous = JSON.stringify(current);
  }
  return JSON.parse(previous) as Record<string, number>;
}

export function callDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [name, count] of Object.entries(after)) {
    const diff = count - (before[name] ?? 0);
    if (diff !== 0) delta[name] = diff;
  }
  return delta;
}
