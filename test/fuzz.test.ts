import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { issueCitizenToken } from '../mocks/vneid/issuer';
import { startTestGateway, TEST_CITIZENS, TEST_SEED, type TestGateway } from './support/gateway';
import { sampleIdentifiers } from '../mocks/generator';
import { ROLE_FIELDS } from '../src/access/rules';
import { protectedTypes } from '../src/schema';

/**
 * A seeded fuzz of the request pipeline: thousands of documents generated from the real
 * schema (random fields, arguments, aliases, fragments, introspection), random variables and
 * viewers, and malformed bodies. Whatever comes, the gateway answers below 500, every error
 * carries a contract code and says nothing of its insides, and every answer that carries
 * personal data has its committed access-log entry.
 */
const SEED = 20261201;
const DOCUMENTS = 1500;
const MALFORMED = 300;
const CONTRACT_CODES = new Set([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'CONSENT_REQUIRED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'QUERY_TOO_COMPLEX',
  'RATE_LIMITED',
  'SOURCE_UNAVAILABLE',
  'AUDIT_UNAVAILABLE',
]);
// What a leaked internal error looks like: a stack frame, a file, SQL or a JS error's name.
const LEAK =
  /\bat [\w.<>]+ \(|\.ts:\d+|\bSELECT\b|\brelation "|TypeError|ReferenceError|knex|pglite/i;

let t: TestGateway;
let schema: GraphQLSchema;
let ids: string[];
let token: string;

/** mulberry32: a small, seeded generator, so a failure can be replayed. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let x = Math.imul(state ^ (state >>> 15), 1 | state);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  t = await startTestGateway();
  const { body } = await t.graphql<IntrospectionQuery>(getIntrospectionQuery());
  schema = buildClientSchema(body.data as IntrospectionQuery);
  const samples = sampleIdentifiers({ citizens: TEST_CITIZENS, seed: TEST_SEED });
  ids = Object.values(samples).flat() as string[];
  token = await issueCitizenToken(samples.citizens[0]);
});

afterAll(() => t.close());

function generator(rand: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
  const garbage = () =>
    pick(['', ' ', 'x'.repeat(300), '12345', '001%00', '"; DROP TABLE x; --', '💥', '-1', 'null']);

  function value(type: GraphQLInputType, depth: number): unknown {
    if (isNonNullType(type)) return value(type.ofType, depth);
    if (rand() < 0.05) return null;
    if (isListType(type)) {
      const n = pick([0, 1, 2, 3, 101]);
      return Array.from({ length: n }, () => value(type.ofType, depth + 1));
    }
    if (isEnumType(type)) return rand() < 0.9 ? pick(type.getValues()).value : 'NOT_A_VALUE';
    if (isInputObjectType(type)) {
      if (depth > 3) return {};
      return Object.fromEntries(
        Object.values(type.getFields())
          .filter(() => rand() < 0.6)
          .map((field) => [field.name, value(field.type, depth + 1)]),
      );
    }
    if (isScalarType(type)) {
      switch (type.name) {
        case 'ID':
        case 'String':
          return rand() < 0.7 ? pick(ids) : garbage();
        case 'Int':
          return pick([0, 1, 20, 100, -5, 2 ** 31]);
        case 'Float':
          return pick([0, 1.5, -1]);
        case 'Boolean':
          return rand() < 0.5;
        case 'Date':
          return pick(['2025-07-01', '1990-02-30', 'yesterday']);
        case 'DateTime':
          return pick(['2026-01-01T00:00:00Z', 'soon', '2026-13-01T00:00:00Z']);
        case 'JSON':
          return pick([{}, { fullName: 'Nguyễn Văn A' }, [1, [2, [3]]], 'text']);
        default:
          return garbage();
      }
    }
    return null;
  }

  const literal = (input: unknown): string =>
    JSON.stringify(input)?.replace(/"(\w+)":/g, '$1:') ?? 'null';

  function selection(
    type: GraphQLObjectType,
    depth: number,
    variables: Record<string, unknown>,
  ): string {
    const fields = Object.values(type.getFields());
    const chosen = fields.filter(() => rand() < 0.35).slice(0, 6);
    if (chosen.length === 0) chosen.push(pick(fields));
    const parts = chosen.map((field) => {
      const alias = rand() < 0.1 ? `a${Math.floor(rand() * 1000)}: ` : '';
      const args = field.args
        .filter((arg: GraphQLArgument) => isNonNullType(arg.type) || rand() < 0.3)
        .map((arg) => {
          const given = value(arg.type, 0);
          if (rand() < 0.3) {
            const name = `v${Object.keys(variables).length}`;
            variables[name] = { type: String(arg.type), value: given };
            return `${arg.name}: $${name}`;
          }
          return `${arg.name}: ${literal(given)}`;
        });
      const head = `${alias}${field.name}${args.length ? `(${args.join(', ')})` : ''}`;
      const named = getNamedType(field.type);
      if (isLeafType(named)) return head;
      if (depth >= 4) return `${head} { __typename }`;
      if (isObjectType(named)) return `${head} { ${selection(named, depth + 1, variables)} }`;
      // Unions and interfaces: one member in an inline fragment.
      const members = schema.getPossibleTypes(named as never);
      return `${head} { __typename ... on ${pick(members).name} { ${selection(pick(members), depth + 1, variables)} } }`;
    });
    if (rand() < 0.1) parts.push('__typename');
    return parts.join(' ');
  }

  return {
    request(): { body: unknown; headers: Record<string, string> } {
      const variables: Record<string, { type: string; value: unknown }> = {};
      const root = schema.getQueryType() as GraphQLObjectType;
      let document = `{ ${selection(root, 1, variables)} }`;
      const definitions = Object.entries(variables)
        .map(([name, { type }]) => `$${name}: ${type}`)
        .join(', ');
      if (definitions) document = `query Fuzz(${definitions}) ${document}`;
      if (rand() < 0.05) document += ' fragment F on Query { __schema { types { name } } }';
      if (rand() < 0.05)
        document = document.replace('{ ', '{ __type(name: "Citizen") { fields { name } } ');
      const viewer = pick([
        { authorization: 'Bearer demo-portal', 'x-purpose': 'DEMO' },
        { authorization: 'Bearer demo-portal', 'x-purpose': 'BIRTH_REGISTRATION' },
        { authorization: 'Bearer demo-ekyc', 'x-purpose': 'EKYC' },
        { authorization: 'Bearer demo-auditor' },
        { authorization: `Bearer ${token}` },
        { authorization: 'Bearer nobody-at-all' },
        {},
      ] as Record<string, string>[]);
      return {
        body: {
          query: document,
          variables: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, v.value])),
        },
        // fetch sends header bytes as given: UTF-8 text goes as its bytes, read as Latin-1.
        headers: {
          ...viewer,
          'x-actor': Buffer.from(
            rand() < 0.5 ? 'Cán bộ 7' : garbage().slice(0, 100),
            'utf8',
          ).toString('latin1'),
        },
      };
    },
    malformed(): { body: string; contentType: string } {
      return pick([
        () => ({ body: '{"query": "{ citizen(id: ', contentType: 'application/json' }),
        () => ({ body: '[]', contentType: 'application/json' }),
        () => ({ body: '{"query": 42}', contentType: 'application/json' }),
        () => ({
          body: '{"query": "{ __typename }", "variables": [1]}',
          contentType: 'application/json',
        }),
        () => ({ body: '{"documentId": "zz"}', contentType: 'application/json' }),
        () => ({ body: 'query { __typename }', contentType: 'application/graphql' }),
        () => ({
          body: String.fromCharCode(...Array.from({ length: 64 }, () => Math.floor(rand() * 256))),
          contentType: 'application/json',
        }),
        () => ({ body: `{"query": "${'{'.repeat(5000)}"}`, contentType: 'application/json' }),
        () => ({
          body: '{"query": "{ __typename }", "operationName": {}}',
          contentType: 'application/json',
        }),
      ])();
    },
  };
}

it('answers thousands of generated and malformed requests below 500, masked, and logged', async () => {
  const rand = random(SEED);
  const generate = generator(rand);
  const problems: string[] = [];
  const released: string[] = [];
  const check = (label: string, status: number, text: string, gatewayId: string | null) => {
    if (status >= 500) problems.push(`${label}: HTTP ${status} ${text.slice(0, 200)}`);
    let body: {
      data?: Record<string, unknown> | null;
      errors?: { message: string; extensions?: { code?: string } }[];
    };
    try {
      body = JSON.parse(text);
    } catch {
      problems.push(`${label}: not JSON: ${text.slice(0, 100)}`);
      return;
    }
    for (const error of body.errors ?? []) {
      const code = error.extensions?.code ?? '';
      if (!CONTRACT_CODES.has(code)) problems.push(`${label}: code ${code}: ${error.message}`);
      if (LEAK.test(error.message)) problems.push(`${label}: leaks: ${error.message}`);
    }
    const data = body.data ?? {};
    const carries = Object.entries(data).some(
      ([field, value]) => value !== null && guarded.has(field.replace(/^a\d+: /, '')),
    );
    if (carries && gatewayId) released.push(gatewayId);
  };

  // Root fields that read personal data or the log: the policy guards them, the log records them.
  const keyOf = protectedTypes().keyOf;
  const guarded = new Set(
    Object.values((schema.getQueryType() as GraphQLObjectType).getFields())
      .filter(
        (field) =>
          ROLE_FIELDS[field.name] !== undefined ||
          field.args.some((arg) => arg.name === 'procedureCode') ||
          keyOf.has(getNamedType(field.type).name),
      )
      .map((field) => field.name),
  );

  const send = async (label: string, init: RequestInit) => {
    const response = await fetch(`${t.url}/graphql`, { method: 'POST', ...init });
    check(
      label,
      response.status,
      await response.text(),
      response.headers.get('x-gateway-request-id'),
    );
  };

  const jobs: (() => Promise<void>)[] = [];
  for (let i = 0; i < DOCUMENTS; i += 1) {
    const { body, headers } = generate.request();
    const payload = JSON.stringify(body);
    jobs.push(() =>
      send(`document ${i} ${payload.slice(0, 300)}`, {
        headers: { 'content-type': 'application/json', ...headers },
        body: payload,
      }),
    );
  }
  for (let i = 0; i < MALFORMED; i += 1) {
    const { body, contentType } = generate.malformed();
    jobs.push(() =>
      send(`malformed ${i}`, {
        headers: { 'content-type': contentType, authorization: 'Bearer demo-portal' },
        body,
      }),
    );
  }
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );

  expect(problems.slice(0, 20)).toEqual([]);
  // Every answer that carried data has its entry, committed before the answer left.
  expect(released.length).toBeGreaterThan(20);
  const logged = new Set<string>();
  for (let i = 0; i < released.length; i += 500) {
    const { rows } = await t
      .db('population')
      .raw('SELECT request_id FROM audit.entries WHERE request_id = ANY(?::text[])', [
        `{${released.slice(i, i + 500).join(',')}}`,
      ]);
    for (const row of rows as { request_id: string }[]) logged.add(row.request_id);
  }
  expect(released.filter((id) => !logged.has(id))).toEqual([]);
}, 600_000);
