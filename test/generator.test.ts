import { openConnections, type Connections } from '../adapters/connections';
import { NATIONAL_DATABASES, type DatabaseName } from '../mocks/databases';
import { addYears } from '../mocks/generator/dates';
import {
  DATA_AS_OF,
  IDENTIFIER_PATTERNS,
  NationalDataGenerator,
  TABLE_NAMES,
  copyText,
  generateAll,
  isoDate,
  parseCitizenId,
  rowObjects,
  sampleIdentifiers,
  seedNationalDatabases,
  type Batch,
  type TableName,
  type Value,
} from '../mocks/generator';

type Fields = Record<string, Value>;

const SMALL = { citizens: 1500, seed: 7, chunkSize: 400 };

/** Every table of a batch as COPY text: equal texts mean byte-for-byte equal data. */
function fingerprint(batch: Batch): Record<string, string> {
  return Object.fromEntries(TABLE_NAMES.map((table) => [table, copyText(batch[table])]));
}

/**
 * The items breaking a rule (at most five), so that one assertion checks thousands of rows
 * and a failure shows the offending ones.
 */
function violations<T>(items: Iterable<T>, rule: (item: T) => boolean): T[] {
  const bad: T[] = [];
  for (const item of items) if (!rule(item) && bad.push(item) >= 5) break;
  return bad;
}

