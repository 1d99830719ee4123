import { issueCitizenToken } from '../mocks/vneid/issuer';
import {
  countCalls,
  startTestGatewayWithOwnLog,
  type TestGateway,
  type TestGatewayWithOwnLog,
} from './support/gateway';

let t: TestGatewayWithOwnLog;
let alice: string; // a citizen with a spouse, who reads her own data
let bob: string; // anyone else
let limitedKey: string;

const AUDITOR = { authorization: 'Bearer demo-auditor' };
const EKYC = { authorization: 'Bearer demo-ekyc', 'x-purpose': 'EKYC' };

async function entryOf(requestId: string) {
  const { body } = await t.graphql<{ auditLog: { edges: { node: Record<string, unknown> }[] } }>(
    `{ auditLog(first: 100) { edges { node { requestId client purpose caseId actor outcome subjects fields denied operation } } } }`,
    undefined,
    AUDITOR,
  );
  return body
    .data!.auditLog.edges.map((edge) => edge.node)
    .find((node) => node.requestId === requestId);
}

beforeAll(async () => {
  // The log's tests tamper with it: no other file verifies this log meanwhile.
  t = await startTestGatewayWithOwnLog('access');
  const married = (
    await t
      .db('population')
      .raw(
        `SELECT id, spouse_id FROM population.citizens WHERE spouse_id IS NOT NULL ORDER BY id LIMIT 1`,
      )
  ).rows[0];
  alice = married.id;
  bob = (
    await t
      .db('population')
      .raw(`SELECT id FROM population.citizens WHERE id <> ? AND id <> ? ORDER BY id LIMIT 1`, [
        alice,
        married.spouse_id,
      ])
  ).rows[0].id;
  limitedKey = (
    await t.gateway.store.addClient({
      id: 'test-limited',
      name: 'A service that may read names only',
      purposes: [{ purpose: 'DEMO', fields: ['Citizen.id', 'Citizen.fullName'] }],
    })
  ).apiKey;
});

afterAll(() => t.close());

describe('authentication', () => {
  it('refuses a request without a credential with 401 UNAUTHENTICATED, and logs it', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'no-key-1' },
      body: JSON.stringify({ query: `{ citizen(id: "${alice}") { fullName } }` }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as {
      errors: { extensions: { code: string } }[];
      data?: unknown;
    };
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.data).toBeUndefined();
    expect(await entryOf('no-key-1')).toMatchObject({
      outcome: 'UNAUTHENTICATED',
      client: 'unknown',
      fields: [],
    });
  });

  it('refuses an unknown key and a forged citizen token', async () => {
    const bad = await t.graphql(`{ citizen(id: "${alice}") { fullName } }`, undefined, {
      authorization: 'Bearer not-a-key',
    });
    expect(bad.status).toBe(401);
    const token = await issueCitizenToken(alice);
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    const refused = await t.graphql(`{ me { fullName } }`, undefined, {
      authorization: `Bearer ${forged}`,
    });
    expect(refused.status).toBe(401);
    const expired = await issueCitizenToken(alice, {
      ttlSeconds: 1,
      issuedAt: new Date(Date.now() - 3_600_000),
    });
    expect(
      (await t.graphql(`{ me { fullName } }`, undefined, { authorization: `Bearer ${expired}` }))
        .status,
    ).toBe(401);
  });
});

