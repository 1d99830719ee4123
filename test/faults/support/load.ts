import http from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

/** One request of a load run, as the client saw it. */
export interface Outcome {
  tag: string;
  requestId: string;
  startedAt: number;
  ms: number;
  /** HTTP status; 0 when no response came (connection refused or reset). */
  status: number;
  /** `code`, `code:source:reason` for SOURCE_UNAVAILABLE, of each error in the body. */
  errors: string[];
  /** A root field came back with data: personal data reached the client. */
  personal: boolean;
  /** The response's Connection header. */
  connection: string | undefined;
}

export interface GraphQLRequest {
  query: string;
  variables?: Record<string, unknown>;
}

/** Sends one GraphQL request as the demo portal; never rejects. */
export function send(
  url: string,
  request: GraphQLRequest,
  options: { agent?: http.Agent; tag?: string; timeoutMs?: number } = {},
): Promise<Outcome> {
  const requestId = randomUUID();
  const startedAt = Date.now();
  const body = JSON.stringify(request);
  return new Promise((resolve) => {
    const done = (status: number, text: string, connection?: string) => {
      let errors: string[] = [];
      let personal = false;
      try {
        const parsed = JSON.parse(text) as {
          data?: Record<string, unknown> | null;
          errors?: { extensions?: { code?: string; source?: string; reason?: string } }[];
        };
        errors = (parsed.errors ?? []).map(({ extensions: e = {} }) =>
          e.code === 'SOURCE_UNAVAILABLE' ? `${e.code}:${e.source}:${e.reason}` : String(e.code),
        );
        personal =
          status === 200 && Object.values(parsed.data ?? {}).some((value) => value != null);
      } catch {
        if (status !== 0) errors = [`HTTP_${status}`];
      }
      resolve({
        tag: options.tag ?? '',
        requestId,
        startedAt,
        ms: Date.now() - startedAt,
        status,
        errors: status === 0 ? ['NO_RESPONSE'] : errors,
        personal,
        connection,
      });
    };
    const req = http.request(
      `${url}/graphql`,
      {
        method: 'POST',
        agent: options.agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: 'Bearer demo-portal',
          'x-purpose': 'DEMO',
          'x-request-id': requestId,
        },
        timeout: options.timeoutMs ?? 20_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          done(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers.connection),
        );
        res.on('error', () => done(0, ''));
      },
    );
    req.on('timeout', () => req.destroy(new Error('client timeout')));
    req.on('error', () => done(0, ''));
    req.end(body);
  });
}

/**
 * Keeps `concurrency` requests in flight until `stop()` says so, each made by `next`; the
 * connections are kept alive, as a portal's would be.
 */
export async function load(
  url: string,
  next: (index: number) => GraphQLRequest & { tag?: string },
  options: { concurrency: number; stop: () => boolean; agent?: http.Agent; pauseMs?: number },
): Promise<Outcome[]> {
  const agent =
    options.agent ?? new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const outcomes: Outcome[] = [];
  let index = 0;
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (!options.stop()) {
        const request = next(index++);
        outcomes.push(await send(url, request, { agent, tag: request.tag }));
        if (options.pauseMs) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
      }
    }),
  );
  if (!options.agent) agent.destroy();
  return outcomes;
}

/** Stops after `ms`. */
export function after(ms: number): () => boolean {
  const until = Date.now() + ms;
  return () => Date.now() >= until;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Count, rate, errors by code and latency percentiles of some outcomes. */
export function summarize(outcomes: Outcome[], seconds?: number) {
  const errors: Record<string, number> = {};
  for (const outcome of outcomes)
    for (const code of new Set(outcome.errors)) errors[code] = (errors[code] ?? 0) + 1;
  const ms = outcomes.map((outcome) => outcome.ms);
  const span =
    seconds ??
    (outcomes.length > 0
      ? (Math.max(...outcomes.map((o) => o.startedAt + o.ms)) -
          Math.min(...outcomes.map((o) => o.startedAt))) /
        1000
      : 1);
  return {
    count: outcomes.length,
    ratePerSecond: Math.round((outcomes.length / Math.max(span, 0.001)) * 10) / 10,
    errors,
    p50: percentile(ms, 50),
    p95: percentile(ms, 95),
    p99: percentile(ms, 99),
    max: ms.length ? Math.max(...ms) : 0,
  };
}

/** Request ids of answers that carried personal data yet have no committed access log entry. */
export async function withoutLogEntry(db: Knex, outcomes: Outcome[]): Promise<string[]> {
  const ids = outcomes.filter((outcome) => outcome.personal).map((outcome) => outcome.requestId);
  if (ids.length === 0) return [];
  const found = new Set<string>();
  for (let i = 0; i < ids.length; i += 5000) {
    // The load sends its own X-Request-Id, which the log keeps beside the gateway's own id.
    const { rows } = await db.raw(
      'SELECT client_request_id FROM audit.entries WHERE client_request_id = ANY(?)',
      [ids.slice(i, i + 5000)],
    );
    for (const row of rows as { client_request_id: string }[]) found.add(row.client_request_id);
  }
  return ids.filter((id) => !found.has(id));
}
