import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
import {
  Deadline,
  SourceGuard,
  SourceUnavailableError,
  sourceSettings,
} from '../adapters/protection';
import { createErrorFormatter } from '../src/errors';
import { createLogger } from '../src/logger';
import { startTestGateway, type TestGateway } from './support/gateway';

describe('a national database that does not answer', () => {
  let t: TestGateway;
  let stuck: http.Server;

  beforeAll(async () => {
    // An insurance service that accepts connections and never answers.
    stuck = http.createServer(() => undefined);
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    const port = (stuck.address() as AddressInfo).port;
    t = await startTestGateway({
      insuranceServiceUrl: `http://127.0.0.1:${port}`,
      sourceTimeoutMs: 300,
    });
  });

  afterAll(async () => {
    await t.close();
    stuck.closeAllConnections();
    await new Promise((resolve) => stuck.close(resolve));
  });

  it('is SOURCE_UNAVAILABLE on its fields while the other sources answer', async () => {
    const id = (
      await t
        .db('insurance')
        .raw(`SELECT citizen_id FROM insurance.insurance_records ORDER BY citizen_id LIMIT 1`)
    ).rows[0].citizen_id;
    const { status, body } = await t.graphql<{
      citizen: { id: string; fullName: string; insurance: null; enterprises: unknown[] };
    }>(
      `query ($id: ID!) { citizen(id: $id) { id fullName insurance { socialInsuranceNumber } enterprises { role } } }`,
      { id },
    );
    expect(status).toBe(200);
    expect(body.data!.citizen.id).toBe(id);
    expect(body.data!.citizen.fullName).toEqual(expect.any(String));
    expect(body.data!.citizen.insurance).toBeNull();
    expect(Array.isArray(body.data!.citizen.enterprises)).toBe(true);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0]).toMatchObject({
      path: ['citizen', 'insurance'],
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'insurance', reason: 'timed_out' },
    });
    expect(body.errors![0].message).toBe(
      'The insurance database did not answer in time; other data is returned.',
    );
    expect(JSON.stringify(body.errors)).not.toMatch(/127\.0\.0\.1|ECONN|timeout|at \//i);
  });

  it('is reported by /readyz with 503, naming the source', async () => {
    const response = await fetch(`${t.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as {
      sources: Record<string, string>;
      circuits: Record<string, string>;
    };
    expect(body.sources.insurance).toBe('down');
    expect(body.sources.population).toBe('up');
    expect(body.sources.audit).toBe('up');
    expect(body.circuits).toMatchObject({ population: 'closed', land: 'closed' });
  });
});

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('a national database that refuses connections', () => {
  let t: TestGateway;
  let id: string;

  beforeAll(async () => {
    t = await startTestGateway({
      insuranceServiceUrl: `http://127.0.0.1:${await closedPort()}`,
      sourceTimeoutMs: 2000,
      sources: { insurance: { breakerFailures: 2, breakerCooldownMs: 60_000, retries: 0 } },
    });
    id = (await t.db('population').raw(`SELECT min(id) AS id FROM population.citizens`)).rows[0].id;
  });

  afterAll(() => t.close());

  const query = `query ($id: ID!) { citizen(id: $id) { fullName insurance { status } } }`;

  it('says it refused, not that it was slow, and names no address', async () => {
    const { body } = await t.graphql<{ citizen: { fullName: string } }>(query, { id });
    expect(body.data!.citizen.fullName).toEqual(expect.any(String));
    expect(body.errors![0]).toMatchObject({
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'insurance', reason: 'refused' },
      message: 'The insurance database refused the connection; other data is returned.',
    });
    expect(JSON.stringify(body.errors)).not.toMatch(/127\.0\.0\.1|ECONN|:\d{4,5}/);
  });

  it('opens the breaker after repeated failures: then answers at once, circuit open', async () => {
    await t.graphql(query, { id });
    const started = Date.now();
    const { body } = await t.graphql(query, { id });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(body.errors![0]).toMatchObject({
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'insurance', reason: 'circuit_open' },
    });
    expect(body.errors![0].message).toContain('circuit open');
    const ready = (await (await fetch(`${t.url}/readyz`)).json()) as {
      circuits: Record<string, string>;
    };
    expect(ready.circuits.insurance).toBe('open');
  });
});

