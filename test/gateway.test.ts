import {
  DEMO_PORTAL,
  startTestGateway,
  countCalls,
  topology,
  type TestGateway,
} from './support/gateway';

let t: TestGateway;

/** Subjects chosen straight from the national databases, so expectations come from the sources. */
let richCitizen: string;
let citizenIds: string[];

beforeAll(async () => {
  t = await startTestGateway();
  const enterprise = t.db('enterprise');
  const land = t.db('land');
  const insurance = t.db('insurance');
  const rep = await enterprise.raw(
    `SELECT p.citizen_id FROM enterprise.enterprise_people p WHERE p.role = 'LEGAL_REPRESENTATIVE'
     AND EXISTS (SELECT 1 FROM enterprise.enterprise_people q WHERE q.citizen_id = p.citizen_id)
     ORDER BY p.citizen_id`,
  );
  const holders = new Set(
    (await land.raw(`SELECT holder_id FROM land.holders WHERE holder_kind = 'CITIZEN'`)).rows.map(
      (row: { holder_id: string }) => row.holder_id,
    ),
  );
  const insured = new Set(
    (await insurance.raw(`SELECT citizen_id FROM insurance.insurance_records`)).rows.map(
      (row: { citizen_id: string }) => row.citizen_id,
    ),
  );
  const candidates = rep.rows.map((row: { citizen_id: string }) => row.citizen_id);
  richCitizen =
    candidates.find((id: string) => holders.has(id) && insured.has(id)) ??
    candidates.find((id: string) => insured.has(id)) ??
    candidates[0];
  citizenIds = (
    await t.db('population').raw(`SELECT id FROM population.citizens ORDER BY id LIMIT 100`)
  ).rows.map((row: { id: string }) => row.id);
});

afterAll(() => t.close());

describe('one citizen across the national databases', () => {
  it('answers with the values the population database holds', async () => {
    const { body } = await t.graphql<{ citizen: Record<string, unknown> }>(
      `query ($id: ID!) { citizen(id: $id) { id fullName dateOfBirth sex source { database updatedAt } } }`,
      { id: richCitizen },
    );
    const row = (
      await t
        .db('population')
        .raw(
          `SELECT id, full_name, date_of_birth::text AS dob, sex, updated_at FROM population.citizens WHERE id = ?`,
          [richCitizen],
        )
    ).rows[0];
    expect(body.errors).toBeUndefined();
    expect(body.data!.citizen).toEqual({
      id: row.id,
      fullName: row.full_name,
      dateOfBirth: row.dob,
      sex: row.sex,
      source: { database: 'POPULATION', updatedAt: new Date(row.updated_at).toISOString() },
    });
  });

  it('links enterprises, land rights, insurance and civil service, each from its own database', async () => {
    const { body } = await t.graphql<{
      citizen: {
        enterprises: { role: string; enterprise: { code: string; source: { database: string } } }[];
        landRights: { parcel: { id: string }; source: { database: string } }[];
        insurance: { socialInsuranceNumber: string; source: { database: string } } | null;
        civilService: { code: string } | null;
      };
    }>(
      `query ($id: ID!) { citizen(id: $id) {
        enterprises { role enterprise { code source { database } } }
        landRights { parcel { id } source { database } }
        insurance { socialInsuranceNumber source { database } }
        civilService { code }
      } }`,
      { id: richCitizen },
    );
    expect(body.errors).toBeUndefined();
    const citizen = body.data!.citizen;
    const roles = (
      await t
        .db('enterprise')
        .raw(
          `SELECT enterprise_code, role FROM enterprise.enterprise_people WHERE citizen_id = ? ORDER BY since, enterprise_code, role`,
          [richCitizen],
        )
    ).rows;
    expect(citizen.enterprises.map((e) => [e.enterprise.code, e.role])).toEqual(
      roles.map((r: { enterprise_code: string; role: string }) => [r.enterprise_code, r.role]),
    );
    expect(citizen.enterprises.every((e) => e.enterprise.source.database === 'ENTERPRISE')).toBe(
      true,
    );
    const parcels = (
      await t
        .db('land')
        .raw(`SELECT parcel_id FROM land.holders WHERE holder_kind = 'CITIZEN' AND holder_id = ?`, [
          richCitizen,
        ])
    ).rows.map((r: { parcel_id: string }) => r.parcel_id);
    expect(citizen.landRights.map((r) => r.parcel.id).sort()).toEqual(parcels.sort());
    const record = (
      await t
        .db('insurance')
        .raw(
          `SELECT social_insurance_number FROM insurance.insurance_records WHERE citizen_id = ?`,
          [richCitizen],
        )
    ).rows[0];
    expect(citizen.insurance?.socialInsuranceNumber ?? null).toEqual(
      record?.social_insurance_number ?? null,
    );
    if (citizen.insurance) expect(citizen.insurance.source.database).toBe('INSURANCE');
  });

  it('gives the address in current units, and the pre-2025 form when registered before the reorganisation', async () => {
    const row = (
      await t.db('population').raw(
        `SELECT id, permanent_street, permanent_commune_code, permanent_legacy_commune_code FROM population.citizens
         WHERE permanent_legacy_commune_code IS NOT NULL ORDER BY id LIMIT 1`,
      )
    ).rows[0];
    const { body } = await t.graphql<{
      citizen: {
        permanentAddress: {
          street: string;
          commune: { code: string; level: string };
          province: { level: string };
          text: string;
          legacy: { text: string; district: string } | null;
        };
      };
    }>(
      `query ($id: ID!) { citizen(id: $id) { permanentAddress { street commune { code level } province { level } text legacy { text district } } } }`,
      { id: row.id },
    );
    expect(body.errors).toBeUndefined();
    const address = body.data!.citizen.permanentAddress;
    expect(address.street).toBe(row.permanent_street);
    expect(address.commune).toEqual({ code: row.permanent_commune_code, level: 'COMMUNE' });
    expect(address.province.level).toBe('PROVINCE');
    expect(address.text.startsWith(row.permanent_street)).toBe(true);
    const legacy = (
      await t
        .db('reference')
        .raw(`SELECT name, parent_code FROM reference.legacy_units WHERE code = ?`, [
          row.permanent_legacy_commune_code,
        ])
    ).rows[0];
    expect(address.legacy?.text).toContain(legacy.name);
    expect(address.legacy?.district).not.toBe('');
  });
});