describe('field-level policy', () => {
  it('answers FORBIDDEN on fields outside the policy, keeps the rest, and never asks their source', async () => {
    let result: Awaited<ReturnType<TestGateway['graphql']>> | undefined;
    const calls = await countCalls(async () => {
      result = await t.graphql<{
        citizen: { id: string; fullName: string; sex: null; enterprises: null };
      }>(`{ citizen(id: "${alice}") { id fullName sex enterprises { role } } }`, undefined, {
        authorization: `Bearer ${limitedKey}`,
        'x-purpose': 'DEMO',
        'x-request-id': 'limited-1',
      });
    });
    const { body } = result!;
    const citizen = (body.data as { citizen: Record<string, unknown> }).citizen;
    expect(citizen.id).toBe(alice);
    expect(typeof citizen.fullName).toBe('string');
    expect(citizen.sex).toBeNull();
    expect(citizen.enterprises).toBeNull();
    const forbidden = body
      .errors!.filter((error) => error.extensions?.code === 'FORBIDDEN')
      .map((error) => error.path);
    expect(forbidden).toEqual(
      expect.arrayContaining([
        ['citizen', 'sex'],
        ['citizen', 'enterprises'],
      ]),
    );
    expect(calls).toEqual({ population: 1 });
    expect(await entryOf('limited-1')).toMatchObject({
      client: 'test-limited',
      purpose: 'DEMO',
      outcome: 'PARTIAL',
      subjects: [alice],
      fields: expect.arrayContaining(['Citizen.id', 'Citizen.fullName']),
      denied: expect.arrayContaining(['Citizen.sex', 'Citizen.enterprises']),
    });
  });

  it('needs a registered purpose for personal data', async () => {
    const none = await t.graphql(`{ citizen(id: "${alice}") { fullName } }`, undefined, {
      'x-purpose': '',
    });
    expect(none.body.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(none.body.errors![0].message).toMatch(/X-Purpose/);
    const other = await t.graphql(`{ citizen(id: "${alice}") { fullName } }`, undefined, {
      'x-purpose': 'EKYC',
    });
    expect(other.body.errors![0].extensions!.code).toBe('FORBIDDEN');
    expect(other.body.errors![0].message).toMatch(/not registered for purpose "EKYC"/);
  });

  it('keeps the auditor out of personal data', async () => {
    const { body } = await t.graphql(`{ citizen(id: "${alice}") { fullName } }`, undefined, {
      ...AUDITOR,
      'x-purpose': 'DEMO',
    });
    expect(body.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('shows each client only what it may query in introspection', async () => {
    const fieldsOf = async (headers: Record<string, string>) => {
      const { body } = await t.graphql<{
        __type: { fields: { name: string }[] } | null;
        __schema: { queryType: { fields: { name: string }[] } };
      }>(
        `{ __type(name: "Citizen") { fields { name } } __schema { queryType { fields { name } } } }`,
        undefined,
        headers,
      );
      return {
        citizen: body.data!.__type?.fields.map((field) => field.name) ?? null,
        roots: body.data!.__schema.queryType.fields.map((field) => field.name),
      };
    };
    const ekyc = await fieldsOf(EKYC);
    expect(ekyc.citizen!.sort()).toEqual(['dateOfBirth', 'fullName']);
    expect(ekyc.roots).not.toContain('auditLog');
    const auditor = await fieldsOf(AUDITOR);
    expect(auditor.citizen).toBeNull();
    expect(auditor.roots).toEqual(expect.arrayContaining(['auditLog', 'verifyAuditChain']));
    const portal = await fieldsOf({});
    expect(portal.citizen).toEqual(
      expect.arrayContaining(['enterprises', 'landRights', 'insurance', 'civilService']),
    );
  });
});

describe('consent', () => {
  it('is required, then granted by the citizen, then revoked', async () => {
    const query = `{ citizen(id: "${alice}") { fullName dateOfBirth } }`;
    const before = await t.graphql(query, undefined, EKYC);
    expect(before.body.errors!.map((error) => error.extensions!.code)).toEqual([
      'CONSENT_REQUIRED',
      'CONSENT_REQUIRED',
    ]);

    const token = { authorization: `Bearer ${await issueCitizenToken(alice)}` };
    const granted = await t.graphql<{
      grantConsent: { id: string; client: string; fields: string[] };
    }>(
      `mutation { grantConsent(client: "demo-ekyc", purpose: "EKYC", fields: ["Citizen.fullName", "Citizen.dateOfBirth"]) { id client purpose fields until revokedAt } }`,
      undefined,
      token,
    );
    expect(granted.body.errors).toBeUndefined();
    const consent = granted.body.data!.grantConsent;
    expect(consent.client).toBe('demo-ekyc');

    const during = await t.graphql<{ citizen: { fullName: string; dateOfBirth: string } }>(
      query,
      undefined,
      EKYC,
    );
    expect(during.body.errors).toBeUndefined();
    expect(during.body.data!.citizen.fullName).toEqual(expect.any(String));
    // Another citizen's consent does not extend to Alice's neighbour.
    const neighbour = await t.graphql(`{ citizen(id: "${bob}") { fullName } }`, undefined, EKYC);
    expect(neighbour.body.errors![0].extensions!.code).toBe('CONSENT_REQUIRED');

    const revoked = await t.graphql<{ revokeConsent: { revokedAt: string } }>(
      `mutation ($id: ID!) { revokeConsent(id: $id) { revokedAt } }`,
      { id: consent.id },
      token,
    );
    expect(revoked.body.data!.revokeConsent.revokedAt).toEqual(expect.any(String));
    const after = await t.graphql(query, undefined, EKYC);
    expect(after.body.errors![0].extensions!.code).toBe('CONSENT_REQUIRED');
  });

  it('cannot be granted beyond what the client is registered for', async () => {
    const token = { authorization: `Bearer ${await issueCitizenToken(alice)}` };
    const { body } = await t.graphql(
      `mutation { grantConsent(client: "demo-ekyc", purpose: "EKYC", fields: ["Citizen.landRights"]) { id } }`,
      undefined,
      token,
    );
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
  });
});

describe('citizens', () => {
  it('read their own data, and nobody else’s', async () => {
    const token = { authorization: `Bearer ${await issueCitizenToken(alice)}` };
    const own = await t.graphql<{
      me: { id: string; fullName: string; spouse: { fullName: string | null } | null };
    }>(`{ me { id fullName spouse { fullName } } }`, undefined, token);
    expect(own.body.data!.me.id).toBe(alice);
    expect(own.body.data!.me.spouse).toEqual({ fullName: null });
    expect(own.body.errors!.map((error) => [error.path, error.extensions!.code])).toEqual([
      [['me', 'spouse', 'fullName'], 'FORBIDDEN'],
    ]);
    const other = await t.graphql(`{ citizen(id: "${bob}") { fullName } }`, undefined, token);
    expect(other.body.errors![0].extensions!.code).toBe('FORBIDDEN');
  });

  it('see who read their data and why, except restricted reads until their release date', async () => {
    await t.gateway.store.addClient({
      id: 'test-police',
      name: 'An investigation unit',
      purposes: [
        { purpose: 'INVESTIGATION', fields: ['*'], actorVisible: false, restrictedDays: 30 },
      ],
      apiKey: 'test-police-key-0001',
    });
    const read = (headers: Record<string, string>, requestId: string) =>
      t.graphql(`{ citizen(id: "${bob}") { fullName } }`, undefined, {
        ...headers,
        'x-request-id': requestId,
      });
    await read({ 'x-actor': 'officer-17', 'x-case-id': 'HS-2026-001' }, 'portal-read-bob');
    await read(
      {
        authorization: 'Bearer test-police-key-0001',
        'x-purpose': 'INVESTIGATION',
        'x-actor': 'inspector-9',
      },
      'police-read-bob',
    );

    const token = { authorization: `Bearer ${await issueCitizenToken(bob)}` };
    const { body } = await t.graphql<{
      myDataAccesses: {
        edges: {
          node: {
            requestId: string;
            client: string;
            purpose: string;
            actor: string | null;
            fields: string[];
          };
        }[];
      };
    }>(
      `{ myDataAccesses(first: 50) { edges { node { requestId client purpose actor fields at } } } }`,
      undefined,
      token,
    );
    expect(body.errors).toBeUndefined();
    const seen = body.data!.myDataAccesses.edges.map((edge) => edge.node);
    expect(seen.find((node) => node.requestId === 'portal-read-bob')).toMatchObject({
      client: 'demo-portal',
      purpose: 'DEMO',
      actor: 'officer-17',
      fields: ['Citizen.fullName'],
    });
    expect(seen.find((node) => node.requestId === 'police-read-bob')).toBeUndefined();
    // The auditor sees the restricted read.
    expect(await entryOf('police-read-bob')).toMatchObject({
      client: 'test-police',
      actor: 'inspector-9',
    });
  });
});

describe('the access log', () => {
  it('records purpose, actor, case and the operation, and its chain verifies after hundreds of parallel requests', async () => {
    const ids = (
      await t.db('population').raw(`SELECT id FROM population.citizens ORDER BY id LIMIT 300`)
    ).rows.map((row: { id: string }) => row.id);
    const results = await Promise.all(
      ids.map((id: string, index: number) =>
        t.graphql(`query Profile { citizen(id: "${id}") { fullName } }`, undefined, {
          'x-request-id': `parallel-${index}`,
          'x-case-id': `CASE-${index}`,
          'x-actor': 'clerk-3',
        }),
      ),
    );
    expect(results.every((result) => result.status === 200 && !result.body.errors)).toBe(true);
    expect(await entryOf('parallel-299')).toMatchObject({
      client: 'demo-portal',
      purpose: 'DEMO',
      caseId: 'CASE-299',
      actor: 'clerk-3',
      operation: 'Profile',
      outcome: 'OK',
      subjects: [ids[299]],
    });
    const { body } = await t.graphql<{ verifyAuditChain: { ok: boolean; checkedEntries: number } }>(
      `{ verifyAuditChain { ok checkedEntries message } }`,
      undefined,
      AUDITOR,
    );
    expect(body.data!.verifyAuditChain.ok).toBe(true);
    expect(body.data!.verifyAuditChain.checkedEntries).toBeGreaterThanOrEqual(300);
  });

  it('filters and pages for auditors, with statistics that count refusals', async () => {
    const page = await t.graphql<{
      auditLog: {
        edges: { cursor: string; node: { client: string } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string };
      };
    }>(
      `{ auditLog(filter: { client: "demo-portal", purpose: "DEMO" }, first: 5) { edges { cursor node { client } } pageInfo { hasNextPage endCursor } } }`,
      undefined,
      AUDITOR,
    );
    expect(page.body.data!.auditLog.edges).toHaveLength(5);
    expect(page.body.data!.auditLog.pageInfo.hasNextPage).toBe(true);
    const next = await t.graphql<{ auditLog: { edges: { cursor: string }[] } }>(
      `query ($after: String) { auditLog(filter: { client: "demo-portal" }, first: 5, after: $after) { edges { cursor } } }`,
      { after: page.body.data!.auditLog.pageInfo.endCursor },
      AUDITOR,
    );
    const firstCursors = page.body.data!.auditLog.edges.map((edge) => edge.cursor);
    expect(next.body.data!.auditLog.edges.some((edge) => firstCursors.includes(edge.cursor))).toBe(
      false,
    );

    const stats = await t.graphql<{
      accessStatistics: {
        client: string;
        purpose: string | null;
        total: number;
        denied: number;
        partial: number;
      }[];
    }>(
      `{ accessStatistics { client purpose total ok partial denied unauthenticated deniedFields } }`,
      undefined,
      AUDITOR,
    );
    const limited = stats.body.data!.accessStatistics.find((row) => row.client === 'test-limited');
    expect(limited).toMatchObject({ purpose: 'DEMO', partial: 1 });
    expect(stats.body.data!.accessStatistics.find((row) => row.client === 'unknown')).toBeDefined();
  });

  it('names an entry edited directly in the database', async () => {
    const db = t.auditDb;
    await db.transaction(async (trx) => {
      await trx.raw(`SET LOCAL session_replication_role = replica`);
      await trx.raw(
        `UPDATE audit.entries SET purpose = 'FORGED' WHERE client_request_id = 'parallel-7'`,
      );
    });
    const { body } = await t.graphql<{
      verifyAuditChain: { ok: boolean; firstBrokenRequestId: string; problem: string };
    }>(
      `{ verifyAuditChain { ok firstBrokenSeq firstBrokenRequestId problem message } }`,
      undefined,
      AUDITOR,
    );
    expect(body.data!.verifyAuditChain).toMatchObject({
      ok: false,
      firstBrokenRequestId: 'parallel-7',
      problem: 'CHANGED',
    });
    await db.transaction(async (trx) => {
      await trx.raw(`SET LOCAL session_replication_role = replica`);
      await trx.raw(
        `UPDATE audit.entries SET purpose = 'DEMO' WHERE client_request_id = 'parallel-7'`,
      );
    });
  });

  it('refuses UPDATE and DELETE from the gateway itself', async () => {
    await expect(
      t.auditDb.raw(`DELETE FROM audit.entries WHERE client_request_id = 'parallel-8'`),
    ).rejects.toThrow();
  });
});

describe('abuse limits', () => {
  it('refuses queries that are too deep, too wide or too long', async () => {
    const deep = await t.graphql(
      `{ citizen(id: "${alice}") { spouse { spouse { spouse { spouse { spouse { spouse { spouse { spouse { spouse { spouse { spouse { spouse { id } } } } } } } } } } } } } }`,
    );
    expect(deep.status).toBe(400);
    expect(deep.body.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
    const aliases = Array.from(
      { length: 40 },
      (_, i) => `a${i}: citizen(id: "${alice}") { id }`,
    ).join(' ');
    const wide = await t.graphql(`{ ${aliases} }`);
    expect(wide.status).toBe(400);
    expect(wide.body.errors![0].extensions!.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('rate-limits a client with HTTP 429 and Retry-After', async () => {
    await t.gateway.store.addClient({
      id: 'test-slow',
      name: 'A client allowed three requests a minute',
      purposes: [{ purpose: 'DEMO', fields: ['*'] }],
      rateLimitPerMinute: 3,
      apiKey: 'test-slow-key-0001',
    });
    const headers = { authorization: 'Bearer test-slow-key-0001', 'x-purpose': 'DEMO' };
    const statuses: number[] = [];
    let last: Awaited<ReturnType<TestGateway['graphql']>> | undefined;
    for (let i = 0; i < 4; i++) {
      last = await t.graphql(`{ __typename }`, undefined, headers);
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(last!.body.errors![0].extensions!.code).toBe('RATE_LIMITED');
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('accepts only registered operations from a client that must use them', async () => {
    await t.gateway.store.addClient({
      id: 'test-persisted',
      name: 'A client with registered operations only',
      purposes: [{ purpose: 'DEMO', fields: ['*'] }],
      persistedOnly: true,
      apiKey: 'test-persisted-key-01',
    });
    const registered = `query Name($id: ID!) { citizen(id: $id) { fullName } }`;
    await t.gateway.store.registerOperation('test-persisted', registered);
    const headers = { authorization: 'Bearer test-persisted-key-01', 'x-purpose': 'DEMO' };
    const ok = await t.graphql(registered, { id: alice }, headers);
    expect(ok.status).toBe(200);
    expect(ok.body.errors).toBeUndefined();
    const other = await t.graphql(
      `{ citizen(id: "${alice}") { fullName sex } }`,
      undefined,
      headers,
    );
    expect(other.status).toBe(403);
    expect(other.body.errors![0].extensions!.code).toBe('FORBIDDEN');
  });
});
