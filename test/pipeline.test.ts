import { createHash } from 'node:crypto';
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { issueCitizenToken } from '../mocks/vneid/issuer';
import { explorerPage } from '../src/explorer';
import { countCalls, startTestGateway, type TestGateway } from './support/gateway';

/**
 * The request pipeline, tried as an attacker would: every route a request can take (sizes,
 * document ids, fragments, mixed introspection, odd headers) passes every check, and is refused
 * with its contract code and a 4xx, never a 5xx.
 */
let t: TestGateway;
let alice: string; // a citizen with insurance and land
let bob: string; // another citizen
let sin: string; // alice's social insurance number
let parcel: string; // a parcel alice holds a right on

const AUDITOR = { authorization: 'Bearer demo-auditor' };
const EKYC = { authorization: 'Bearer demo-ekyc', 'x-purpose': 'EKYC' };
const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

type Body = {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string } }[];
};

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${t.url}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: 'Bearer demo-portal',
      'x-purpose': 'DEMO',
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: JSON.parse(text) as Body };
}

function code(body: Body): string | undefined {
  return body.errors?.[0]?.extensions?.code;
}

/** Entries whose gateway or client request id is given, read by the auditor. */
async function entries(filter: Record<string, string> = {}) {
  const { body } = await t.graphql<{
    auditLog: { edges: { node: Record<string, unknown> }[] };
  }>(
    `query($f: AuditFilter) { auditLog(filter: $f, first: 100) { edges { node {
      requestId gatewayRequestId client purpose subjects fields denied outcome actor operation } } } }`,
    { f: filter },
    AUDITOR,
  );
  return body.data!.auditLog.edges.map((edge) => edge.node);
}

async function entryOf(requestId: string) {
  return (await entries()).find(
    (node) => node.requestId === requestId || node.gatewayRequestId === requestId,
  );
}

beforeAll(async () => {
  t = await startTestGateway();
  const row = (
    await t.db('insurance').raw(
      // A parcel alice holds alone: a co-owner's consent would be needed too.
      `SELECT r.citizen_id, r.social_insurance_number, h.parcel_id
         FROM insurance.insurance_records r
         JOIN land.holders h ON h.holder_kind = 'CITIZEN' AND h.holder_id = r.citizen_id
        WHERE (SELECT count(*) FROM land.holders o WHERE o.parcel_id = h.parcel_id) = 1
        ORDER BY r.citizen_id LIMIT 1`,
    )
  ).rows[0];
  alice = row.citizen_id;
  sin = row.social_insurance_number;
  parcel = row.parcel_id;
  bob = (
    await t
      .db('population')
      .raw(`SELECT id FROM population.citizens WHERE id <> ? ORDER BY id LIMIT 1`, [alice])
  ).rows[0].id;
});

afterAll(() => t.close());