describe('per-source protection', () => {
  const settings = (overrides = {}) =>
    sourceSettings('land', { sourceTimeoutMs: 1000, poolSize: 2 }, overrides);
  const slow = (ms: number) => () => new Promise((resolve) => setTimeout(resolve, ms, 'rows'));

  it('gives every call of one request what is left of one deadline', async () => {
    const guard = new SourceGuard('land', settings());
    const deadline = new Deadline(400);
    const started = Date.now();
    await expect(guard.run(deadline, slow(250))).resolves.toBe('rows');
    // A second batch gets the 150 ms left, not a fresh 1,000 ms.
    await expect(guard.run(deadline, slow(250))).rejects.toMatchObject({ reason: 'timed_out' });
    expect(Date.now() - started).toBeLessThan(550);
  });

  it('holds calls beyond the pool in a queue bounded by the deadline, not blamed on the source', async () => {
    const guard = new SourceGuard('land', settings({ breakerFailures: 1 }));
    const deadline = new Deadline(300);
    const calls = [1, 2, 3].map(() => guard.run(deadline, slow(200)));
    const results = await Promise.allSettled(calls);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(SourceUnavailableError);
    // The wait in the queue was not the source's failure: the breaker stays closed.
    expect(guard.circuit).toBe('closed');
  });

  it('opens after repeated failures, probes after the cool-down and closes when the source answers', async () => {
    const guard = new SourceGuard(
      'land',
      settings({ breakerFailures: 2, breakerCooldownMs: 200, retries: 0 }),
    );
    const failing = () => Promise.reject(new Error('boom'));
    for (let i = 0; i < 2; i++)
      await expect(guard.run(new Deadline(500), failing)).rejects.toMatchObject({
        reason: 'failed',
      });
    expect(guard.circuit).toBe('open');
    let called = false;
    await expect(
      guard.run(new Deadline(500), async () => {
        called = true;
      }),
    ).rejects.toMatchObject({ reason: 'circuit_open' });
    expect(called).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 250));
    await expect(guard.run(new Deadline(500), slow(10))).resolves.toBe('rows');
    expect(guard.circuit).toBe('closed');
  });

  it('retries a read whose connection was lost, within the deadline', async () => {
    const guard = new SourceGuard('land', settings({ retries: 1 }));
    let attempts = 0;
    const flaky = async () => {
      attempts += 1;
      if (attempts === 1) throw Object.assign(new Error('terminated'), { code: '57P01' });
      return 'rows';
    };
    await expect(guard.run(new Deadline(500), flaky)).resolves.toBe('rows');
    expect(attempts).toBe(2);
  });
});

describe('unexpected errors', () => {
  it('are masked with an error id that the log carries', () => {
    const lines: string[] = [];
    const logger = createLogger('error');
    const spy = jest.spyOn(logger, 'error').mockImplementation(((obj: unknown) => {
      lines.push(JSON.stringify(obj));
    }) as never);
    const format = createErrorFormatter(logger);
    const original = new Error(
      'relation "population.citizens" does not exist at /srv/app/adapters/population.ts:12',
    );
    const wrapped = new GraphQLError(original.message, {
      originalError: original,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const formatted = format(
      {
        message: original.message,
        path: ['citizen'],
        extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['x'] },
      },
      wrapped,
    );
    expect(formatted.extensions!.code).toBe('INTERNAL_SERVER_ERROR');
    expect(formatted.message).not.toMatch(/relation|\/srv|population/);
    expect(formatted.extensions!.stacktrace).toBeUndefined();
    const errorId = formatted.extensions!.errorId as string;
    expect(errorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(formatted.message).toContain(errorId);
    expect(lines.join('\n')).toContain(errorId);
    spy.mockRestore();
  });

  it('keep the contract codes of safe errors', () => {
    const format = createErrorFormatter(createLogger('silent'));
    const error = new GraphQLError('Argument "id" must be ...', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(
      format({ message: error.message, extensions: { code: 'BAD_USER_INPUT' } }, error).extensions!
        .code,
    ).toBe('BAD_USER_INPUT');
  });
});

describe('shutdown', () => {
  it('finishes requests in flight, then refuses new connections', async () => {
    const t = await startTestGateway();
    const ids = (
      await t.db('population').raw(`SELECT id FROM population.citizens ORDER BY id LIMIT 100`)
    ).rows.map((row: { id: string }) => row.id);
    const received = new Promise((resolve) => t.gateway.server.once('request', resolve));
    const inFlight = t.graphql<{ citizens: unknown[] }>(
      `query ($ids: [ID!]!) { citizens(ids: $ids) { id enterprises { role } landRights { share } insurance { status } } }`,
      { ids },
    );
    await received;
    const closed = t.close();
    const { status, body } = await inFlight;
    expect(status).toBe(200);
    expect(body.data!.citizens).toHaveLength(100);
    await closed;
    await expect(fetch(`${t.url}/healthz`)).rejects.toThrow();
  });
});
