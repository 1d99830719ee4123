import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import { ROOT } from '../paths';

/** A process of the federated topology: what it is, where it answers, how to stop it. */
export interface ServiceProcess {
  name: string;
  url: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal) when the process ends, for whatever reason. */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env: NodeJS.ProcessEnv;
  /** Every line the process prints other than its ready line. */
  onOutput?: (name: string, line: string) => void;
  /** How long it may take to say where it listens. */
  readyTimeoutMs?: number;
}

/**
 * Starts a TypeScript entry point (src/subgraph/main.ts, src/federation/serve.ts) as a process
 * of its own, and resolves once it prints the JSON line naming its URL (`url` or `gateway`).
 */
export function spawnService(
  name: string,
  script: string,
  args: string[],
  options: SpawnOptions,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, script), ...args], {
    cwd: ROOT,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')),
  );
  const stderr: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
    options.onOutput?.(name, line);
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start within ${options.readyTimeoutMs ?? 300_000} ms`));
    }, options.readyTimeoutMs ?? 300_000);
    let ready = false;
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!ready && line.startsWith('{')) {
        try {
          const parsed = JSON.parse(line) as { url?: string; gateway?: string };
          const url = parsed.url ?? parsed.gateway;
          if (url) {
            ready = true;
            clearTimeout(timer);
            resolve({
              name,
              url,
              child,
              exited,
              stop: async () => {
                if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
                await exited;
              },
            });
            return;
          }
        } catch {
          // An ordinary log line.
        }
      }
      options.onOutput?.(name, line);
    });
    void exited.then((code) => {
      if (ready) return;
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code}) before it was ready:\n${stderr.join('\n')}`));
    });
  });
}

/**
 * A port free on loopback now, for a process that must be known before it starts. It is drawn
 * from below the kernel's ephemeral range: a server listening on port 0 elsewhere, or an
 * outgoing connection, is given ports from that range and so can never take this one between
 * the probe and the process's own listen.
 */
export async function freePort(): Promise<number> {
  const ephemeralStart = ephemeralRangeStart();
  const low = Math.max(1024, ephemeralStart - 12_000);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = low + Math.floor(Math.random() * (ephemeralStart - low));
    if (await listenable(port)) return port;
  }
  throw new Error(`no free loopback port found in ${low}-${ephemeralStart - 1}`);
}

function ephemeralRangeStart(): number {
  try {
    const range = fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8');
    const start = Number(range.trim().split(/\s+/)[0]);
    if (Number.isInteger(start) && start > 2048) return start;
  } catch {
    // Not Linux: the IANA dynamic range starts at 49152.
    return 49_152;
  }
  return 32_768;
}

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}
