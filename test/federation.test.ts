import * as jose from 'jose';
import { knex } from 'knex';
import { generateKeyPairSync } from 'node:crypto';
import { NATIONAL_DATABASES } from '../adapters/databases';
import { issueCitizenToken } from '../mocks/vneid/issuer';
import { requestHash, signStatement, STATEMENT_HEADER } from '../src/federation/statement';
import { startFederatedTopology, type FederatedTopology } from './support/federated';
import { auditVerifyCommand, rechain } from './support/witness';
import { countCalls, startTestGateway, type TestGateway } from './support/gateway';

let single: TestGateway;
let federated: FederatedTopology;
const ids: Record<string, string> = {};

beforeAll(async () => {
  [single, federated] = await Promise.all([startTestGateway(), startFederatedTopology()]);
  const first = async (sql: string) => {
    const { rows } = await single.db('population').raw(sql);
    return Object.values(rows[0] as Record<string, string>)[0];
  };
  ids.servant = await first(
    'SELECT citizen_id FROM civil_service.civil_servants ORDER BY code LIMIT 1',
  );
  ids.servantCode = await first(
    'SELECT code FROM civil_service.civil_servants ORDER BY code LIMIT 1',
  );
  ids.owner = await first(
    "SELECT citizen_id FROM enterprise.enterprise_people WHERE role = 'LEGAL_REPRESENTATIVE' ORDER BY citizen_id LIMIT 1",
  );
  ids.holder = await first(
    "SELECT holder_id FROM land.holders WHERE holder_kind = 'CITIZEN' ORDER BY holder_id LIMIT 1",
  );
  ids.enterprise = await first(
    "SELECT holder_id FROM land.holders WHERE holder_kind = 'ENTERPRISE' ORDER BY holder_id LIMIT 1",
  );
  ids.branch = await first('SELECT code FROM enterprise.branches ORDER BY code LIMIT 1');
  ids.parcel = await first('SELECT id FROM land.parcels ORDER BY id LIMIT 1');
  ids.insured = await first(
    'SELECT social_insurance_number FROM insurance.insurance_records ORDER BY 1 LIMIT 1',
  );
  ids.card = await first('SELECT card_number FROM insurance.health_cards ORDER BY 1 LIMIT 1');
  // Both warm (first connections, caches), so that a cold start's timeout is not compared.
  const warm = `{ citizen(id: "${ids.servant}") { fullName insurance { status } civilService { code } enterprises { role } landRights { share } } }`;
  await Promise.all([single.graphql(warm), federated.graphql(warm)]);
  ids.commune = await first(
    "SELECT code FROM reference.units WHERE level = 'COMMUNE' ORDER BY code LIMIT 1",
  );
}, 600_000);

afterAll(async () => {
  await Promise.all([single?.close(), federated?.close()]);
});

const CITIZEN = `id fullName dateOfBirth sex permanentAddress { text commune { name province { name } } legacy { text } }
  household { id members { id } } father { id fullName } children { id }
  enterprises { role since enterprise { code name representatives { id fullName } landRights { share parcel { id } } } }
  landRights { share parcel { id area holders { __typename ... on Citizen { id fullName } ... on Enterprise { code name } } } }
  insurance { socialInsuranceNumber status contributionMonths contributions { employer { code name } months } healthInsuranceCards { number } }
  civilService { code position rank { name } agency { name province { name } } }
  source { database }`;