describe('batching', () => {
  it('reads 100 citizens with their links in one call per national database', async () => {
    const query = `query ($ids: [ID!]!) { citizens(ids: $ids) {
      id fullName
      enterprises { role enterprise { code name } }
      landRights { share parcel { id area } }
      insurance { socialInsuranceNumber status }
      civilService { code position agency { name } }
    } }`;
    let body: { data?: { citizens: { id: string }[] }; errors?: unknown[] } = {};
    const calls = await countCalls(async () => {
      body = (await t.graphql<{ citizens: { id: string }[] }>(query, { ids: citizenIds })).body;
    });
    expect(body.errors).toBeUndefined();
    expect(body.data!.citizens.map((c) => c.id)).toEqual(citizenIds);
    expect(calls).toEqual({
      population: 1,
      enterprise: 1,
      land: 1,
      insurance: 1,
      civil_service: 1,
    });
  });

  it('goes one level deeper with one more call per database, not one per item', async () => {
    const query = `query ($ids: [ID!]!) { citizens(ids: $ids) {
      insurance { contributions { employer { code representatives { id } } } }
    } }`;
    const calls = await countCalls(async () => {
      const { body } = await t.graphql(query, { ids: citizenIds });
      expect(body.errors).toBeUndefined();
    });
    // Levels: citizens; insurance records with contributions; employers; their roles; representatives
    // (who may all be among the citizens already loaded, and then cost nothing).
    expect(calls.insurance).toBe(1);
    expect(calls.enterprise).toBe(2);
    expect(calls.population).toBeLessThanOrEqual(2);
    expect(Object.keys(calls).sort()).toEqual(['enterprise', 'insurance', 'population']);
  });
});

