import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError } from 'graphql';
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
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'insurance' },
    });
    expect(JSON.stringify(body.errors)).not.toMatch(/127\.0\.0\.1|ECONN|timeout|at \//i);
  });

  it('is reported by /readyz with 503, naming the source', async () => {
    const response = await fetch(`${t.url}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { sources: Record<string, string> };
    expect(body.sources.insurance).toBe('down');
    expect(body.sources.population).toBe('up');
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