/** Every root field the contract serves, with arguments from the data set. */
function rootQueries(): [string, string, () => Record<string, unknown>][] {
  return [
    [
      'citizen',
      `query ($id: ID!) { citizen(id: $id) { ${CITIZEN} } }`,
      () => ({ id: ids.servant }),
    ],
    [
      'citizens',
      `query ($ids: [ID!]!) { citizens(ids: $ids) { ${CITIZEN} } }`,
      () => ({ ids: [ids.owner, ids.holder, ids.servant, '001999999999'] }),
    ],
    [
      'enterprise',
      'query ($c: ID!) { enterprise(code: $c) { code name type { name } headOffice { text } people { role citizen { fullName } } businessLines { code name isMain } branches { code } landRights { share } } }',
      () => ({ c: ids.enterprise }),
    ],
    [
      'branch',
      'query ($c: ID!) { branch(code: $c) { code name kind address { text } enterprise { code name } } }',
      () => ({ c: ids.branch }),
    ],
    [
      'landParcel',
      'query ($id: ID!) { landParcel(id: $id) { id area commune { name } holders { __typename ... on Citizen { fullName } ... on Enterprise { name } } rights { share holderKind } certificates { serial } mortgages { mortgagee } } }',
      () => ({ id: ids.parcel }),
    ],
    [
      'insuranceRecord',
      'query ($n: ID!) { insuranceRecord(socialInsuranceNumber: $n) { socialInsuranceNumber citizen { fullName } contributions { employer { name } months } healthInsuranceCards { number } } }',
      () => ({ n: ids.insured }),
    ],
    [
      'healthInsuranceCard',
      'query ($n: ID!) { healthInsuranceCard(number: $n) { number validTo registeredFacility } }',
      () => ({ n: ids.card }),
    ],
    [
      'civilServant',
      'query ($c: ID!) { civilServant(code: $c) { code citizen { fullName } agency { name } rank { name category } } }',
      () => ({ c: ids.servantCode }),
    ],
    [
      'administrativeUnit',
      'query ($c: ID!) { administrativeUnit(code: $c) { code name level province { name } predecessors { name } } }',
      () => ({ c: ids.commune }),
    ],
    ['procedures', '{ procedures { code name reads } }', () => ({})],
    [
      'procedure',
      '{ procedure(code: "BIRTH_REGISTRATION") { code fields { key path } documents { name } } }',
      () => ({}),
    ],
    [
      'prefill',
      'query ($id: ID!) { prefill(procedureCode: "HEALTH_INSURANCE_CARD_REISSUE", subjectId: $id) { subjectFound fields { key value available unavailableCause source { database } } replacedDocuments { name } } }',
      () => ({ id: ids.servant }),
    ],
    [
      'checkDeclaration',
      'query ($id: ID!) { checkDeclaration(procedureCode: "HEALTH_INSURANCE_CARD_REISSUE", subjectId: $id, values: { fullName: "Nobody" }) { allMatch fields { key status nationalValue } } }',
      () => ({ id: ids.servant }),
    ],
    ['malformed id', '{ citizen(id: "12") { fullName } }', () => ({})],
  ];
}