describe('records linked within one national database', () => {
  it('come with the records that link to them: relatives, identity cards, health cards, in one call per database', async () => {
    const query = `query ($ids: [ID!]!) { citizens(ids: $ids) {
      id identityCard { number issuedOn }
      spouse { id fullName identityCard { number } }
      father { id } mother { id }
      insurance { socialInsuranceNumber contributionMonths healthInsuranceCards { number } }
    } }`;
    type Person = {
      id: string;
      identityCard: { number: string; issuedOn: string } | null;
      spouse: { id: string; fullName: string; identityCard: { number: string } | null } | null;
      father: { id: string } | null;
      mother: { id: string } | null;
      insurance: {
        socialInsuranceNumber: string;
        healthInsuranceCards: { number: string }[];
      } | null;
    };
    let body: { data?: { citizens: Person[] }; errors?: unknown[] } = {};
    const calls = await countCalls(async () => {
      body = (await t.graphql<{ citizens: Person[] }>(query, { ids: citizenIds })).body;
    });
    expect(body.errors).toBeUndefined();
    expect(calls).toEqual({ population: 1, insurance: 1 });
    // The values are those of the sources, linked record by linked record.
    const rows = (
      await t.db('population').raw(
        `SELECT c.id, c.spouse_id, c.father_id, c.mother_id, i.issued_on::text AS issued_on,
           s.full_name AS spouse_name, si.citizen_id AS spouse_card
         FROM population.citizens c LEFT JOIN population.identity_cards i ON i.citizen_id = c.id
         LEFT JOIN population.citizens s ON s.id = c.spouse_id
         LEFT JOIN population.identity_cards si ON si.citizen_id = c.spouse_id
         WHERE c.id = ANY(?) ORDER BY c.id`,
        [citizenIds],
      )
    ).rows as Record<string, string | null>[];
    const cards = (
      await t.db('insurance').raw(
        `SELECT r.citizen_id, r.social_insurance_number, array_agg(h.card_number ORDER BY h.card_number)
           FILTER (WHERE h.card_number IS NOT NULL) AS cards
         FROM insurance.insurance_records r
         LEFT JOIN insurance.health_cards h ON h.social_insurance_number = r.social_insurance_number
         WHERE r.citizen_id = ANY(?) GROUP BY 1, 2`,
        [citizenIds],
      )
    ).rows as { citizen_id: string; social_insurance_number: string; cards: string[] | null }[];
    const insured = new Map(cards.map((row) => [row.citizen_id, row]));
    const got = body.data!.citizens.map((c) => ({
      id: c.id,
      card: c.identityCard?.issuedOn ?? null,
      spouse: c.spouse && [c.spouse.id, c.spouse.fullName, c.spouse.identityCard?.number ?? null],
      parents: [c.father?.id ?? null, c.mother?.id ?? null],
      insurance: c.insurance && [
        c.insurance.socialInsuranceNumber,
        c.insurance.healthInsuranceCards.map((card) => card.number).sort(),
      ],
    }));
    expect(got).toEqual(
      rows.map((row) => {
        const record = insured.get(row.id!);
        return {
          id: row.id,
          card: row.issued_on,
          spouse: row.spouse_id && [row.spouse_id, row.spouse_name, row.spouse_card],
          parents: [row.father_id, row.mother_id],
          insurance: record ? [record.social_insurance_number, record.cards ?? []] : null,
        };
      }),
    );
    expect(got.filter((c) => c.spouse).length).toBeGreaterThan(0);
    expect(got.filter((c) => c.insurance && c.insurance[1].length > 0).length).toBeGreaterThan(0);
  });

  it('come with an enterprise: its business lines and its representatives, in one call', async () => {
    const [row] = (
      await t.db('enterprise').raw(
        `SELECT enterprise_code AS code FROM enterprise.enterprise_business_lines
         GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`,
      )
    ).rows as { code: string }[];
    const query = `query ($code: ID!) { enterprise(code: $code) {
      code businessLines { code isMain } representatives { id } people { citizen { id } role }
    } }`;
    type Answer = {
      enterprise: {
        businessLines: { code: string; isMain: boolean }[];
        representatives: { id: string }[];
        people: { citizen: { id: string }; role: string }[];
      };
    };
    let body: { data?: Answer; errors?: unknown[] } = {};
    const calls = await countCalls(async () => {
      body = (await t.graphql<Answer>(query, { code: row.code })).body;
    });
    expect(body.errors).toBeUndefined();
    // One process checks that each representative exists in the population database; federated,
    // the enterprise subgraph answers their keys and nothing asks the population subgraph.
    expect(calls).toEqual(
      topology() === 'federated' ? { enterprise: 1 } : { enterprise: 1, population: 1 },
    );
    const lines = (
      await t.db('enterprise').raw(
        `SELECT industry_code AS code, is_main AS "isMain" FROM enterprise.enterprise_business_lines
         WHERE enterprise_code = ? ORDER BY is_main DESC, industry_code`,
        [row.code],
      )
    ).rows;
    const people = (
      await t.db('enterprise').raw(
        `SELECT citizen_id, role FROM enterprise.enterprise_people WHERE enterprise_code = ?
         ORDER BY (role = 'LEGAL_REPRESENTATIVE') DESC, since, citizen_id`,
        [row.code],
      )
    ).rows as { citizen_id: string; role: string }[];
    expect(body.data!.enterprise.businessLines).toEqual(lines);
    expect(body.data!.enterprise.people).toEqual(
      people.map((p) => ({ citizen: { id: p.citizen_id }, role: p.role })),
    );
    expect(body.data!.enterprise.representatives).toEqual(
      people.filter((p) => p.role === 'LEGAL_REPRESENTATIVE').map((p) => ({ id: p.citizen_id })),
    );
  });
});

