import { countCalls, startTestGateway, type TestGateway } from './support/gateway';

/** The tax registration database (finance) through the gateway, compared with what it holds. */

type Row = Record<string, unknown>;
let t: TestGateway;

async function rows(sql: string, bindings: unknown[] = []): Promise<Row[]> {
  return (await t.db('finance').raw(sql, bindings as never[])).rows as Row[];
}

const TAXPAYER = `taxCode kind name status registeredOn obligationsFulfilled outstandingAmount obligationsAsOf
  taxOffice { code name province { code } } source { database updatedAt }`;

function expected(row: Row) {
  return {
    taxCode: row.tax_code,
    kind: row.kind,
    name: row.name,
    status: row.status,
    registeredOn: row.registered_on,
    obligationsFulfilled: row.obligations_fulfilled,
    outstandingAmount: row.outstanding_amount,
    obligationsAsOf: row.obligations_as_of,
    taxOffice: {
      code: row.office_code,
      name: row.office_name,
      province: { code: row.province_code },
    },
    source: { database: 'FINANCE', updatedAt: new Date(row.updated_at as string).toISOString() },
  };
}

const SELECT = `SELECT t.tax_code, t.kind, t.name, t.status, t.registered_on::text AS registered_on,
  t.obligations_fulfilled, t.outstanding_amount::float8 AS outstanding_amount,
  t.obligations_as_of::text AS obligations_as_of, t.updated_at, o.code AS office_code,
  o.name AS office_name, o.province_code
  FROM finance.taxpayers t JOIN finance.tax_offices o ON o.code = t.tax_office_code`;

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

describe('the finance database', () => {
  it('holds every enterprise under its enterprise code, with its name, and people under their citizen id', async () => {
    const enterprises = (
      await t.db('enterprise').raw(`SELECT code, name FROM enterprise.enterprises`)
    ).rows as Row[];
    const taxpayers = new Map(
      (await rows(`SELECT tax_code, kind, name FROM finance.taxpayers`)).map((r) => [
        r.tax_code,
        r,
      ]),
    );
    for (const enterprise of enterprises) {
      expect(taxpayers.get(enterprise.code)).toEqual({
        tax_code: enterprise.code,
        kind: 'ENTERPRISE',
        name: enterprise.name,
      });
    }
    const people = await rows(
      `SELECT tax_code, name FROM finance.taxpayers WHERE kind = 'INDIVIDUAL' LIMIT 50`,
    );
    expect(people.length).toBeGreaterThan(0);
    const citizens = new Map(
      (
        (
          await t
            .db('population')
            .raw(`SELECT id, full_name FROM population.citizens WHERE id = ANY(?)`, [
              people.map((p) => p.tax_code as string),
            ])
        ).rows as Row[]
      ).map((c) => [c.id, c.full_name]),
    );
    for (const person of people) expect(citizens.get(person.tax_code)).toBe(person.name);
  });

  it('answers taxpayer(taxCode) for an enterprise code and a citizen id as the database holds them', async () => {
    const [enterprise] = await rows(
      `${SELECT} WHERE t.kind = 'ENTERPRISE' ORDER BY t.tax_code LIMIT 1`,
    );
    const [owing] = await rows(
      `${SELECT} WHERE t.kind = 'INDIVIDUAL' AND NOT t.obligations_fulfilled ORDER BY t.tax_code LIMIT 1`,
    );
    for (const row of [enterprise, owing]) {
      const { body } = await t.graphql(
        `query ($code: ID!) { taxpayer(taxCode: $code) { ${TAXPAYER} } }`,
        {
          code: row.tax_code,
        },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({ taxpayer: expected(row) });
    }
    expect(owing.outstanding_amount).toBeGreaterThan(0);
  });

  it('links citizens and enterprises to their taxpayer record, a batch of citizens in one finance call', async () => {
    const people = await rows(`${SELECT} WHERE t.kind = 'INDIVIDUAL' ORDER BY t.tax_code LIMIT 3`);
    const [enterprise] = await rows(
      `${SELECT} WHERE t.kind = 'ENTERPRISE' ORDER BY t.tax_code DESC LIMIT 1`,
    );
    let data: { citizens: { taxpayer: unknown }[] } | undefined;
    const calls = await countCalls(async () => {
      const { body } = await t.graphql<{ citizens: { taxpayer: unknown }[] }>(
        `query ($ids: [ID!]!) { citizens(ids: $ids) { taxpayer { ${TAXPAYER} } } }`,
        { ids: people.map((p) => p.tax_code) },
      );
      expect(body.errors).toBeUndefined();
      data = body.data;
    });
    expect(data!.citizens.map((c) => c.taxpayer)).toEqual(people.map(expected));
    expect(calls.finance).toBe(1);
    const { body } = await t.graphql(
      `query ($code: ID!) { enterprise(code: $code) { taxpayer { ${TAXPAYER} } } }`,
      { code: enterprise.tax_code },
    );
    expect(body.data).toEqual({ enterprise: { taxpayer: expected(enterprise) } });
  });

  it('rejects a malformed tax code and answers null for one not registered', async () => {
    const bad = await t.graphql(`{ taxpayer(taxCode: "12345") { taxCode } }`);
    expect(bad.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.body.errors?.[0].message).toMatch(/taxCode/);
    const none = await t.graphql(`{ taxpayer(taxCode: "9999999999") { taxCode } }`);
    expect(none.body.errors).toBeUndefined();
    expect(none.body.data).toEqual({ taxpayer: null });
  });

  it('is written to the access log with the taxpayer as subject and the fields released', async () => {
    const [row] = await rows(
      `SELECT tax_code FROM finance.taxpayers WHERE kind = 'ENTERPRISE' LIMIT 1`,
    );
    const caseId = `TAX-${Date.now()}`;
    const { body } = await t.graphql(
      `query ($code: ID!) { taxpayer(taxCode: $code) { taxCode obligationsFulfilled } }`,
      { code: row.tax_code },
      { 'x-case-id': caseId },
    );
    expect(body.errors).toBeUndefined();
    await t.gateway.audit.flush();
    const { entries } = await t.gateway.audit.query({ caseId });
    expect(entries).toHaveLength(1);
    expect(entries[0].subjects).toContain(row.tax_code);
    expect(entries[0].fields).toEqual(
      expect.arrayContaining(['Taxpayer.taxCode', 'Taxpayer.obligationsFulfilled']),
    );
  });

  it('is guarded like every national database: a client without the purpose gets nothing', async () => {
    const [row] = await rows(`SELECT tax_code FROM finance.taxpayers ORDER BY tax_code LIMIT 1`);
    const { body } = await t.graphql(
      `query ($code: ID!) { taxpayer(taxCode: $code) { taxCode obligationsFulfilled } }`,
      { code: row.tax_code },
      { authorization: 'Bearer demo-ekyc', 'x-purpose': 'EKYC' },
    );
    expect(body.data?.taxpayer ?? null).toBeNull();
    expect(body.errors?.[0].extensions?.code).toMatch(/FORBIDDEN|CONSENT_REQUIRED/);
  });
});