describe('synthetic national data', () => {
  const data = generateAll(SMALL);
  const rows = (table: TableName): Fields[] => rowObjects(table, data[table]);
  const citizens = rows('population.citizens');
  const citizenById = new Map(citizens.map((c) => [c.id, c]));
  const enterprises = new Set(rows('enterprise.enterprises').map((e) => e.code));
  const units = rows('reference.units');
  const legacyUnits = rows('reference.legacy_units');

  test('is deterministic: same options give the same bytes, another seed other data', () => {
    expect(fingerprint(generateAll(SMALL))).toEqual(fingerprint(data));
    const other = generateAll({ ...SMALL, seed: 8 });
    expect(copyText(other['population.citizens'])).not.toEqual(
      copyText(data['population.citizens']),
    );
  });

  test('has the proportions asked for', () => {
    expect(data['population.citizens']).toHaveLength(1500);
    expect(data['enterprise.enterprises']).toHaveLength(15);
    const households = data['population.households'].length;
    expect(households).toBeGreaterThan(1500 / 4.2);
    expect(households).toBeLessThan(1500 / 3);
    const parcels = data['land.parcels'].length;
    expect(parcels).toBeGreaterThan(1500 / 4);
    expect(parcels).toBeLessThan(1500 / 2.5);
    const eighteen = isoDate(addYears(DATA_AS_OF, -18));
    const adults = citizens.filter((c) => (c.date_of_birth as string) <= eighteen).length;
    const insured = data['insurance.insurance_records'].length;
    expect(insured / adults).toBeGreaterThan(0.3);
    expect(insured / adults).toBeLessThan(0.5);
    expect(data['civil_service.civil_servants'].length / adults).toBeGreaterThan(0.01);
    expect(data['civil_service.agencies']).toHaveLength(20);
    const males = citizens.filter((c) => c.sex === 'MALE').length;
    expect(Math.abs(males / citizens.length - 0.5)).toBeLessThan(0.04);
  });

  test('keeps the reference data independent of the number of citizens', () => {
    const tiny = new NationalDataGenerator({ citizens: 10, seed: SMALL.seed }).staticBatch();
    expect(copyText(tiny['reference.units'])).toEqual(copyText(data['reference.units']));
    expect(copyText(tiny['reference.legacy_units'])).toEqual(
      copyText(data['reference.legacy_units']),
    );
  });

  test('has the administrative units of 2025 and the ones they replaced', () => {
    const provinces = units.filter((u) => u.level === 'PROVINCE');
    const communes = units.filter((u) => u.level === 'COMMUNE');
    expect(provinces).toHaveLength(34);
    expect(communes).toHaveLength(3321);
    expect(communes.filter((c) => c.kind === 'SPECIAL_ZONE')).toHaveLength(13);
    expect(new Set(units.map((u) => u.code)).size).toBe(units.length);
    const legacyProvinces = legacyUnits.filter((u) => u.level === 'PROVINCE');
    const districts = legacyUnits.filter((u) => u.level === 'DISTRICT');
    const legacyCommunes = legacyUnits.filter((u) => u.level === 'COMMUNE');
    expect(legacyProvinces).toHaveLength(63);
    expect(districts.length).toBeGreaterThan(600);
    expect(districts.length).toBeLessThan(800);
    expect(legacyCommunes.length).toBeGreaterThan(9000);
    expect(legacyCommunes.length).toBeLessThan(11000);

    const unitCodes = new Set(units.map((u) => u.code));
    const provinceCodes = new Set(provinces.map((p) => p.code));
    const districtCodes = new Set(districts.map((d) => d.code));
    expect(violations(legacyProvinces, (p) => provinceCodes.has(p.successor_code))).toEqual([]);
    expect(
      violations(
        districts,
        (d) => unitCodes.has(d.successor_code) && /^\d{3}$/.test(d.code as string),
      ),
    ).toEqual([]);
    expect(
      violations(
        legacyCommunes,
        (c) =>
          IDENTIFIER_PATTERNS.communeCode.test(c.code as string) &&
          districtCodes.has(c.parent_code) &&
          unitCodes.has(c.successor_code),
      ),
    ).toEqual([]);
    expect(
      violations(
        communes,
        (c) =>
          IDENTIFIER_PATTERNS.communeCode.test(c.code as string) &&
          provinceCodes.has(c.province_code) &&
          /^(Phường|Xã|Đặc khu) \S/.test(c.name as string),
      ),
    ).toEqual([]);
    // A current commune keeps the code of a commune it merged (island districts that had no
    // communes aside), so that code's successor is the commune itself.
    const successorOf = new Map(legacyCommunes.map((c) => [c.code, c.successor_code]));
    const kept = communes.filter((c) => successorOf.has(c.code));
    expect(communes.length - kept.length).toBeLessThanOrEqual(4);
    expect(violations(kept, (c) => successorOf.get(c.code) === c.code)).toEqual([]);
  });

  test('writes identifiers in the contract formats', () => {
    expect(
      violations(citizens, (c) => {
        const parts = parseCitizenId(c.id as string);
        return (
          parts !== null &&
          parts.provinceCode === c.birth_province_code &&
          parts.sex === c.sex &&
          parts.birthYear === Number((c.date_of_birth as string).slice(0, 4))
        );
      }),
    ).toEqual([]);
    const formats: [TableName, string, RegExp][] = [
      ['population.citizens', 'id', IDENTIFIER_PATTERNS.citizenId],
      ['enterprise.enterprises', 'code', IDENTIFIER_PATTERNS.enterpriseCode],
      ['enterprise.branches', 'code', IDENTIFIER_PATTERNS.branchCode],
      [
        'insurance.insurance_records',
        'social_insurance_number',
        IDENTIFIER_PATTERNS.socialInsuranceNumber,
      ],
      ['insurance.health_cards', 'card_number', IDENTIFIER_PATTERNS.healthCardNumber],
      ['land.parcels', 'id', IDENTIFIER_PATTERNS.landParcelId],
      ['civil_service.civil_servants', 'code', IDENTIFIER_PATTERNS.civilServantCode],
    ];
    for (const [table, column, pattern] of formats) {
      expect([table, violations(rows(table), (r) => pattern.test(r[column] as string))]).toEqual([
        table,
        [],
      ]);
    }
    expect(
      violations(rows('enterprise.branches'), (b) =>
        (b.code as string).startsWith(`${b.enterprise_code}-`),
      ),
    ).toEqual([]);
    expect(
      violations(
        rows('insurance.health_cards'),
        (h) =>
          h.card_number ===
          `${h.beneficiary_group}${h.benefit_level}${h.province_code}${h.social_insurance_number}`,
      ),
    ).toEqual([]);
    expect(
      violations(
        rows('land.parcels'),
        (p) => p.id === `${p.commune_code}-${p.map_sheet}-${p.parcel_number}`,
      ),
    ).toEqual([]);
    const keys: [TableName, string][] = [
      ['population.citizens', 'id'],
      ['population.households', 'id'],
      ['enterprise.enterprises', 'code'],
      ['land.parcels', 'id'],
      ['land.certificates', 'serial'],
      ['land.mortgages', 'id'],
      ['insurance.insurance_records', 'social_insurance_number'],
      ['insurance.health_cards', 'card_number'],
      ['civil_service.civil_servants', 'code'],
    ];
    for (const [table, key] of keys) {
      const values = rows(table).map((r) => r[key]);
      expect([table, new Set(values).size]).toEqual([table, values.length]);
    }
  });

  test('stores names in Unicode NFC with Vietnamese diacritics', () => {
    const strings = TABLE_NAMES.flatMap((table) =>
      data[table].flat().filter((v): v is string => typeof v === 'string'),
    );
    expect(violations(strings, (s) => s === s.normalize('NFC'))).toEqual([]);
    const names = citizens.map((c) => c.full_name as string);
    const withDiacritics = names.filter((n) => /[\u0300-\u036fđĐ]/.test(n.normalize('NFD')));
    expect(withDiacritics.length / names.length).toBeGreaterThan(0.95);
    const nguyen = names.filter((n) => n.startsWith('Nguyễn ')).length / names.length;
    expect(nguyen).toBeGreaterThan(0.25);
    expect(nguyen).toBeLessThan(0.5);
  });

  test('links citizens to households, parents and spouses that exist', () => {
    const households = new Map(rows('population.households').map((h) => [h.id, h]));
    const unitByCode = new Map(units.map((u) => [u.code, u]));
    const legacyByCode = new Map(legacyUnits.map((u) => [u.code, u]));
    expect(
      violations(
        households.values(),
        (h) => citizenById.get(h.head_citizen_id)?.household_id === h.id,
      ),
    ).toEqual([]);
    expect(
      violations(
        citizens,
        (c) =>
          households.get(c.household_id)?.commune_code === c.permanent_commune_code &&
          unitByCode.get(c.permanent_commune_code)?.level === 'COMMUNE' &&
          unitByCode.has(c.hometown_commune_code) &&
          (c.temporary_commune_code === null || unitByCode.has(c.temporary_commune_code)),
      ),
    ).toEqual([]);
    // The pre-2025 address is kept exactly for registrations before the reorganisation.
    expect(
      violations(citizens, (c) =>
        (c.permanent_registered_on as string) < '2025-07-01'
          ? legacyByCode.get(c.permanent_legacy_commune_code)?.successor_code ===
            c.permanent_commune_code
          : c.permanent_legacy_commune_code === null,
      ),
    ).toEqual([]);
    const olderParent = (parentId: Value, child: Fields, sex: string): boolean => {
      if (parentId === null) return true;
      const parent = citizenById.get(parentId);
      return (
        parent !== undefined &&
        parent.sex === sex &&
        (parent.date_of_birth as string) < (child.date_of_birth as string)
      );
    };
    expect(
      violations(
        citizens,
        (c) => olderParent(c.father_id, c, 'MALE') && olderParent(c.mother_id, c, 'FEMALE'),
      ),
    ).toEqual([]);
    expect(
      citizens.filter((c) => c.father_id !== null || c.mother_id !== null).length,
    ).toBeGreaterThan(500);
    expect(
      violations(
        citizens,
        (c) => c.spouse_id === null || citizenById.get(c.spouse_id)?.spouse_id === c.id,
      ),
    ).toEqual([]);
    expect(
      violations(rows('population.identity_cards'), (card) => citizenById.has(card.citizen_id)),
    ).toEqual([]);
  });

  test('links enterprises, land, insurance and civil servants to records that exist', () => {
    const people = rows('enterprise.enterprise_people');
    expect(
      violations(
        people,
        (p) =>
          enterprises.has(p.enterprise_code) && citizenById.get(p.citizen_id)?.died_on === null,
      ),
    ).toEqual([]);
    expect(
      violations(enterprises, (code) => {
        const roles = people.filter((p) => p.enterprise_code === code);
        const owners = roles.filter((p) => p.role !== 'LEGAL_REPRESENTATIVE').length;
        return (
          roles.filter((p) => p.role === 'LEGAL_REPRESENTATIVE').length === 1 &&
          owners >= 1 &&
          owners <= 3
        );
      }),
    ).toEqual([]);
    const industries = new Set(rows('enterprise.industry_codes').map((i) => i.code));
    expect(
      violations(
        rows('enterprise.enterprise_business_lines'),
        (line) => enterprises.has(line.enterprise_code) && industries.has(line.industry_code),
      ),
    ).toEqual([]);

    const parcels = new Set(rows('land.parcels').map((p) => p.id));
    const certificates = new Map(rows('land.certificates').map((c) => [c.serial, c.parcel_id]));
    const holders = rows('land.holders');
    expect(
      violations(
        holders,
        (h) =>
          parcels.has(h.parcel_id) &&
          certificates.get(h.certificate_serial) === h.parcel_id &&
          (h.holder_kind === 'CITIZEN'
            ? citizenById.has(h.holder_id)
            : enterprises.has(h.holder_id)),
      ),
    ).toEqual([]);
    expect(holders.some((h) => h.holder_kind === 'ENTERPRISE')).toBe(true);
    expect(violations(rows('land.mortgages'), (m) => parcels.has(m.parcel_id))).toEqual([]);

    const insurance = rows('insurance.insurance_records');
    const records = new Set(insurance.map((r) => r.social_insurance_number));
    expect(violations(insurance, (r) => citizenById.has(r.citizen_id))).toEqual([]);
    expect(
      violations(
        rows('insurance.contributions'),
        (c) =>
          records.has(c.social_insurance_number) &&
          enterprises.has(c.employer_code) &&
          (c.to_month === null || (c.from_month as string) <= (c.to_month as string)),
      ),
    ).toEqual([]);
    expect(
      violations(rows('insurance.health_cards'), (card) =>
        records.has(card.social_insurance_number),
      ),
    ).toEqual([]);

    const agencies = new Set(rows('civil_service.agencies').map((a) => a.code));
    const ranks = new Set(rows('civil_service.ranks').map((r) => r.code));
    expect(
      violations(
        rows('civil_service.civil_servants'),
        (s) =>
          citizenById.has(s.citizen_id) && agencies.has(s.agency_code) && ranks.has(s.rank_code),
      ),
    ).toEqual([]);
  });

  test('keeps the insurance record of a person who died, closed at the death', () => {
    // Enough people for a few dozen deaths among the elderly.
    const many = generateAll({ citizens: 20_000, seed: 7 });
    const all = (table: TableName): Fields[] => rowObjects(table, many[table]);
    const diedOn = new Map(
      all('population.citizens')
        .filter((c) => c.died_on !== null)
        .map((c) => [c.id, c.died_on as string]),
    );
    const records = all('insurance.insurance_records');
    const deathOf = new Map(
      records.flatMap((r) =>
        diedOn.has(r.citizen_id) ? [[r.social_insurance_number, diedOn.get(r.citizen_id)!]] : [],
      ),
    );
    const deceased = records.filter((r) => r.status === 'DECEASED');
    expect(deceased.length).toBeGreaterThan(0);
    // Only the dead are DECEASED; a record settled before the death (CLOSED) stays as it was.
    expect(
      violations(records, (r) =>
        diedOn.has(r.citizen_id)
          ? ['DECEASED', 'CLOSED'].includes(r.status as string)
          : r.status !== 'DECEASED',
      ),
    ).toEqual([]);
    // The record changed when the death was reported; nothing was paid, or valid, after it.
    expect(
      violations(
        deceased,
        (r) =>
          new Date(r.updated_at as string).toISOString().slice(0, 10) >=
          deathOf.get(r.social_insurance_number)!,
      ),
    ).toEqual([]);
    expect(
      violations(all('insurance.contributions'), (c) => {
        const death = deathOf.get(c.social_insurance_number);
        return !death || (c.to_month !== null && (c.to_month as string) <= death);
      }),
    ).toEqual([]);
    expect(
      violations(all('insurance.health_cards'), (card) => {
        const death = deathOf.get(card.social_insurance_number);
        return (
          !death || ((card.valid_from as string) <= death && (card.valid_to as string) <= death)
        );
      }),
    ).toEqual([]);
  });

  test('samples identifiers that exist, the richest subjects first', () => {
    const samples = sampleIdentifiers(SMALL);
    const exists: Record<keyof typeof samples, Set<Value>> = {
      citizens: new Set(citizenById.keys()),
      enterprises,
      landParcels: new Set(rows('land.parcels').map((p) => p.id)),
      insuranceRecords: new Set(
        rows('insurance.insurance_records').map((r) => r.social_insurance_number),
      ),
      civilServants: new Set(rows('civil_service.civil_servants').map((s) => s.code)),
    };
    for (const kind of Object.keys(exists) as (keyof typeof samples)[]) {
      expect([
        kind,
        samples[kind].length >= 5,
        violations(samples[kind], (id) => exists[kind].has(id)),
      ]).toEqual([kind, true, []]);
    }
    const top = samples.citizens[0];
    expect(rows('enterprise.enterprise_people').some((p) => p.citizen_id === top)).toBe(true);
    expect(rows('land.holders').some((h) => h.holder_id === top)).toBe(true);
  });
});