describe('links in both directions', () => {
  it('from an enterprise to its representatives and their land', async () => {
    const row = (
      await t
        .db('enterprise')
        .raw(
          `SELECT enterprise_code, citizen_id FROM enterprise.enterprise_people WHERE role = 'LEGAL_REPRESENTATIVE' ORDER BY enterprise_code LIMIT 1`,
        )
    ).rows[0];
    const { body } = await t.graphql<{
      enterprise: {
        code: string;
        status: string;
        representatives: { id: string; landRights: { parcel: { id: string } }[] }[];
      };
    }>(
      `query ($code: ID!) { enterprise(code: $code) { code name status representatives { id landRights { parcel { id } } } source { database } } }`,
      { code: row.enterprise_code },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.enterprise.code).toBe(row.enterprise_code);
    expect(body.data!.enterprise.representatives.map((r) => r.id)).toContain(row.citizen_id);
  });

  it('from a parcel to its holders, citizens or enterprises', async () => {
    const row = (
      await t
        .db('land')
        .raw(`SELECT parcel_id FROM land.holders ORDER BY holder_kind DESC, parcel_id LIMIT 1`)
    ).rows[0];
    const holders = (
      await t
        .db('land')
        .raw(`SELECT holder_kind, holder_id FROM land.holders WHERE parcel_id = ?`, [row.parcel_id])
    ).rows;
    const { body } = await t.graphql<{
      landParcel: {
        id: string;
        area: number;
        holders: (
          { __typename: 'Citizen'; id: string } | { __typename: 'Enterprise'; code: string }
        )[];
      };
    }>(
      `query ($id: ID!) { landParcel(id: $id) { id area holders { __typename ... on Citizen { id } ... on Enterprise { code } } source { database } } }`,
      { id: row.parcel_id },
    );
    expect(body.errors).toBeUndefined();
    const got = body.data!.landParcel.holders.map((h) =>
      h.__typename === 'Citizen' ? `CITIZEN:${h.id}` : `ENTERPRISE:${h.code}`,
    );
    expect(got.sort()).toEqual(
      holders
        .map((h: { holder_kind: string; holder_id: string }) => `${h.holder_kind}:${h.holder_id}`)
        .sort(),
    );
  });

  it('from an insurance record to the citizen and each contribution to its employer', async () => {
    const row = (
      await t.db('insurance').raw(
        `SELECT r.social_insurance_number, r.citizen_id, c.employer_code FROM insurance.insurance_records r
         JOIN insurance.contributions c ON c.social_insurance_number = r.social_insurance_number ORDER BY r.social_insurance_number LIMIT 1`,
      )
    ).rows[0];
    const { body } = await t.graphql<{
      insuranceRecord: {
        citizen: { id: string };
        contributions: { employer: { code: string } | null }[];
      };
    }>(
      `query ($n: ID!) { insuranceRecord(socialInsuranceNumber: $n) { socialInsuranceNumber citizen { id } contributions { employer { code } } healthInsuranceCards { number } } }`,
      { n: row.social_insurance_number },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.insuranceRecord.citizen.id).toBe(row.citizen_id);
    expect(body.data!.insuranceRecord.contributions.map((c) => c.employer?.code)).toContain(
      row.employer_code,
    );
  });

  it('from a civil servant to the citizen and agency', async () => {
    const row = (
      await t
        .db('civil_service')
        .raw(
          `SELECT code, citizen_id, agency_code FROM civil_service.civil_servants ORDER BY code LIMIT 1`,
        )
    ).rows[0];
    const { body } = await t.graphql<{
      civilServant: {
        citizen: { id: string; civilService: { code: string } };
        agency: { code: string };
      };
    }>(
      `query ($code: ID!) { civilServant(code: $code) { code position rank { code name } agency { code name } citizen { id civilService { code } } source { database } } }`,
      { code: row.code },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.civilServant.citizen).toEqual({
      id: row.citizen_id,
      civilService: { code: row.code },
    });
    expect(body.data!.civilServant.agency.code).toBe(row.agency_code);
  });

  it('resolves a pre-2025 unit code to the unit that replaced it', async () => {
    const legacy = (
      await t.db('reference').raw(
        `SELECT l.code, l.successor_code FROM reference.legacy_units l WHERE l.level = 'COMMUNE'
         AND NOT EXISTS (SELECT 1 FROM reference.units u WHERE u.code = l.code) ORDER BY l.code LIMIT 1`,
      )
    ).rows[0];
    const { body } = await t.graphql<{
      administrativeUnit: { code: string; predecessors: { code: string }[] };
    }>(
      `query ($code: ID!) { administrativeUnit(code: $code) { code name level predecessors { code } } }`,
      { code: legacy.code },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data!.administrativeUnit.code).toBe(legacy.successor_code);
    expect(body.data!.administrativeUnit.predecessors.map((p) => p.code)).toContain(legacy.code);
  });
});

