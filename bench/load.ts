import autocannon from 'autocannon';
import type { PreparedRequest } from './workloads';

/**
 * The load generator, in a process of its own so that it never shares an event loop with the
 * harness or a target. The harness forks it and sends one `LoadCommand` per phase (warm-up,
 * then measurement); it answers each with a `LoadResult`, and exits when the harness hangs up.
 */

export interface LoadCommand {
  url: string;
  requests: PreparedRequest[];
  headersByPurpose: Record<string, Record<string, string>>;
  connections: number;
  seconds: number;
}

export interface LoadResult {
  /** Answers received in time. */
  requests: number;
  /** Requests sent, including those still in flight when the run stopped, which the target serves. */
  sent: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  p999: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  /** 2xx answers carrying GraphQL errors: a fast wrong answer is not a result. */
  mismatches: number;
  /** The first few bodies that failed verification, to show what went wrong. */
  badBodies: string[];
}

export type LoadReply = { ok: true; result: LoadResult } | { ok: false; error: string };

/** A 200 with `errors` is a failure for the benchmark even though HTTP calls it a success. */
export function answerIsClean(body: string): boolean {
  return body.startsWith('{"data":') && !body.includes('"errors":');
}

export function runLoad(command: LoadCommand): Promise<LoadResult> {
  const { requests } = command;
  if (requests.length === 0) return Promise.reject(new Error('no requests to send'));
  const headers = Object.fromEntries(
    Object.entries(command.headersByPurpose).map(([purpose, values]) => [
      purpose,
      { 'content-type': 'application/json', ...values },
    ]),
  );
  const badBodies: string[] = [];
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: command.url,
        connections: command.connections,
        duration: command.seconds,
        timeout: 30,
        requests: [
          {
            method: 'POST',
            setupRequest: (request) => {
              const next = requests[Math.floor(Math.random() * requests.length)];
              return { ...request, body: next.body, headers: headers[next.purpose] };
            },
          },
        ],
        verifyBody: (body) => {
          if (answerIsClean(body)) return true;
          if (badBodies.length < 3) badBodies.push(body.slice(0, 2000));
          return false;
        },
      },
      (error, result) => {
        if (error) return reject(error);
        resolve({
          requests: result.requests.total,
          sent: result.requests.sent,
          seconds: result.duration,
          rps: result.requests.total / result.duration,
          p50: result.latency.p50,
          p99: result.latency.p99,
          p999: result.latency.p99_9,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          mismatches: result.mismatches,
          badBodies,
        });
      },
    );
  });
}

if (require.main === module && process.send) {
  process.on('message', (command: LoadCommand) => {
    runLoad(command).then(
      (result) => process.send?.({ ok: true, result } satisfies LoadReply),
      (error: unknown) => process.send?.({ ok: false, error: String(error) } satisfies LoadReply),
    );
  });
  process.on('disconnect', () => process.exit(0));
}