describe('seeding the embedded database', () => {
  let connections: Connections | undefined;

  beforeAll(async () => {
    // PGlite loads its WebAssembly through a dynamic import, which jest's VM only allows with
    // this flag (`npm test` sets it); without it the worker would crash instead of failing.
    const flag = '--experimental-vm-modules';
    if (!(process.env.NODE_OPTIONS ?? '').includes(flag) && !process.execArgv.includes(flag)) {
      throw new Error(
        `run with NODE_OPTIONS=${flag} (as npm test does) to start the embedded database`,
      );
    }
    const databaseUrls = Object.fromEntries(
      NATIONAL_DATABASES.map((name) => [name, undefined]),
    ) as Record<DatabaseName, string | undefined>;
    connections = await openConnections({ databaseUrls, poolSize: 1, sourceTimeoutMs: 2000 });
  });

  afterAll(async () => {
    await connections?.close();
  });

  test('loads every table and the sample identifiers', async () => {
    const { knexFor } = connections as Connections;
    const options = { citizens: 3000, seed: 2025 };
    const progress: number[] = [];
    await seedNationalDatabases(knexFor, { ...options, onProgress: (done) => progress.push(done) });
    expect(progress[progress.length - 1]).toBe(3000);

    const expected = generateAll(options);
    const db = knexFor('population');
    const count = async (sql: string, bindings: unknown[] = []): Promise<number> =>
      (await db.raw<{ rows: { n: number }[] }>(sql, bindings as never[])).rows[0].n;
    for (const table of TABLE_NAMES) {
      expect([table, await count(`SELECT count(*)::int AS n FROM ${table}`)]).toEqual([
        table,
        expected[table].length,
      ]);
    }
    const samples = sampleIdentifiers(options);
    const lookups: [keyof typeof samples, string, string][] = [
      ['citizens', 'population.citizens', 'id'],
      ['enterprises', 'enterprise.enterprises', 'code'],
      ['landParcels', 'land.parcels', 'id'],
      ['insuranceRecords', 'insurance.insurance_records', 'social_insurance_number'],
      ['civilServants', 'civil_service.civil_servants', 'code'],
    ];
    for (const [kind, table, key] of lookups) {
      const found = await count(`SELECT count(*)::int AS n FROM ${table} WHERE ${key} = ANY(?)`, [
        samples[kind],
      ]);
      expect([kind, found]).toEqual([kind, samples[kind].length]);
    }
    // The next contribution gets an id after the generated ones.
    const next = await count(
      `SELECT nextval(pg_get_serial_sequence('insurance.contributions', 'id'))::int AS n`,
    );
    expect(next).toBe(expected['insurance.contributions'].length + 1);

    // Seeding again replaces the data rather than adding to it.
    await seedNationalDatabases(knexFor, { citizens: 200, seed: 1 });
    expect(await count('SELECT count(*)::int AS n FROM population.citizens')).toBe(200);
  });
});