describe('bad input and unknown identifiers', () => {
  it('names the argument and the expected format of a malformed identifier', async () => {
    const { status, body } = await t.graphql(`{ citizen(id: "12345") { id } }`);
    expect(status).toBe(200);
    expect(body.data).toEqual({ citizen: null });
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(/"id".*12 digits/);
  });

  it('answers null for a well-formed identifier that does not exist', async () => {
    const { body } = await t.graphql(
      `{ citizen(id: "001099999999") { id } enterprise(code: "9999999999") { code } }`,
    );
    expect(body.errors).toBeUndefined();
    expect(body.data).toEqual({ citizen: null, enterprise: null });
  });

  it('keeps input order with null for unknown ids', async () => {
    const ids = [citizenIds[2], '001099999999', citizenIds[0]];
    const { body } = await t.graphql<{ citizens: ({ id: string } | null)[] }>(
      `query ($ids: [ID!]!) { citizens(ids: $ids) { id } }`,
      { ids },
    );
    expect(body.data!.citizens).toEqual([{ id: citizenIds[2] }, null, { id: citizenIds[0] }]);
  });

  it('refuses more than 100 ids', async () => {
    const ids = Array.from({ length: 101 }, (_, i) => `0010990${String(i).padStart(5, '0')}`);
    const { body } = await t.graphql(`query ($ids: [ID!]!) { citizens(ids: $ids) { id } }`, {
      ids,
    });
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(/"ids".*at most 100/);
  });

  it.each([
    ['enterprise(code: "12-34")', /"code"/],
    ['landParcel(id: "x")', /"id".*commune code/],
    ['insuranceRecord(socialInsuranceNumber: "1")', /"socialInsuranceNumber".*10 digits/],
    ['civilServant(code: "1")', /"code".*CC/],
    ['administrativeUnit(code: "1")', /"code".*administrative unit/],
  ])('rejects %s', async (field, message) => {
    const { body } = await t.graphql(`{ x: ${field} { __typename } }`);
    expect(body.errors![0].extensions!.code).toBe('BAD_USER_INPUT');
    expect(body.errors![0].message).toMatch(message);
  });

  it('reports parse and validation failures with HTTP 400 and their codes', async () => {
    const parse = await t.graphql(`{ citizen(id: "001") `);
    expect(parse.status).toBe(400);
    expect(parse.body.errors![0].extensions!.code).toBe('GRAPHQL_PARSE_FAILED');
    const validation = await t.graphql(`{ citizen(id: "001") { noSuchField } }`);
    expect(validation.status).toBe(400);
    expect(validation.body.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});

describe('HTTP', () => {
  it('echoes X-Request-Id, or makes one', async () => {
    const given = await t.graphql(`{ __typename }`, undefined, { 'x-request-id': 'case-42.req-1' });
    expect(given.headers.get('x-request-id')).toBe('case-42.req-1');
    const made = await t.graphql(`{ __typename }`);
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('speaks application/graphql-response+json when asked', async () => {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...DEMO_PORTAL,
      },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    expect(response.headers.get('content-type')).toMatch(/application\/graphql-response\+json/);
    expect(await response.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves /healthz and /readyz naming each source', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { sources: unknown }).sources).toEqual({
      population: 'up',
      enterprise: 'up',
      land: 'up',
      insurance: 'up',
      civil_service: 'up',
      reference: 'up',
      finance: 'up',
      audit: 'up',
    });
  });

  it('serves the explorer and its assets from the gateway itself', async () => {
    const page = await fetch(`${t.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('/explorer/graphiql.js');
    expect(html).not.toMatch(/https?:\/\//);
    for (const asset of ['graphiql.js', 'graphiql.css', 'react.js', 'react-dom.js']) {
      expect((await fetch(`${t.url}/explorer/${asset}`)).status).toBe(200);
    }
  });
});