describe('the federated topology', () => {
  it.each(rootQueries())(
    'answers %s as the single-process gateway does',
    async (_name, query, variablesOf) => {
      const variables = variablesOf();
      const [one, fed] = await Promise.all([
        single.graphql(query, variables),
        federated.graphql(query, variables),
      ]);
      expect(fed.status).toBe(one.status);
      expect(fed.body).toEqual(one.body);
    },
  );

  it('refuses what the purpose does not allow, at the same paths with the same codes', async () => {
    const query = `{ citizen(id: "${ids.owner}") { id fullName dateOfBirth enterprises { role } landRights { share } } }`;
    const headers = { authorization: 'Bearer demo-ekyc', 'x-purpose': 'EKYC' };
    const [one, fed] = await Promise.all([
      single.graphql(query, {}, headers),
      federated.graphql(query, {}, headers),
    ]);
    expect(fed.body).toEqual(one.body);
    expect(fed.body.errors?.map((error) => error.extensions?.code)).toContain('FORBIDDEN');
  });

  it('serves a citizen their own data through me, and the access-log fields', async () => {
    const token = await issueCitizenToken(ids.owner);
    const headers = { authorization: `Bearer ${token}`, 'x-purpose': '' };
    const query = `{ me { id fullName enterprises { role enterprise { name } } landRights { share } } myConsents { id } }`;
    const [one, fed] = await Promise.all([
      single.graphql(query, {}, headers),
      federated.graphql(query, {}, headers),
    ]);
    expect(fed.body.errors).toBeUndefined();
    expect(fed.body).toEqual(one.body);
    const accesses = await federated.graphql(
      '{ myDataAccesses(first: 5) { edges { node { client } } } }',
      {},
      headers,
    );
    expect(accesses.body.errors).toBeUndefined();
    const audit = await federated.graphql(
      '{ auditLog(first: 3) { edges { node { seq client } } } verifyAuditChain { ok problem message } accessStatistics { client total } }',
      {},
      { authorization: 'Bearer demo-auditor', 'x-purpose': '' },
    );
    expect(audit.body.errors).toBeUndefined();
    const chain = (audit.body.data as { verifyAuditChain: { ok: boolean; message: string } })
      .verifyAuditChain;
    expect(chain.ok || chain.message).toBe(true);
    const unauthenticated = await federated.graphql(
      '{ procedures { code } }',
      {},
      { authorization: '' },
    );
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('calls each subgraph once per plan level for a citizen profile, each reading its database once', async () => {
    const sourcesBefore = await federated.sourceCalls();
    let body: { errors?: unknown[] } = {};
    const calls = await countCalls(async () => {
      ({ body } = await federated.graphql(
        `query ($ids: [ID!]!) { citizens(ids: $ids) { fullName enterprises { role enterprise { name } } landRights { share parcel { area } } insurance { status } civilService { position } } }`,
        { ids: [ids.owner, ids.holder, ids.servant] },
      ));
    });
    expect(body.errors).toBeUndefined();
    const sourcesAfter = await federated.sourceCalls();
    const delta = (a: Record<string, number>, b: Record<string, number>) =>
      Object.fromEntries(
        Object.keys(b)
          .map((name) => [name, (b[name] ?? 0) - (a[name] ?? 0)] as const)
          .filter(([, count]) => count > 0),
      );
    // Population first, then the four databases that add fields to the citizens, in parallel.
    expect(calls).toEqual({
      population: 1,
      enterprise: 1,
      land: 1,
      insurance: 1,
      civil_service: 1,
    });
    expect(delta(sourcesBefore, sourcesAfter)).toEqual({
      population: 1,
      enterprise: 1,
      land: 1,
      insurance: 1,
      civil_service: 1,
    });
  });

  it('leaves a consumer entry and a provider entry in each subgraph it touched, and every chain verifies', async () => {
    const requestId = `federated-log-${Date.now()}`;
    const response = await federated.graphql(
      `{ citizen(id: "${ids.servant}") { fullName civilService { position } } }`,
      {},
      { 'x-request-id': requestId },
    );
    expect(response.body.errors).toBeUndefined();
    const consumer = await federated.gateway.audit.query({}, { first: 50 });
    const entry = consumer.entries.find((candidate) => candidate.clientRequestId === requestId);
    expect(entry?.fields).toEqual(
      expect.arrayContaining(['Citizen.fullName', 'Citizen.civilService', 'CivilServant.position']),
    );
    expect(entry?.subjects).toContain(ids.servant);
    const chain = await federated.gateway.audit.verify();
    expect(chain.ok || chain.message).toBe(true);
    for (const name of ['population', 'civil_service'] as const) {
      // The provider entries carry the gateway's own id of the request.
      const log = await federated.callSubgraph(name, '/access-log', {
        requestId: entry?.requestId,
      });
      const body = (await log.json()) as {
        entries: {
          clientId: string;
          fields: string[];
          subjects: string[];
          seq: string;
          hash: string;
        }[];
        verify: { ok: boolean };
      };
      expect(body.entries).toHaveLength(1);
      // The consumer entry names the provider entry, inside its own hash: each log leads to the other.
      expect(entry?.providerEntries).toContain(
        `${name}:${body.entries[0].seq}:${body.entries[0].hash}`,
      );
      expect(body.entries[0].clientId).toBe('demo-portal');
      expect(body.entries[0].subjects).toContain(ids.servant);
      expect(body.verify.ok).toBe(true);
    }
    expect(entry?.providerEntries).toHaveLength(2);
    const untouched = await federated.callSubgraph('land', '/access-log', {
      requestId: entry?.requestId,
    });
    expect(((await untouched.json()) as { entries: unknown[] }).entries).toHaveLength(0);
  });

  it("witnesses each log in its peers' ledgers: the gateway's in every subgraph's, each subgraph's in the gateway's", async () => {
    const { body } = await federated.graphql(
      `{ citizen(id: "${ids.servant}") { fullName insurance { status } civilService { position } } }`,
    );
    expect(body.errors).toBeUndefined();
    await federated.gateway.audit.flush();
    const checkpoint = await federated.gateway.audit.checkpoint();
    const gatewayOrigin = 'national-data-gateway.localhost/audit/gateway';
    const base = (url: string) => url.replace(/\/graphql$/, '');
    // A witness's newest checkpoint of a log: the signed note's second line is the log's size.
    const witnessed = async (witnessBase: string, origin: string) => {
      const response = await fetch(
        `${witnessBase}/witness/checkpoint?origin=${encodeURIComponent(origin)}`,
      );
      if (response.status !== 200) return 0;
      return Number((await response.text()).split('\n')[1]);
    };
    // A subgraph whose checkpoints found the gateway not up yet retries with a backoff of up
    // to 30 s: within a minute every peer has been asked again.
    const until = async (check: () => Promise<boolean>) => {
      const deadline = Date.now() + 60_000;
      while (!(await check()) && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 250));
      return check();
    };
    const gatewayHead = Number(checkpoint?.seq ?? 1);
    for (const name of ['population', 'insurance', 'civil_service'] as const) {
      const subgraph = base(federated.subgraphs.get(name)!.url);
      // The subgraph holds the gateway's checkpoint, in its own database...
      expect(
        await until(async () => (await witnessed(subgraph, gatewayOrigin)) >= gatewayHead),
      ).toBe(true);
      // ...and the gateway holds the subgraph's, in the gateway's.
      expect(
        await until(
          async () =>
            (await witnessed(federated.url, `national-data-gateway.localhost/audit/${name}`)) > 0,
        ),
      ).toBe(true);
    }
    // The gateway's log verifies against every subgraph's witness.
    const verify = await federated.graphql<{
      verifyAuditChain: { ok: boolean; message: string; witnesses: { ok: boolean }[] };
    }>(
      '{ verifyAuditChain { ok message witnesses { ok } } }',
      {},
      { authorization: 'Bearer demo-auditor', 'x-purpose': '' },
    );
    expect(verify.body.errors).toBeUndefined();
    expect(
      verify.body.data!.verifyAuditChain.ok || verify.body.data!.verifyAuditChain.message,
    ).toBe(true);
    expect(verify.body.data!.verifyAuditChain.witnesses).toHaveLength(NATIONAL_DATABASES.length);
    expect(verify.body.data!.verifyAuditChain.witnesses.every((witness) => witness.ok)).toBe(true);
  }, 200_000);

  describe('a subgraph trusts the gateway only', () => {
    const body = () =>
      JSON.stringify({
        query:
          'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Citizen { fullName } } }',
        variables: { r: [{ __typename: 'Citizen', id: ids.servant }] },
      });
    const claims = () => ({
      viewer: {
        kind: 'client' as const,
        id: 'demo-portal',
        name: 'Demo portal',
        auditor: false,
        policy: { fields: ['*'], requiresConsent: false, actorVisible: true, restrictedDays: null },
      },
      purpose: 'DEMO',
      actor: null,
      caseId: null,
      requestId: `trust-${Date.now()}`,
    });
    const post = (text: string, token?: string) =>
      fetch(federated.subgraphs.get('population')?.url as string, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { [STATEMENT_HEADER]: token } : {}),
        },
        body: text,
      });

    it('answers a call with a valid statement once, and refuses it replayed', async () => {
      const text = body();
      const token = await signStatement(federated.keys.privateKey, 'population', text, claims());
      const first = await post(text, token);
      expect(first.status).toBe(200);
      expect(JSON.stringify(await first.json())).toContain('fullName');
      expect((await post(text, token)).status).toBe(401);
    });

    it('refuses a call without a statement, or with one for another subgraph, request or key', async () => {
      const text = body();
      expect((await post(text)).status).toBe(401);
      const wrongAudience = await signStatement(federated.keys.privateKey, 'land', text, claims());
      expect((await post(text, wrongAudience)).status).toBe(401);
      const otherRequest = await signStatement(
        federated.keys.privateKey,
        'population',
        '{}',
        claims(),
      );
      expect((await post(text, otherRequest)).status).toBe(401);
      const stranger = generateKeyPairSync('ed25519').privateKey;
      expect(
        (await post(text, await signStatement(stranger, 'population', text, claims()))).status,
      ).toBe(401);
      const refused = await post(text);
      expect(
        ((await refused.json()) as { errors: { extensions: { code: string } }[] }).errors[0]
          .extensions.code,
      ).toBe('UNAUTHENTICATED');
    });

    it('refuses an expired statement', async () => {
      const text = body();
      const past = Math.floor(Date.now() / 1000) - 120;
      const expired = await new jose.SignJWT({
        ...claims(),
        req: requestHash(text),
      })
        .setProtectedHeader({ alg: 'EdDSA', typ: 'gateway-statement+jwt' })
        .setIssuer('national-data-gateway')
        .setAudience('population')
        .setIssuedAt(past)
        .setExpirationTime(past + 30)
        .setJti(`expired-${Date.now()}`)
        .sign(federated.keys.privateKey);
      expect((await post(text, expired)).status).toBe(401);
    });
  });

  it('gives SOURCE_UNAVAILABLE for a killed subgraph on its fields only, and serves them again once it is back', async () => {
    const query = `{ citizen(id: "${ids.holder}") { fullName landRights { share } enterprises { role } } }`;
    await federated.kill('land');
    const down = await federated.graphql(query);
    expect(down.status).toBe(200);
    const data = down.body.data as { citizen: { fullName: string; landRights: unknown } };
    expect(data.citizen.fullName).toEqual(expect.any(String));
    expect(data.citizen.landRights).toBeNull();
    expect(down.body.errors).toEqual([
      expect.objectContaining({
        path: ['citizen', 'landRights'],
        extensions: { code: 'SOURCE_UNAVAILABLE', source: 'land' },
      }),
    ]);
    await federated.restart('land');
    const [back, one] = await Promise.all([federated.graphql(query), single.graphql(query)]);
    expect(back.body).toEqual(one.body);
  });

  // On PostgreSQL only: embedded, each subgraph's log lives in its process's own PGlite, which
  // no other process can open.
  (process.env.TEST_DATABASE_URL ? it : it.skip)(
    "npm run audit -- verify, with a subgraph's environment, names the tail its database administrator dropped, which the gateway witnessed",
    async () => {
      // Reads that leave provider entries in the enterprise subgraph's log...
      for (let i = 0; i < 5; i += 1) {
        const { body } = await federated.graphql(
          `{ citizen(id: "${ids.owner}") { enterprises { role enterprise { name } } } }`,
        );
        expect(body.errors).toBeUndefined();
      }
      const env = federated.logEnvironment('enterprise');
      const logDb = knex({
        client: 'pg',
        connection: env.AUDIT_DATABASE_URL,
        pool: { min: 0, max: 1 },
      });
      try {
        const newest = async () => {
          const { rows } = await logDb.raw<{ rows: { seq: string }[] }>(
            'SELECT seq::text AS seq FROM audit.head',
          );
          return Number(rows[0].seq);
        };
        const head = await newest();
        expect(head).toBeGreaterThanOrEqual(5);
        // ...until the gateway's witness holds a checkpoint of the whole log (one a second).
        const origin = env.AUDIT_LOG_ORIGIN as string;
        const deadline = Date.now() + 60_000;
        let witnessed = 0;
        while (witnessed < head && Date.now() < deadline) {
          const response = await fetch(
            `${federated.url}/witness/checkpoint?origin=${encodeURIComponent(origin)}`,
          );
          if (response.status === 200) witnessed = Number((await response.text()).split('\n')[1]);
          if (witnessed < head) await new Promise((resolve) => setTimeout(resolve, 250));
        }
        expect(witnessed).toBeGreaterThanOrEqual(head);
        // The subgraph stops, so that it neither appends nor checkpoints the rewritten log.
        await federated.kill('enterprise');
        const intact = await auditVerifyCommand(env);
        expect(intact.stdout).toMatch(/^OK: /);
        expect(intact.code).toBe(0);

        // As the ministry's superuser: drop the last three entries, move the head, delete the
        // checkpoints that covered them.
        await rechain(logDb, witnessed - 2, []);
        const alone = await auditVerifyCommand({
          ...env,
          AUDIT_WITNESS_URL: '',
          AUDIT_WITNESS_KEYS: '',
        });
        expect(alone.code).toBe(0);
        expect(alone.stdout).toMatch(/a dropped tail cannot be detected/);
        const cut = await auditVerifyCommand(env);
        expect(cut.code).toBe(1);
        expect(cut.stdout).toContain(`BROKEN: DROPPED_TAIL at entry ${witnessed - 2}`);
        expect(cut.stdout).toContain(`last witnessed sequence ${witnessed}`);
      } finally {
        await logDb.destroy();
      }
    },
    200_000,
  );
});
