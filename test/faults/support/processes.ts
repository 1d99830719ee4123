import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { MOCK_VNEID_ISSUER, MOCK_VNEID_PUBLIC_KEY_PEM } from '../../../mocks/vneid/issuer';
import { testConfig } from '../../support/gateway';

const ROOT = path.resolve(__dirname, '../../..');

/** The database the fault tests run on; the suite needs real PostgreSQL. */
export function databaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('npm run test:faults needs TEST_DATABASE_URL (real PostgreSQL)');
  return url;
}

/** Every process the tests started and that still runs: killed if the test process ends first. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A process of ours: its log lines, and how to stop it. */
export class Child {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly listeners = new Set<(line: string) => void>();

  constructor(readonly proc: ChildProcess) {
    let buffer = '';
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim() === '') continue;
        this.lines.push(line);
        for (const listener of this.listeners) listener(line);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    running.add(proc);
    this.exited = new Promise((resolve) =>
      proc.once('exit', (code, signal) => {
        running.delete(proc);
        resolve({ code, signal });
      }),
    );
  }

  /** The log lines that are JSON objects. */
  get entries(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        const value = JSON.parse(line) as unknown;
        return typeof value === 'object' && value !== null
          ? [value as Record<string, unknown>]
          : [];
      } catch {
        return [];
      }
    });
  }

  /** Resolves with the first line that matches, rejects after `ms`. */
  waitFor(match: (line: string) => boolean, ms = 30_000): Promise<string> {
    const seen = this.lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(
          new Error(
            `no matching line within ${ms} ms; last lines:\n${this.lines.slice(-10).join('\n')}`,
          ),
        );
      }, ms);
      const listener = (line: string) => {
        if (!match(line)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(line);
      };
      this.listeners.add(listener);
      void this.exited.then(() => {
        if (!this.listeners.has(listener)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        reject(
          new Error(
            `exited before a matching line; last lines:\n${this.lines.slice(-10).join('\n')}`,
          ),
        );
      });
    });
  }

  kill(signal: NodeJS.Signals): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
  }

  async stop(): Promise<void> {
    this.kill('SIGKILL');
    await this.exited;
  }
}

function run(script: string, env: NodeJS.ProcessEnv, args: string[] = []): Child {
  return new Child(
    // node --import tsx: one process, so a signal reaches the program itself.
    spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

/** The insurance agency's mock service as its own process, on `port`. */
export async function startInsuranceProcess(port: number): Promise<Child> {
  const child = run('mocks/insurance-service/main.ts', {
    PATH: process.env.PATH,
    DATABASE_URL: databaseUrl(),
    INSURANCE_PORT: String(port),
  });
  await child.waitFor((line) => line.includes('insurance service on'));
  return child;
}

/** What every gateway process of the fault tests has: the test database, mock VNeID, test log key. */
export function gatewayEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATABASE_URL: databaseUrl(),
    VNEID_PUBLIC_KEY: MOCK_VNEID_PUBLIC_KEY_PEM,
    VNEID_ISSUER: MOCK_VNEID_ISSUER,
    AUDIT_SIGNING_KEY: testConfig().auditKeys.AUDIT_SIGNING_KEY,
    ...extra,
  };
}

/** A gateway process (`tsx src/main.ts`) and the URL it answers on. */
export interface GatewayProcess extends Child {
  url: string;
}

/** Starts `tsx src/main.ts`; `embedded` runs the embedded default (no database needed). */
export async function startGatewayProcess(
  env: NodeJS.ProcessEnv,
  { embedded = false } = {},
): Promise<GatewayProcess> {
  const child = run(
    'src/main.ts',
    embedded
      ? { PATH: process.env.PATH, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env }
      : gatewayEnv(env),
  );
  const ready = await child.waitFor((line) => line.includes('"gateway ready"'), 60_000);
  const url = (JSON.parse(ready) as { url: string }).url.replace(/\/graphql$/, '');
  return Object.assign(child, { url });
}

/** `npm run audit -- verify`: the exit code and what it printed. */
export async function verifyAuditChain(): Promise<{ code: number | null; output: string }> {
  const child = run(
    'scripts/audit.ts',
    {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl(),
      AUDIT_SIGNING_KEY: testConfig().auditKeys.AUDIT_SIGNING_KEY,
    },
    ['verify'],
  );
  const { code } = await child.exited;
  return { code, output: child.lines.join('\n') };
}