describe('documents of any size pass the limits', () => {
  it('refuses a document past the token budget with QUERY_TOO_COMPLEX, before anything runs', async () => {
    const ids = JSON.stringify(Array.from({ length: 100 }, () => alice));
    const aliases = Array.from(
      { length: 300 },
      (_, i) => `a${i}: citizens(ids: ${ids}) { fullName }`,
    ).join(' ');
    const calls = await countCalls(async () => {
      const { status, body } = await post({ query: `{ ${aliases} }` });
      expect(status).toBe(400);
      expect(code(body)).toBe('QUERY_TOO_COMPLEX');
      expect(body.data).toBeUndefined();
    });
    expect(calls).toEqual({});
  });

  it('shows a bank the schema it may see, however large the introspection document', async () => {
    const padding = Array.from({ length: 12_000 }, () => '__typename').join(' ');
    const { status, body } = await post(
      { query: `{ __schema { types { name } } ${padding} }` },
      EKYC,
    );
    expect(status).toBe(400);
    expect(code(body)).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses variables nested past the input depth with QUERY_TOO_COMPLEX, not 413 or 500', async () => {
    // Written as text: JSON.stringify itself cannot nest this deep.
    const deep = `${'['.repeat(50_000)}"x"${']'.repeat(50_000)}`;
    const query =
      'query($values: JSON!) { checkDeclaration(procedureCode: "DEMO", subjectId: "1", values: $values) { fields { key } } }';
    const { status, body } = await post(
      `{"query": ${JSON.stringify(query)}, "variables": {"values": {"nested": ${deep}}}}`,
    );
    expect(status).toBe(400);
    expect(code(body)).toBe('QUERY_TOO_COMPLEX');
  });

  it('counts variable defaults in the cost as it counts variables', async () => {
    const ids = JSON.stringify(Array.from({ length: 1001 }, () => alice));
    const { status, body } = await post({
      query: `query($ids: [ID!]! = ${ids}) { citizens(ids: $ids) { id } }`,
    });
    expect(status).toBe(400);
    expect(code(body)).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses too many directives with QUERY_TOO_COMPLEX', async () => {
    const directives = Array.from({ length: 60 }, () => '@include(if: true)').join(' ');
    const { status, body } = await post({
      query: `{ citizen(id: "${alice}") { id ${directives} } }`,
    });
    expect(status).toBe(400);
    expect(code(body)).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('trusted documents', () => {
  const cheap = 'query Names($ids: [ID!]!) { citizens(ids: $ids) { id } }';
  let persistedKey: string;

  beforeAll(async () => {
    persistedKey = (
      await t.gateway.store.addClient({
        id: 'test-trusted-docs',
        name: 'A client that runs registered documents only',
        purposes: [{ purpose: 'DEMO', fields: ['Citizen.id', 'Citizen.fullName'] }],
        persistedOnly: true,
      })
    ).apiKey;
    await t.gateway.store.registerOperation('test-trusted-docs', cheap);
  });

  it('never registers a document sent with its hash (no automatic persisted queries)', async () => {
    const query = `{ citizen(id: "${bob}") { id } }`;
    const hash = sha256(query);
    const first = await post({
      query,
      extensions: { persistedQuery: { version: 1, sha256Hash: hash } },
    });
    expect(first.status).toBe(200);
    const again = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(code(again.body)).toBe('BAD_REQUEST');
    expect(again.body.data).toBeUndefined();
  });

  it('refuses a persisted-only client a document it never registered, by text or by hash', async () => {
    const headers = { authorization: `Bearer ${persistedKey}`, 'x-purpose': 'DEMO' };
    const byText = await post({ query: `{ citizen(id: "${alice}") { fullName } }` }, headers);
    expect(byText.status).toBe(403);
    expect(code(byText.body)).toBe('FORBIDDEN');
    // Registered by another client: the id resolves, the client may still not run it.
    await t.gateway.store.registerOperation('demo-portal', `{ citizen(id: "${alice}") { id } }`);
    const byId = await post({ documentId: sha256(`{ citizen(id: "${alice}") { id } }`) }, headers);
    expect(byId.status).toBe(403);
    expect(code(byId.body)).toBe('FORBIDDEN');
  });

  it('runs a registered document by id, in the Hive and Apollo forms alike', async () => {
    const headers = { authorization: `Bearer ${persistedKey}`, 'x-purpose': 'DEMO' };
    const variables = { ids: [alice] };
    const hive = await post({ documentId: `sha256:${sha256(cheap)}`, variables }, headers);
    expect(hive.status).toBe(200);
    expect(hive.body.data).toEqual({ citizens: [{ id: alice }] });
    const apollo = await post(
      { variables, extensions: { persistedQuery: { version: 1, sha256Hash: sha256(cheap) } } },
      headers,
    );
    expect(apollo.body.data).toEqual({ citizens: [{ id: alice }] });
  });

  it('applies every limit to a document run by id', async () => {
    const headers = { authorization: `Bearer ${persistedKey}`, 'x-purpose': 'DEMO' };
    const ids = Array.from({ length: 1001 }, () => alice);
    const { status, body } = await post({ documentId: sha256(cheap), variables: { ids } }, headers);
    expect(status).toBe(400);
    expect(code(body)).toBe('QUERY_TOO_COMPLEX');
  });
});

describe('introspection and errors', () => {
  it('shows a bank the filtered schema when introspection hides in a fragment', async () => {
    const { status, body } = await post(
      { query: '{ ...F } fragment F on Query { __schema { types { name } } }' },
      EKYC,
    );
    expect(status).toBe(200);
    const names = (body.data as { __schema: { types: { name: string }[] } }).__schema.types.map(
      (type) => type.name,
    );
    expect(names).toContain('Citizen');
    expect(names).not.toContain('InsuranceRecord');
    expect(names).not.toContain('AuditEntry');
  });

  it('answers a document mixing __schema and data with the policy applied to both', async () => {
    const { status, body } = await post(
      {
        query: `{ __type(name: "Citizen") { fields { name } } citizen(id: "${alice}") { fullName } }`,
      },
      EKYC,
    );
    expect(status).toBe(200);
    const fields = (body.data as { __type: { fields: { name: string }[] } }).__type.fields.map(
      (field) => field.name,
    );
    expect(fields.sort()).toEqual(['dateOfBirth', 'fullName']);
    // No consent: the data field is refused, with its code, not a TypeError.
    expect(code(body)).toBe('CONSENT_REQUIRED');
  });

  it('never suggests a field name', async () => {
    const { status, body } = await post({ query: `{ citizen(id: "${alice}") { fullNam } }` }, EKYC);
    expect(status).toBe(400);
    expect(code(body)).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors![0].message).not.toMatch(/Did you mean/);
    const hidden = await post(
      { query: '{ __type(name: "InsuranceRecord") { name } insuranc }' },
      EKYC,
    );
    expect(hidden.status).toBe(400);
    expect(JSON.stringify(hidden.body)).not.toMatch(/insurance/i);
  });
});

describe('consent on every personal-data type', () => {
  let key: string;
  beforeAll(async () => {
    key = (
      await t.gateway.store.addClient({
        id: 'test-lender',
        name: 'A lender that reads insurance and land with consent',
        purposes: [
          {
            purpose: 'LOAN',
            fields: ['InsuranceRecord', 'LandParcel'],
            requiresConsent: true,
          },
        ],
      })
    ).apiKey;
  });

  it('refuses insurance and land fields until the citizen consents, then releases them', async () => {
    const headers = { authorization: `Bearer ${key}`, 'x-purpose': 'LOAN' };
    const query = `{ insuranceRecord(socialInsuranceNumber: "${sin}") { status }
      landParcel(id: "${parcel}") { area } }`;
    const before = await post({ query }, headers);
    expect(before.status).toBe(200);
    expect(before.body.errors!.map((error) => error.extensions!.code)).toEqual([
      'CONSENT_REQUIRED',
      'CONSENT_REQUIRED',
    ]);
    const token = await issueCitizenToken(alice);
    const granted = await t.graphql(
      `mutation { grantConsent(client: "test-lender", purpose: "LOAN",
         fields: ["InsuranceRecord.status", "LandParcel.area"]) { id } }`,
      undefined,
      { authorization: `Bearer ${token}` },
    );
    expect(granted.body.errors).toBeUndefined();
    const after = await post({ query }, headers);
    expect(after.body.errors).toBeUndefined();
    expect(after.body.data).toMatchObject({
      insuranceRecord: { status: expect.any(String) },
      landParcel: { area: expect.any(Number) },
    });
  });

  it('tells a citizen nothing about which clients and purposes exist when a consent is refused', async () => {
    const token = await issueCitizenToken(alice);
    const grant = (client: string, purpose: string) =>
      t.graphql(
        `mutation { grantConsent(client: "${client}", purpose: "${purpose}", fields: ["Citizen.fullName"]) { id } }`,
        undefined,
        { authorization: `Bearer ${token}` },
      );
    const unknownClient = await grant('no-such-client', 'EKYC');
    const unknownPurpose = await grant('demo-ekyc', 'NO-SUCH-PURPOSE');
    expect(unknownClient.body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(
      unknownClient.body.errors![0].message.replace('no-such-client', 'X').replace('EKYC', 'Y'),
    ).toBe(
      unknownPurpose.body
        .errors![0].message.replace('demo-ekyc', 'X')
        .replace('NO-SUCH-PURPOSE', 'Y'),
    );
  });
});

describe('the log names the people', () => {
  it('names the citizen behind a read by social insurance number, for auditors and the citizen', async () => {
    const { headers } = await post(
      { query: `{ insuranceRecord(socialInsuranceNumber: "${sin}") { status } }` },
      { 'x-request-id': 'by-sin-1' },
    );
    expect(headers.get('x-request-id')).toBe('by-sin-1');
    const bySubject = await entries({ subjectId: alice });
    expect(bySubject.map((entry) => entry.requestId)).toContain('by-sin-1');
    const token = await issueCitizenToken(alice);
    const mine = await t.graphql<{ myDataAccesses: { edges: { node: { requestId: string } }[] } }>(
      '{ myDataAccesses(first: 100) { edges { node { requestId subjects } } } }',
      undefined,
      { authorization: `Bearer ${token}` },
    );
    expect(mine.body.data!.myDataAccesses.edges.map((edge) => edge.node.requestId)).toContain(
      'by-sin-1',
    );
  });

  it('names the subject of a refused read and of a __typename probe', async () => {
    await post(
      { query: `{ insuranceRecord(socialInsuranceNumber: "${sin}") { status } }` },
      { ...EKYC, 'x-request-id': 'refused-sin-1' },
    );
    expect(await entryOf('refused-sin-1')).toMatchObject({
      outcome: 'DENIED',
      subjects: expect.arrayContaining([sin, alice]),
    });
    await post(
      { query: `{ citizen(id: "${bob}") { __typename } }` },
      { 'x-request-id': 'probe-1' },
    );
    expect((await entryOf('probe-1'))?.subjects).toEqual([bob]);
  });

  it('shows a citizen only their own identifier among the subjects of an entry', async () => {
    await post(
      { query: `{ citizens(ids: ["${alice}", "${bob}"]) { fullName } }` },
      { 'x-request-id': 'two-citizens-1' },
    );
    expect((await entryOf('two-citizens-1'))?.subjects).toEqual(
      expect.arrayContaining([alice, bob]),
    );
    const token = await issueCitizenToken(alice);
    const mine = await t.graphql<{
      myDataAccesses: { edges: { node: { requestId: string; subjects: string[] } }[] };
    }>('{ myDataAccesses(first: 100) { edges { node { requestId subjects } } } }', undefined, {
      authorization: `Bearer ${token}`,
    });
    const entry = mine.body.data!.myDataAccesses.edges.find(
      (edge) => edge.node.requestId === 'two-citizens-1',
    );
    expect(entry?.node.subjects).toEqual([alice]);
  });

  it('keeps the gateway’s own unique request id beside the client’s', async () => {
    const a = await post(
      { query: `{ citizen(id: "${alice}") { id } }` },
      { 'x-request-id': 'same-id' },
    );
    const b = await post(
      { query: `{ citizen(id: "${alice}") { fullName } }` },
      { authorization: 'Bearer demo-ekyc', 'x-purpose': 'EKYC', 'x-request-id': 'same-id' },
    );
    const ids = [a.headers.get('x-gateway-request-id'), b.headers.get('x-gateway-request-id')];
    expect(ids[0]).not.toBe(ids[1]);
    const logged = (await entries()).filter((entry) => entry.requestId === 'same-id');
    expect(logged.map((entry) => entry.gatewayRequestId).sort()).toEqual([...ids].sort());
  });

  it('keeps header text as UTF-8, and refuses a header that is not', async () => {
    const actor = 'Cán bộ Nguyễn Thị Hằng';
    // A raw socket, so the header's bytes on the wire are exactly the UTF-8 a client sends.
    const send = (value: Buffer) =>
      new Promise<{ status: number; body: Body }>((resolve, reject) => {
        const url = new URL(t.url);
        const payload = JSON.stringify({ query: `{ citizen(id: "${alice}") { id } }` });
        const socket = net.connect(Number(url.port), url.hostname, () => {
          socket.write(
            Buffer.concat([
              Buffer.from(
                'POST /graphql HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\n' +
                  'Content-Type: application/json\r\nAuthorization: Bearer demo-portal\r\n' +
                  `X-Purpose: DEMO\r\nX-Request-Id: utf8-actor\r\nContent-Length: ${Buffer.byteLength(payload)}\r\nX-Actor: `,
                'latin1',
              ),
              value,
              Buffer.from(`\r\n\r\n${payload}`, 'utf8'),
            ]),
          );
        });
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('utf8')));
        socket.on('end', () => {
          const [head, ...rest] = text.split('\r\n\r\n');
          const status = Number(head.split(' ')[1]);
          const bodyText = rest.join('\r\n\r\n');
          // Chunked or not, the JSON object is the outermost braces.
          resolve({
            status,
            body: JSON.parse(bodyText.slice(bodyText.indexOf('{'), bodyText.lastIndexOf('}') + 1)),
          });
        });
        socket.on('error', reject);
      });
    const ok = await send(Buffer.from(actor, 'utf8'));
    expect(ok.status).toBe(200);
    expect((await entryOf('utf8-actor'))?.actor).toBe(actor);
    const bad = await send(Buffer.from([0xff, 0xfe, 0x41]));
    expect(bad.status).toBe(400);
    expect(code(bad.body)).toBe('BAD_USER_INPUT');
  });
});

describe('bad input is a 4xx with a contract code', () => {
  it('refuses over-long X-Actor, X-Purpose and operationName', async () => {
    const long = 'x'.repeat(201);
    for (const headers of [{ 'x-actor': long }, { 'x-purpose': long }] as Record<
      string,
      string
    >[]) {
      const { status, body } = await post({ query: `{ citizen(id: "${alice}") { id } }` }, headers);
      expect(status).toBe(400);
      expect(code(body)).toBe('BAD_USER_INPUT');
    }
    const name = `Q${'x'.repeat(300)}`;
    const named = await post({
      query: `query ${name} { citizen(id: "${alice}") { id } }`,
      operationName: name,
    });
    expect(named.status).toBe(200);
    const unknown = await post({
      query: `{ citizen(id: "${alice}") { id } }`,
      operationName: name,
    });
    expect(unknown.status).toBe(400);
    expect(code(unknown.body)).toBe('BAD_REQUEST');
  });

  it('answers malformed HTTP requests with BAD_REQUEST', async () => {
    const raw = (body: string, contentType: string) =>
      fetch(`${t.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': contentType, authorization: 'Bearer demo-portal' },
        body,
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Body,
      }));
    const notJson = await raw('{ not json', 'application/json');
    expect([notJson.status, code(notJson.body)]).toEqual([400, 'BAD_REQUEST']);
    const wrongType = await raw('{ citizen(id: "1") { id } }', 'text/plain');
    expect([wrongType.status, code(wrongType.body)]).toEqual([400, 'BAD_REQUEST']);
    const noQuery = await raw('{}', 'application/json');
    expect([noQuery.status, code(noQuery.body)]).toEqual([400, 'BAD_REQUEST']);
    const batch = await raw('[{"query":"{ __typename }"}]', 'application/json');
    expect([batch.status, code(batch.body)]).toEqual([400, 'BAD_REQUEST']);
    const huge = await raw(
      JSON.stringify({ query: `{ __typename }`, pad: 'x'.repeat(1_100_000) }),
      'application/json',
    );
    expect([huge.status, code(huge.body)]).toEqual([413, 'BAD_REQUEST']);
    const method = await fetch(`${t.url}/graphql`, {
      method: 'PUT',
      headers: { authorization: 'Bearer demo-portal' },
    });
    expect(method.status).toBe(405);
  });

  it('answers 404 for explorer asset names that are not assets', async () => {
    for (const name of ['constructor', '__proto__', 'toString', '..%2Fpackage.json']) {
      const response = await fetch(`${t.url}/explorer/${name}`);
      expect(response.status).toBe(404);
    }
  });
});

describe('abuse limits for every viewer', () => {
  let small: TestGateway;
  beforeAll(async () => {
    small = await startTestGateway({ unauthenticatedRatePerMinute: 5, citizenRatePerMinute: 5 });
  });
  afterAll(() => small.close());

  it('rate-limits unauthenticated requests per address, and logs them sparsely', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      const response = await fetch(`${small.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': `anon-${i}` },
        body: JSON.stringify({ query: '{ __typename }' }),
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5).every((status) => status === 429)).toBe(true);
    const logged = (
      await small
        .db('population')
        .raw(`SELECT count(*)::int AS n FROM audit.entries WHERE client_request_id LIKE 'anon-%'`)
    ).rows[0].n;
    // The first refusal of the minute is logged; the rest are counted into one entry later.
    expect(logged).toBe(1);
  });

  it('rate-limits a citizen identity', async () => {
    const token = await issueCitizenToken(bob);
    const statuses: number[] = [];
    for (let i = 0; i < 7; i += 1) {
      const { status } = await small.graphql('{ me { id } }', undefined, {
        authorization: `Bearer ${token}`,
      });
      statuses.push(status);
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});

describe('metrics', () => {
  it('speaks Prometheus text, with no identifiers in labels', async () => {
    await post({ query: `{ citizen(id: "${alice}") { fullName } }` });
    const response = await fetch(`${t.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    for (const name of [
      'gateway_requests_total',
      'gateway_request_duration_seconds_bucket',
      'gateway_source_calls_total',
      'gateway_source_duration_seconds_bucket',
      'gateway_source_batch_keys_bucket',
      'gateway_refusals_total',
      'gateway_audit_queue_depth',
      'gateway_audit_commit_duration_seconds_bucket',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(
      /gateway_requests_total\{operation="citizen",client="demo-portal",outcome="OK"\} \d+/,
    );
    expect(text).not.toContain(alice);
  });

  it('needs the metrics token when one is set', async () => {
    const guarded = await startTestGateway({ metricsToken: 'metrics-secret' });
    try {
      expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
      const ok = await fetch(`${guarded.url}/metrics`, {
        headers: { authorization: 'Bearer metrics-secret' },
      });
      expect(ok.status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

describe('the explorer and the code', () => {
  it('keeps no credential at rest and embeds no person outside the demo data', () => {
    const page = explorerPage({ sampleCitizenId: null, demoCredentials: false });
    expect(page).not.toContain('demo-portal');
    expect(page).toContain('shouldPersistHeaders: false');
    expect(page).not.toMatch(/\d{12}/);
  });

  it('production code imports nothing from mocks/ but the embedded default’s wiring', () => {
    const root = path.join(__dirname, '..');
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.name.endsWith('.ts') && full !== path.join(root, 'src', 'embedded.ts')) {
          if (/from '(\.\.\/)+mocks\//.test(fs.readFileSync(full, 'utf8'))) offenders.push(full);
        }
      }
    };
    walk(path.join(root, 'src'));
    walk(path.join(root, 'adapters'));
    expect(offenders).toEqual([]);
  });
});
