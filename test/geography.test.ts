import { geographyFor, SPLIT_COMMUNES } from '../mocks/generator/geography';
import { startTestGateway, TEST_SEED, type TestGateway } from './support/gateway';

/** Administrative units as they are since 1 July 2025, and old communes split between several. */

type Row = Record<string, unknown>;
let t: TestGateway;

async function rows(sql: string, bindings: unknown[] = []): Promise<Row[]> {
  return (await t.db('reference').raw(sql, bindings as never[])).rows as Row[];
}

beforeAll(async () => {
  t = await startTestGateway();
});
afterAll(() => t.close());

describe('the generated geography', () => {
  const g = geographyFor(TEST_SEED);
  const wardsIn = (province: string) =>
    g.communes.filter((c) => c.provinceCode === province && c.kind === 'WARD').length;

  it('has 3,321 communes: 2,621 communes, 687 wards and 13 special zones, Huế 21 wards and Quảng Trị 8', () => {
    const count = (kind: string) => g.communes.filter((c) => c.kind === kind).length;
    expect([g.communes.length, count('COMMUNE'), count('WARD'), count('SPECIAL_ZONE')]).toEqual([
      3321, 2621, 687, 13,
    ]);
    expect(wardsIn('46')).toBe(21);
    expect(wardsIn('44')).toBe(8);
  });

  it('makes Đồng Nai a centrally governed city from 30 April 2026', () => {
    expect(g.provinceByCode.get('75')).toMatchObject({
      fullName: 'Thành phố Đồng Nai',
      kind: 'CITY',
      validFrom: '2026-04-30',
    });
  });

  it(`gives ${SPLIT_COMMUNES} new communes a part of an old commune, with the villages they took`, () => {
    const receivers = new Set(
      g.legacyCommunes.flatMap((c) => c.alsoTo.map((other) => other.successor.code)),
    );
    expect(receivers.size).toBe(SPLIT_COMMUNES);
    for (const commune of g.legacyCommunes.filter((c) => c.alsoTo.length > 0)) {
      for (const other of commune.alsoTo) {
        expect(other.successor.code).not.toBe(commune.successor.code);
        expect(other.successor.provinceCode).toBe(commune.successor.provinceCode);
        expect(other.parts.length).toBeGreaterThan(0);
      }
    }
  });
});

describe('administrativeUnit', () => {
  const QUERY = `query ($code: ID!, $street: String) {
    administrativeUnit(code: $code, street: $street) { code name validFrom successors { code } }
  }`;

  async function split(): Promise<{ legacy: string; main: string; other: string; part: string }> {
    const [row] = await rows(
      `SELECT s.legacy_code, l.successor_code AS main, s.successor_code AS other, min(s.part) AS part
       FROM reference.legacy_successors s JOIN reference.legacy_units l ON l.code = s.legacy_code
       GROUP BY 1, 2, 3 ORDER BY 1 LIMIT 1`,
    );
    return {
      legacy: row.legacy_code as string,
      main: row.main as string,
      other: row.other as string,
      part: row.part as string,
    };
  }

  it('resolves the old code of a split commune to all of its successors, the main one first', async () => {
    const { legacy, main, other } = await split();
    const { body } = await t.graphql(QUERY, { code: legacy });
    expect(body.errors).toBeUndefined();
    expect(body.data).toMatchObject({
      administrativeUnit: { code: main, successors: [{ code: main }, { code: other }] },
    });
  });

  it('resolves an address in that old commune to the successor its village names', async () => {
    const { legacy, main, other, part } = await split();
    const there = await t.graphql(QUERY, { code: legacy, street: `Số 12, ${part.toUpperCase()}` });
    expect(there.body.data).toMatchObject({
      administrativeUnit: { code: other, successors: [{ code: other }, { code: main }] },
    });
    const elsewhere = await t.graphql(QUERY, { code: legacy, street: 'Thôn Không Có' });
    expect(elsewhere.body.data).toMatchObject({ administrativeUnit: { code: main } });
  });

  it('lists the successors of an old unit among the predecessors of a current one', async () => {
    const { legacy, main, other } = await split();
    const { body } = await t.graphql<{
      administrativeUnit: { predecessors: { code: string; successors: { code: string }[] }[] };
    }>(
      `query ($code: ID!) { administrativeUnit(code: $code) { predecessors { code successors { code } } } }`,
      {
        code: main,
      },
    );
    expect(body.errors).toBeUndefined();
    const old = body.data!.administrativeUnit.predecessors.find((p) => p.code === legacy)!;
    expect(old.successors.map((s) => s.code)).toEqual([main, other]);
  });

  it('gives a unit looked up by its own code as its only successor, and Đồng Nai as a city', async () => {
    const { body } = await t.graphql(QUERY, { code: '75' });
    expect(body.data).toEqual({
      administrativeUnit: {
        code: '75',
        name: 'Thành phố Đồng Nai',
        validFrom: '2026-04-30',
        successors: [{ code: '75' }],
      },
    });
  });

  it('holds 687 wards in the reference database, as the generator made them', async () => {
    const [row] = await rows(`SELECT count(*)::int AS n FROM reference.units WHERE kind = 'WARD'`);
    expect(row.n).toBe(687);
  });
});
