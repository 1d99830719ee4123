import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { SourceUnavailableError } from '../adapters/source';
import type { Context } from '../src/context';
import { loadTypeDefs } from '../src/schema';
import {
  APPLICANT_PROVIDES,
  prefill as prefillWith,
  CATALOGUE_DIR,
  CatalogueError,
  loadCatalogue,
  procedureCatalogue,
  sdlSchema,
  type ProcedureDefinition,
} from '../src/procedures';
import { catalogueTable, END, isStale, replaceSection, START } from '../scripts/catalogue-table';
import {
  countCalls,
  startTestGateway,
  type GraphQLErrorBody,
  type TestGateway,
} from './support/gateway';

/** Loosely typed SQL rows; each oracle names the columns it reads. */
type Row = Record<string, unknown>;
type Value = string | (string | null)[] | null;

interface PrefillFieldBody {
  key: string;
  value: Value;
  available: boolean;
  verified: boolean;
  unavailableCause: string | null;
  unavailableReason: string | null;
  source: { database: string; updatedAt: string } | null;
}

interface PrefillBody {
  subjectId: string;
  subjectFound: boolean | null;
  fields: PrefillFieldBody[];
  replacedDocuments: { name: string }[];
  stillRequiredDocuments: { name: string }[];
}

interface CheckBody {
  allMatch: boolean;
  fields: {
    key: string;
    status: string;
    declaredValue: unknown;
    nationalValue: Value;
    reason: string | null;
  }[];
}

const PREFILL = `query ($code: ID!, $id: ID!) { prefill(procedureCode: $code, subjectId: $id) {
  subjectId subjectFound
  fields { key value available verified unavailableCause unavailableReason source { database updatedAt } }
  replacedDocuments { name } stillRequiredDocuments { name }
} }`;

const CHECK = `query ($code: ID!, $id: ID!, $values: JSON!) { checkDeclaration(procedureCode: $code, subjectId: $id, values: $values) {
  allMatch fields { key status declaredValue nationalValue reason }
} }`;

const catalogue = procedureCatalogue();
let t: TestGateway;

/** A procedure system calls with the procedure as its purpose. */
const asProcedure = (code: string, headers: Record<string, string> = {}) => ({
  'x-purpose': code,
  ...headers,
});

async function prefill(
  code: string,
  id: string,
  headers: Record<string, string> = {},
): Promise<{ data?: PrefillBody; errors?: GraphQLErrorBody[] }> {
  const { body } = await t.graphql<{ prefill: PrefillBody }>(
    PREFILL,
    { code, id },
    asProcedure(code, headers),
  );
  return { data: body.data?.prefill, errors: body.errors };
}

async function check(
  code: string,
  id: string,
  values: unknown,
): Promise<{ data?: CheckBody; errors?: GraphQLErrorBody[] }> {
  const { body } = await t.graphql<{ checkDeclaration: CheckBody }>(
    CHECK,
    { code, id, values },
    asProcedure(code),
  );
  return { data: body.data?.checkDeclaration, errors: body.errors };
}

// ---------------------------------------------------------------------------------------------
// What the national databases hold, read with SQL straight from each source: the oracle that
// every pre-filled value is compared with.

interface Expected {
  value: Value;
  database: string;
  updatedAt: string | null;
  /** The source orders the list by a key that may tie, so compare the entries as a set. */
  unordered?: boolean;
}

type Oracle = (id: string) => Promise<Expected>;

const iso = (value: unknown) => new Date(value as string).toISOString();

async function select(database: string, sql: string, bindings: unknown[] = []): Promise<Row[]> {
  return (await t.db(database as 'population').raw(sql, bindings as never[])).rows as Row[];
}

async function first(
  database: string,
  sql: string,
  bindings: unknown[] = [],
): Promise<Row | undefined> {
  return (await select(database, sql, bindings))[0];
}

function single(value: unknown, database: string, updatedAt: unknown): Expected {
  return value === null || value === undefined
    ? { value: null, database, updatedAt: null }
    : { value: String(value), database, updatedAt: iso(updatedAt) };
}

/** One entry per record, null where the record has none; the latest change speaks for the list. */
function list(
  entries: { value: unknown; updatedAt: unknown }[],
  database: string,
  unordered = false,
): Expected {
  const present = entries.filter((entry) => entry.value !== null && entry.value !== undefined);
  if (present.length === 0) return { value: null, database, updatedAt: null };
  const latest = Math.max(...present.map((entry) => new Date(entry.updatedAt as string).getTime()));
  return {
    value: entries.map((entry) =>
      entry.value === null || entry.value === undefined ? null : String(entry.value),
    ),
    database,
    updatedAt: new Date(latest).toISOString(),
    unordered,
  };
}

async function unit(code: unknown): Promise<Row | undefined> {
  return code
    ? first(
        'reference',
        `SELECT code, name, province_code, updated_at FROM reference.units WHERE code = ?`,
        [code],
      )
    : undefined;
}

async function addressText(street: unknown, communeCode: unknown): Promise<string> {
  const commune = await unit(communeCode);
  const province = await unit(commune?.province_code);
  return [street, commune?.name, province?.name].filter(Boolean).join(', ');
}

async function legacyAddressText(street: unknown, legacyCode: unknown): Promise<string> {
  const legacy = (code: unknown) =>
    code
      ? first('reference', `SELECT name, parent_code FROM reference.legacy_units WHERE code = ?`, [
          code,
        ])
      : undefined;
  const commune = await legacy(legacyCode);
  const district = await legacy(commune?.parent_code);
  const province = await legacy(district?.parent_code);
  return [street, commune?.name, district?.name, province?.name].filter(Boolean).join(', ');
}

const citizenRow = (id: string) =>
  first('population', `SELECT * FROM population.citizens WHERE id = ?`, [id]);

const citizenColumn =
  (expression: string): Oracle =>
  async (id) => {
    const row = await first(
      'population',
      `SELECT ${expression} AS v, updated_at FROM population.citizens WHERE id = ?`,
      [id],
    );
    return single(row?.v, 'POPULATION', row?.updated_at);
  };

const relative =
  (column: string, field: string): Oracle =>
  async (id) => {
    const row = await first(
      'population',
      `SELECT r.${field} AS v, r.updated_at FROM population.citizens c JOIN population.citizens r ON r.id = c.${column} WHERE c.id = ?`,
      [id],
    );
    return single(row?.v, 'POPULATION', row?.updated_at);
  };

const identityCard =
  (expression: string): Oracle =>
  async (id) => {
    const row = await first(
      'population',
      `SELECT ${expression} AS v, updated_at FROM population.identity_cards WHERE citizen_id = ?`,
      [id],
    );
    return single(row?.v, 'POPULATION', row?.updated_at);
  };

/** The current unit of a code; a pre-2025 code is followed to the unit that replaced it. */
async function currentUnit(code: unknown): Promise<Row | undefined> {
  let found = await unit(code);
  let legacy =
    found || !code
      ? undefined
      : await first(
          'reference',
          `SELECT successor_code FROM reference.legacy_units WHERE code = ?`,
          [code],
        );
  for (let hop = 0; !found && legacy && hop < 4; hop++) {
    found = await unit(legacy.successor_code);
    legacy = found
      ? undefined
      : await first(
          'reference',
          `SELECT successor_code FROM reference.legacy_units WHERE code = ?`,
          [legacy.successor_code],
        );
  }
  return found;
}

const unitName =
  (column: string): Oracle =>
  async (id) => {
    const found = await currentUnit((await citizenRow(id))?.[column]);
    return single(found?.name, 'REFERENCE', found?.updated_at);
  };

async function landRights(id: string): Promise<Row[]> {
  return select(
    'land',
    `SELECT h.certificate_serial, h.share::float8 AS share, h.updated_at AS right_updated, p.id, p.area::float8 AS area,
       p.land_use_code, p.street, p.commune_code, p.updated_at AS parcel_updated
     FROM land.holders h JOIN land.parcels p ON p.id = h.parcel_id
     WHERE h.holder_kind = 'CITIZEN' AND h.holder_id = ? ORDER BY h.since, h.parcel_id`,
    [id],
  );
}

const land =
  (read: (row: Row) => unknown, stamp: 'right_updated' | 'parcel_updated'): Oracle =>
  async (id) =>
    list(
      await Promise.all(
        (await landRights(id)).map(async (row) => ({
          value: await read(row),
          updatedAt: row[stamp],
        })),
      ),
      'LAND',
    );

const insuranceRecord = (id: string) =>
  first(
    'insurance',
    `SELECT social_insurance_number, status, updated_at FROM insurance.insurance_records WHERE citizen_id = ?`,
    [id],
  );

const insurance =
  (column: string): Oracle =>
  async (id) => {
    const record = await insuranceRecord(id);
    return single(record?.[column], 'INSURANCE', record?.updated_at);
  };

async function contributions(id: string): Promise<Row[]> {
  const record = await insuranceRecord(id);
  if (!record) return [];
  return select(
    'insurance',
    `SELECT employer_code, from_month::text AS from_month, to_month::text AS to_month, updated_at FROM insurance.contributions
     WHERE social_insurance_number = ? ORDER BY from_month, id`,
    [record.social_insurance_number],
  );
}

async function healthCards(id: string): Promise<Row[]> {
  const record = await insuranceRecord(id);
  if (!record) return [];
  return select(
    'insurance',
    `SELECT card_number, registered_facility, valid_to::text AS valid_to, updated_at FROM insurance.health_cards
     WHERE social_insurance_number = ?`,
    [record.social_insurance_number],
  );
}

const card =
  (column: string): Oracle =>
  async (id) =>
    list(
      (await healthCards(id)).map((row) => ({ value: row[column], updatedAt: row.updated_at })),
      'INSURANCE',
      true,
    );

async function enterprisesOf(id: string): Promise<Row[]> {
  const roles = await select(
    'enterprise',
    `SELECT e.code, e.type_code, e.updated_at FROM enterprise.enterprise_people p JOIN enterprise.enterprises e ON e.code = p.enterprise_code
     WHERE p.citizen_id = ? ORDER BY p.since, p.enterprise_code`,
    [id],
  );
  return roles;
}

const enterpriseRow = (code: string) =>
  first(
    'enterprise',
    `SELECT e.*, e.founded_on::text AS founded, e.charter_capital::float8 AS capital, t.name AS type_name
     FROM enterprise.enterprises e JOIN enterprise.enterprise_types t ON t.code = e.type_code WHERE e.code = ?`,
    [code],
  );

const enterpriseColumn =
  (column: string): Oracle =>
  async (code) => {
    const row = await enterpriseRow(code);
    return single(row?.[column], 'ENTERPRISE', row?.updated_at);
  };

async function representatives(code: string): Promise<Row[]> {
  const ids = await select(
    'enterprise',
    `SELECT citizen_id FROM enterprise.enterprise_people WHERE enterprise_code = ? AND role = 'LEGAL_REPRESENTATIVE' ORDER BY since, citizen_id`,
    [code],
  );
  const people = await Promise.all(ids.map((row) => citizenRow(row.citizen_id as string)));
  return people.filter((person): person is Row => person !== undefined);
}

const taxpayerRow = (code: string) =>
  first(
    'finance',
    `SELECT t.tax_code, t.status, t.obligations_fulfilled, t.outstanding_amount::float8 AS outstanding,
       t.obligations_as_of::text AS as_of, t.updated_at, o.name AS office
     FROM finance.taxpayers t JOIN finance.tax_offices o ON o.code = t.tax_office_code WHERE t.tax_code = ?`,
    [code],
  );

/** The subject's own tax record: a person's tax code is their citizen id, an enterprise's its code. */
const taxpayer =
  (column: string): Oracle =>
  async (code) => {
    const row = await taxpayerRow(code);
    return single(row?.[column], 'FINANCE', row?.updated_at);
  };

const ORACLES: Record<string, Oracle> = {
  'Citizen.dateOfDeath': citizenColumn('died_on::text'),
  'Citizen.taxpayer.taxCode': taxpayer('tax_code'),
  'Citizen.taxpayer.taxOffice.name': taxpayer('office'),
  'Citizen.taxpayer.obligationsFulfilled': taxpayer('obligations_fulfilled'),
  'Enterprise.taxpayer.status': taxpayer('status'),
  'Enterprise.taxpayer.taxOffice.name': taxpayer('office'),
  'Enterprise.taxpayer.obligationsFulfilled': taxpayer('obligations_fulfilled'),
  'Enterprise.taxpayer.outstandingAmount': taxpayer('outstanding'),
  'Enterprise.taxpayer.obligationsAsOf': taxpayer('as_of'),
  'Citizen.id': citizenColumn('id'),
  'Citizen.fullName': citizenColumn('full_name'),
  'Citizen.dateOfBirth': citizenColumn('date_of_birth::text'),
  'Citizen.sex': citizenColumn('sex'),
  'Citizen.ethnicity': citizenColumn('ethnicity'),
  'Citizen.nationality': citizenColumn('nationality'),
  'Citizen.maritalStatus': citizenColumn('marital_status'),
  'Citizen.permanentResidenceSince': citizenColumn('permanent_registered_on::text'),
  'Citizen.identityCard.issuedOn': identityCard('issued_on::text'),
  'Citizen.identityCard.issuedBy': identityCard('issued_by'),
  'Citizen.permanentAddress.text': async (id) => {
    const row = await citizenRow(id);
    return single(
      row && (await addressText(row.permanent_street, row.permanent_commune_code)),
      'POPULATION',
      row?.updated_at,
    );
  },
  'Citizen.permanentAddress.legacy.text': async (id) => {
    const row = await citizenRow(id);
    const legacy = row?.permanent_legacy_commune_code
      ? await legacyAddressText(row.permanent_street, row.permanent_legacy_commune_code)
      : null;
    return single(legacy, 'POPULATION', row?.updated_at);
  },
  'Citizen.temporaryAddress.text': async (id) => {
    const row = await citizenRow(id);
    const text =
      row?.temporary_street && row.temporary_commune_code
        ? await addressText(row.temporary_street, row.temporary_commune_code)
        : null;
    return single(text, 'POPULATION', row?.updated_at);
  },
  'Citizen.birthRegistrationProvince.name': unitName('birth_province_code'),
  'Citizen.hometown.name': unitName('hometown_commune_code'),
  'Citizen.spouse.fullName': relative('spouse_id', 'full_name'),
  'Citizen.spouse.id': relative('spouse_id', 'id'),
  'Citizen.father.fullName': relative('father_id', 'full_name'),
  'Citizen.mother.fullName': relative('mother_id', 'full_name'),
  'Citizen.landRights.parcel.id': land((row) => row.id, 'parcel_updated'),
  'Citizen.landRights.parcel.area': land((row) => row.area, 'parcel_updated'),
  'Citizen.landRights.parcel.landUseCode': land((row) => row.land_use_code, 'parcel_updated'),
  'Citizen.landRights.parcel.address.text': land(
    (row) => addressText(row.street, row.commune_code),
    'parcel_updated',
  ),
  'Citizen.landRights.certificateSerial': land((row) => row.certificate_serial, 'right_updated'),
  'Citizen.landRights.share': land((row) => row.share, 'right_updated'),
  'Citizen.insurance.socialInsuranceNumber': insurance('social_insurance_number'),
  'Citizen.insurance.status': insurance('status'),
  'Citizen.insurance.contributionMonths': async (id) => {
    const record = await insuranceRecord(id);
    if (!record) return single(null, 'INSURANCE', null);
    const months = await first(
      'insurance',
      `SELECT coalesce(sum(greatest(0, (extract(year from coalesce(to_month, current_date)) - extract(year from from_month)) * 12
         + extract(month from coalesce(to_month, current_date)) - extract(month from from_month) + 1)), 0)::int AS months
       FROM insurance.contributions WHERE social_insurance_number = ?`,
      [record.social_insurance_number],
    );
    return single(months?.months, 'INSURANCE', record.updated_at);
  },
  'Citizen.insurance.contributions.employer.name': async (id) => {
    const periods = await contributions(id);
    const employers = await Promise.all(
      periods.map((period) => enterpriseRow(period.employer_code as string)),
    );
    return list(
      employers.map((employer) => ({ value: employer?.name, updatedAt: employer?.updated_at })),
      'ENTERPRISE',
    );
  },
  'Citizen.insurance.contributions.fromMonth': async (id) =>
    list(
      (await contributions(id)).map((row) => ({
        value: row.from_month,
        updatedAt: row.updated_at,
      })),
      'INSURANCE',
    ),
  'Citizen.insurance.contributions.toMonth': async (id) =>
    list(
      (await contributions(id)).map((row) => ({ value: row.to_month, updatedAt: row.updated_at })),
      'INSURANCE',
    ),
  'Citizen.insurance.healthInsuranceCards.number': card('card_number'),
  'Citizen.insurance.healthInsuranceCards.registeredFacility': card('registered_facility'),
  'Citizen.insurance.healthInsuranceCards.validTo': card('valid_to'),
  'Citizen.enterprises.enterprise.code': async (id) =>
    list(
      (await enterprisesOf(id)).map((row) => ({ value: row.code, updatedAt: row.updated_at })),
      'ENTERPRISE',
    ),
  'Citizen.enterprises.enterprise.type.code': async (id) =>
    list(
      (await enterprisesOf(id)).map((row) => ({ value: row.type_code, updatedAt: row.updated_at })),
      'ENTERPRISE',
    ),
  'Citizen.civilService.code': async (id) => {
    const row = await first(
      'civil_service',
      `SELECT code, updated_at FROM civil_service.civil_servants WHERE citizen_id = ?`,
      [id],
    );
    return single(row?.code, 'CIVIL_SERVICE', row?.updated_at);
  },
  'Enterprise.code': enterpriseColumn('code'),
  'Enterprise.name': enterpriseColumn('name'),
  'Enterprise.type.name': enterpriseColumn('type_name'),
  'Enterprise.foundedOn': enterpriseColumn('founded'),
  'Enterprise.status': enterpriseColumn('status'),
  'Enterprise.charterCapital': enterpriseColumn('capital'),
  'Enterprise.headOffice.text': async (code) => {
    const row = await enterpriseRow(code);
    return single(
      row && (await addressText(row.head_office_street, row.head_office_commune_code)),
      'ENTERPRISE',
      row?.updated_at,
    );
  },
  'Enterprise.representatives.fullName': async (code) =>
    list(
      (await representatives(code)).map((row) => ({
        value: row.full_name,
        updatedAt: row.updated_at,
      })),
      'POPULATION',
    ),
  'Enterprise.representatives.id': async (code) =>
    list(
      (await representatives(code)).map((row) => ({ value: row.id, updatedAt: row.updated_at })),
      'POPULATION',
    ),
  'Enterprise.businessLines.code': async (code) => {
    const row = await enterpriseRow(code);
    const lines = await select(
      'enterprise',
      `SELECT industry_code FROM enterprise.enterprise_business_lines WHERE enterprise_code = ? ORDER BY is_main DESC, industry_code`,
      [code],
    );
    return list(
      lines.map((line) => ({ value: line.industry_code, updatedAt: row?.updated_at })),
      'ENTERPRISE',
    );
  },
};

function sorted(value: Value): Value {
  return Array.isArray(value) ? [...value].sort() : value;
}

/** Strips diacritics, as a keyboard without Vietnamese input would type a name. */
function withoutDiacritics(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

// ---------------------------------------------------------------------------------------------

/** Sample subjects of the default data set, picked for what their records hold. */
const subjects: { CITIZEN: string[]; ENTERPRISE: string[] } = { CITIZEN: [], ENTERPRISE: [] };
/** A representative who holds land and is insured: a prefill reaching three databases. */
let rich: string;
/**
 * A married parent with an identity card, land and a health insurance card: the birth bundle
 * reads the person, the spouse and the card from population, the cards from insurance.
 */
let parent: string;
/** A deceased person who was insured: the death bundle reads population and insurance. */
let deceasedInsured: string | undefined;

async function ids(database: string, sql: string): Promise<string[]> {
  return (await select(database, sql)).map((row) => row.id as string);
}

describe('procedures over the national databases', () => {
  beforeAll(async () => {
    t = await startTestGateway();
    const holders = new Set(
      await ids(
        'land',
        `SELECT holder_id AS id FROM land.holders WHERE holder_kind = 'CITIZEN' ORDER BY holder_id`,
      ),
    );
    const insured = await ids(
      'insurance',
      `SELECT DISTINCT r.citizen_id AS id FROM insurance.insurance_records r
       JOIN insurance.contributions c ON c.social_insurance_number = r.social_insurance_number
       JOIN insurance.health_cards h ON h.social_insurance_number = r.social_insurance_number ORDER BY 1`,
    );
    const representativesList = new Set(
      await ids(
        'enterprise',
        `SELECT citizen_id AS id FROM enterprise.enterprise_people WHERE role = 'LEGAL_REPRESENTATIVE'`,
      ),
    );
    rich =
      insured.find((id) => holders.has(id) && representativesList.has(id)) ??
      insured.find((id) => holders.has(id)) ??
      insured[0];
    const picks = [
      rich,
      insured[0],
      ...(await ids(
        'population',
        `SELECT c.id FROM population.citizens c JOIN population.identity_cards i ON i.citizen_id = c.id
         WHERE c.spouse_id IS NOT NULL AND c.permanent_legacy_commune_code IS NOT NULL ORDER BY c.id LIMIT 1`,
      )),
      ...(await ids(
        'population',
        `SELECT id FROM population.citizens WHERE temporary_street IS NOT NULL AND father_id IS NOT NULL AND mother_id IS NOT NULL ORDER BY id LIMIT 1`,
      )),
      ...(await ids(
        'population',
        `SELECT id FROM population.citizens WHERE permanent_legacy_commune_code IS NULL ORDER BY id LIMIT 1`,
      )),
      ...(await ids(
        'civil_service',
        `SELECT citizen_id AS id FROM civil_service.civil_servants ORDER BY code LIMIT 1`,
      )),
      ...(await ids('population', `SELECT min(id) AS id FROM population.citizens`)),
      // Born in a province merged on 1 July 2025: the name must be that of the province that replaced it.
      ...(await ids(
        'population',
        `SELECT min(id) AS id FROM population.citizens WHERE birth_province_code NOT IN (SELECT code FROM reference.units)`,
      )),
    ];
    // A deceased person with a social insurance record: the death bundle reaches both databases.
    const recorded = new Set(
      await ids('insurance', `SELECT citizen_id AS id FROM insurance.insurance_records`),
    );
    const deceased = await ids(
      'population',
      `SELECT id FROM population.citizens WHERE died_on IS NOT NULL ORDER BY id`,
    );
    deceasedInsured = deceased.find((id) => recorded.has(id));
    picks.push(deceasedInsured ?? deceased[0]);
    const withCards = new Set(
      await ids(
        'insurance',
        `SELECT r.citizen_id AS id FROM insurance.insurance_records r
         JOIN insurance.health_cards h ON h.social_insurance_number = r.social_insurance_number`,
      ),
    );
    const married = await ids(
      'population',
      `SELECT c.id FROM population.citizens c JOIN population.identity_cards i ON i.citizen_id = c.id
       WHERE c.spouse_id IS NOT NULL AND c.died_on IS NULL ORDER BY c.id`,
    );
    parent =
      married.find((id) => withCards.has(id) && holders.has(id)) ??
      married.find((id) => withCards.has(id)) ??
      rich;
    picks.push(parent);
    subjects.CITIZEN = [...new Set(picks.filter(Boolean))];
    subjects.ENTERPRISE = await ids(
      'enterprise',
      `(SELECT code AS id FROM enterprise.enterprises ORDER BY code LIMIT 1)
       UNION (SELECT enterprise_code FROM enterprise.enterprise_people WHERE role = 'LEGAL_REPRESENTATIVE'
              GROUP BY enterprise_code ORDER BY count(*) DESC, enterprise_code LIMIT 1)
       UNION (SELECT enterprise_code FROM enterprise.enterprise_business_lines
              GROUP BY enterprise_code ORDER BY count(*) DESC, enterprise_code LIMIT 1)`,
    );
  });

  afterAll(() => t.close());

  describe('the catalogue', () => {
    it('lists at least 30 procedures of both subject kinds and two bundles, each with its legal basis, documents and sources', async () => {
      const { body } = await t.graphql<{
        procedures: {
          code: string;
          subjectKind: string;
          nationalCode: string | null;
          nationalCodeNote: string | null;
          bundle: boolean;
          components: { code: string }[];
          legalBasis: { title: string; number: string | null }[];
          checked: { source: string; confirms: string }[];
          fields: { key: string; label: string; path: string | null }[];
          documents: { name: string; replaceable: boolean; onlineForm: boolean }[];
          documentsReplaced: number;
          documentsTotal: number;
          completableOnline: boolean;
        }[];
      }>(
        `{ procedures { code name nameEn nationalCode nationalCodeNote bundle components { code } subjectKind
           legalBasis { title number } fields { key label path multiple } checked { source confirms }
           documents { name replaceable onlineForm fields { key } } documentsReplaced documentsTotal completableOnline } }`,
      );
      expect(body.errors).toBeUndefined();
      const procedures = body.data!.procedures;
      const singles = procedures.filter((p) => !p.bundle);
      expect(singles.length).toBeGreaterThanOrEqual(30);
      expect(procedures.filter((p) => p.bundle).length).toBeGreaterThanOrEqual(2);
      expect(new Set(procedures.map((p) => p.subjectKind))).toEqual(
        new Set(['CITIZEN', 'ENTERPRISE']),
      );
      for (const procedure of procedures) {
        expect(procedure.legalBasis.length).toBeGreaterThan(0);
        expect(procedure.documentsTotal).toBe(procedure.documents.length);
        expect(procedure.documentsReplaced).toBe(
          procedure.documents.filter((d) => d.replaceable).length,
        );
        // Every form asks for something no database holds, and some component stays on paper.
        expect(procedure.fields.some((f) => f.path === null)).toBe(true);
        expect(procedure.documents.some((d) => !d.replaceable)).toBe(true);
        // A national code, or a note saying why there is none; and where the facts were checked.
        expect(procedure.nationalCode !== null || procedure.nationalCodeNote !== null).toBe(true);
        expect(procedure.checked.length).toBeGreaterThan(0);
        expect(procedure.completableOnline).toBe(
          procedure.documents.every((d) => d.onlineForm || d.replaceable),
        );
        expect(procedure.bundle).toBe(procedure.components.length > 0);
      }
      expect(procedures.map((p) => p.code)).toEqual(
        expect.arrayContaining([
          'BIRTH_REGISTRATION',
          'PERMANENT_RESIDENCE_REGISTRATION',
          'MARRIAGE_REGISTRATION',
          'HOUSEHOLD_BUSINESS_REGISTRATION',
          'ENTERPRISE_ESTABLISHMENT_REGISTRATION',
          'LAND_TRANSFER_REGISTRATION',
          'LAND_CERTIFICATE_FIRST_ISSUANCE',
          'UNEMPLOYMENT_BENEFIT',
          'HEALTH_INSURANCE_CARD_REISSUE',
          'JUDICIAL_RECORD_CERTIFICATE',
          'CIVIL_SERVANT_RECRUITMENT',
          'ENTERPRISE_REGISTRATION_CHANGE',
          'TEMPORARY_RESIDENCE_REGISTRATION',
          'DEATH_REGISTRATION',
          'MARITAL_STATUS_CONFIRMATION',
          'PENSION_SOCIAL_INSURANCE',
          'LUMP_SUM_SOCIAL_INSURANCE',
          'SOCIAL_INSURANCE_BOOK_REISSUE',
          'DRIVING_LICENCE_RENEWAL',
          'PASSPORT_ISSUANCE',
          'HOUSEHOLD_BUSINESS_REGISTRATION_CHANGE',
          'BIRTH_RESIDENCE_HEALTH_CARD_UNDER_6',
          'DEATH_RESIDENCE_FUNERAL',
        ]),
      );
      // Corrections: setting up a household business is 1.001612 (2.000720 is the change), and
      // judicial records are issued by the provincial police under 3.000333.
      const byCode = new Map(procedures.map((p) => [p.code, p]));
      expect(byCode.get('HOUSEHOLD_BUSINESS_REGISTRATION')!.nationalCode).toBe('1.001612');
      expect(byCode.get('HOUSEHOLD_BUSINESS_REGISTRATION_CHANGE')!.nationalCode).toBe('2.000720');
      expect(byCode.get('JUDICIAL_RECORD_CERTIFICATE')!.nationalCode).toBe('3.000333');
      expect(byCode.get('BIRTH_RESIDENCE_HEALTH_CARD_UNDER_6')!.nationalCode).toBe('3.000722');
      const numbers = (code: string) => byCode.get(code)!.legalBasis.map((law) => law.number);
      expect(numbers('UNEMPLOYMENT_BENEFIT')).toEqual(['74/2025/QH15', '374/2025/NĐ-CP']);
      expect(numbers('ENTERPRISE_ESTABLISHMENT_REGISTRATION')).toEqual(
        expect.arrayContaining(['76/2025/QH15', '68/2025/TT-BTC']),
      );
      expect(numbers('CIVIL_SERVANT_RECRUITMENT')).toEqual(['80/2025/QH15', '170/2025/NĐ-CP']);
    });

    it('finds a procedure by its code or its national procedure code', async () => {
      const { body } = await t.graphql<{ a: { code: string }; b: { code: string } }>(
        `{ a: procedure(code: "BIRTH_REGISTRATION") { code } b: procedure(code: "1.001193") { code } }`,
      );
      expect(body.errors).toBeUndefined();
      expect(body.data).toEqual({
        a: { code: 'BIRTH_REGISTRATION' },
        b: { code: 'BIRTH_REGISTRATION' },
      });
    });

    it('has an oracle in this test for every path the catalogue binds', () => {
      const paths = new Set(
        catalogue.procedures.flatMap((p) => p.fields.flatMap((f) => (f.path ? [f.path] : []))),
      );
      expect([...paths].filter((p) => !ORACLES[p])).toEqual([]);
    });
  });

  describe('prefill', () => {
    it('gives every field of every procedure exactly as the national databases hold it, with its source', async () => {
      // Differences are collected, not thrown, so one run reports every field that is off.
      const differences: string[] = [];
      const compare = (context: string, got: unknown, want: unknown) => {
        // Both sides are built with the same key order; JSON compares values across realms.
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          differences.push(
            `${context}: got ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`,
          );
        }
      };
      const seen = new Set<string>();
      const oracleAnswers = new Map<string, Promise<Expected>>();
      for (const procedure of catalogue.procedures) {
        for (const id of subjects[procedure.subjectKind]) {
          let result: Awaited<ReturnType<typeof prefill>> = {};
          const calls = await countCalls(async () => {
            result = await prefill(procedure.code, id);
          });
          const { data, errors } = result;
          expect(errors).toBeUndefined();
          // Whatever it reads, a form reads each national database in exactly one call. The
          // administrative units are reference data, cached across requests and read as needed.
          for (const [database, count] of Object.entries(calls)) {
            if (database !== 'reference' && count !== 1)
              differences.push(`${procedure.code} for ${id}: ${count} calls to ${database}`);
          }
          expect(data!.subjectId).toBe(id);
          expect(data!.subjectFound).toBe(true);
          expect(data!.fields.map((f) => f.key)).toEqual(procedure.fields.map((f) => f.key));
          const available = new Set<string>();
          for (const [index, field] of procedure.fields.entries()) {
            const got = data!.fields[index];
            const { value, available: has, verified, unavailableCause, source } = got;
            const context = `${procedure.code}.${field.key} for ${id}`;
            if (!field.path) {
              compare(
                context,
                { value, has, verified, unavailableCause, reason: got.unavailableReason },
                {
                  value: null,
                  has: false,
                  verified: false,
                  unavailableCause: 'APPLICANT_PROVIDES',
                  reason: APPLICANT_PROVIDES,
                },
              );
              continue;
            }
            // Procedures share paths: each (path, subject) is read from its source once.
            const memo = `${field.path}|${id}`;
            if (!oracleAnswers.has(memo)) oracleAnswers.set(memo, ORACLES[field.path](id));
            const expected = await oracleAnswers.get(memo)!;
            if (expected.value === null) {
              compare(
                context,
                { value, has, verified, unavailableCause, source },
                {
                  value: null,
                  has: false,
                  verified: false,
                  unavailableCause: 'NO_VALUE',
                  source: null,
                },
              );
              continue;
            }
            available.add(field.key);
            seen.add(`${procedure.code}.${field.key}`);
            compare(
              context,
              {
                value: expected.unordered ? sorted(value) : value,
                has,
                verified,
                unavailableCause,
                source,
              },
              {
                value: expected.unordered ? sorted(expected.value) : expected.value,
                has: true,
                verified: true,
                unavailableCause: null,
                source: { database: expected.database, updatedAt: expected.updatedAt },
              },
            );
          }
          const replaced = procedure.documents.filter(
            (d) => d.replaceable && d.fields.every((f) => available.has(f.key)),
          );
          compare(
            `${procedure.code} documents for ${id}`,
            [
              data!.replacedDocuments.map((d) => d.name),
              data!.stillRequiredDocuments.map((d) => d.name),
            ],
            [
              replaced.map((d) => d.name),
              procedure.documents.filter((d) => !replaced.includes(d)).map((d) => d.name),
            ],
          );
        }
      }
      expect(differences).toEqual([]);
      // The samples are rich enough that every bound field was compared with a value at least once.
      const bound = catalogue.procedures.flatMap((p) =>
        p.fields.filter((f) => f.path).map((f) => `${p.code}.${f.key}`),
      );
      expect(bound.filter((key) => !seen.has(key))).toEqual([]);
      // 33 procedures and bundles for a dozen subjects each, on a machine shared with others.
    }, 240_000);

    it('reads population, land and insurance in exactly three calls, whatever the number of fields', async () => {
      const procedure = catalogue.get('SOCIAL_HOUSING_APPLICATION')!;
      expect(procedure.fields.filter((f) => f.path).length).toBeGreaterThan(10);
      // Administrative units are reference data cached across requests: the first prefill warms them.
      await prefill(procedure.code, rich);
      let data: PrefillBody | undefined;
      const calls = await countCalls(async () => {
        const result = await prefill(procedure.code, rich);
        expect(result.errors).toBeUndefined();
        data = result.data;
      });
      expect(calls).toEqual({ population: 1, land: 1, insurance: 1 });
      const databases = new Set(
        data!.fields.filter((f) => f.available).map((f) => f.source!.database),
      );
      expect(databases).toEqual(new Set(['POPULATION', 'LAND', 'INSURANCE']));
    });

    it('batches with the rest of the request: it runs in the same context as the outer query', async () => {
      const other = subjects.CITIZEN.find((id) => id !== rich)!;
      await prefill('SOCIAL_HOUSING_APPLICATION', rich);
      const calls = await countCalls(async () => {
        const { body } = await t.graphql(
          `query ($id: ID!, $other: ID!) {
            prefill(procedureCode: "SOCIAL_HOUSING_APPLICATION", subjectId: $id) { fields { key value } }
            citizen(id: $other) { fullName insurance { status } }
          }`,
          { id: rich, other },
          asProcedure('SOCIAL_HOUSING_APPLICATION'),
        );
        expect(body.errors).toBeUndefined();
      });
      expect(calls).toEqual({ population: 1, land: 1, insurance: 1 });
    });

    it('gives the address in current units and, for older records, in the pre-2025 units as well', async () => {
      const row = (
        await select(
          'population',
          `SELECT id FROM population.citizens WHERE permanent_legacy_commune_code IS NOT NULL ORDER BY id LIMIT 1`,
        )
      )[0];
      const { data } = await prefill('PERMANENT_RESIDENCE_REGISTRATION', row.id as string);
      const field = (key: string) => data!.fields.find((f) => f.key === key)!;
      expect(field('permanentAddress').available).toBe(true);
      expect(field('permanentAddressBefore2025').available).toBe(true);
      expect(field('permanentAddressBefore2025').value).not.toEqual(
        field('permanentAddress').value,
      );
      expect(field('permanentAddressBefore2025').value).toMatch(/(Huyện|Quận|Thị xã|Thành phố)/);
    });

    it('answers for a well-formed id that does not exist with every field unavailable', async () => {
      const { data, errors } = await prefill('MARRIAGE_REGISTRATION', '001099999999');
      expect(errors).toBeUndefined();
      expect(data!.subjectFound).toBe(false);
      expect(data!.replacedDocuments).toEqual([]);
      for (const field of data!.fields) {
        expect(field.available).toBe(false);
        expect(['SUBJECT_NOT_FOUND', 'APPLICANT_PROVIDES']).toContain(field.unavailableCause);
      }
    });
  });

  describe('bundles (thủ tục liên thông)', () => {
    const bundle = () => catalogue.get('BIRTH_RESIDENCE_HEALTH_CARD_UNDER_6')!;

    it('joins the fields of its procedures, each once, and their document components', () => {
      for (const procedure of catalogue.bundles()) {
        const keys = procedure.fields.map((f) => f.key);
        expect(new Set(keys).size).toBe(keys.length);
        const union = new Set(procedure.components.flatMap((c) => c.fields.map((f) => f.key)));
        expect(new Set(keys)).toEqual(union);
        expect(new Set(procedure.documents.map((d) => d.name))).toEqual(
          new Set(procedure.components.flatMap((c) => c.documents.map((d) => d.name))),
        );
      }
      expect(bundle().components.map((c) => c.code)).toEqual([
        'BIRTH_REGISTRATION',
        'PERMANENT_RESIDENCE_REGISTRATION',
        'HEALTH_INSURANCE_CARD_CHILD_UNDER_6',
      ]);
    });

    /** Calls to each national database of one prefill, after a first one warmed the reference cache. */
    const callsOf = async (code: string, id: string) => {
      await prefill(code, id);
      let data: PrefillBody | undefined;
      const calls = await countCalls(async () => {
        const result = await prefill(code, id);
        expect(result.errors).toBeUndefined();
        data = result.data;
      });
      return { calls, data: data! };
    };

    it.each([
      [
        'BIRTH_RESIDENCE_HEALTH_CARD_UNDER_6',
        () => parent,
        {
          BIRTH_REGISTRATION: { population: 1 },
          PERMANENT_RESIDENCE_REGISTRATION: { population: 1, land: 1 },
          HEALTH_INSURANCE_CARD_CHILD_UNDER_6: { population: 1, insurance: 1 },
        },
        { population: 1, land: 1, insurance: 1 },
      ],
      [
        'DEATH_RESIDENCE_FUNERAL',
        () => deceasedInsured!,
        {
          DEATH_REGISTRATION: { population: 1 },
          PERMANENT_RESIDENCE_REMOVAL: { population: 1 },
          FUNERAL_ALLOWANCE: { population: 1, insurance: 1 },
        },
        { population: 1, insurance: 1 },
      ],
    ])(
      'prefills %s, and each of its procedures alone, in exactly one call per national database it reads',
      async (code, subject, components, union) => {
        expect(subject()).toBeDefined();
        const bundled = catalogue.get(code)!;
        expect(bundled.components.map((c) => c.code)).toEqual(Object.keys(components));
        // The person and the spouse (with their identity card), the record and its health cards:
        // each database is read once, whatever the depth of the records linked within it.
        const replaced = new Set<string>();
        for (const component of bundled.components) {
          const alone = await callsOf(component.code, subject());
          expect([component.code, alone.calls]).toEqual([
            component.code,
            components[component.code as keyof typeof components],
          ]);
          for (const document of alone.data.replacedDocuments) replaced.add(document.name);
        }
        const { calls, data } = await callsOf(code, subject());
        expect(calls).toEqual(union);
        // Every database read answered: the subject holds data in each.
        expect(
          new Set(data.fields.filter((f) => f.available).map((f) => f.source!.database)),
        ).toEqual(new Set(Object.keys(union).map((database) => database.toUpperCase())));
        // The documents replaced are those each procedure alone would not ask for, across all of them.
        expect(new Set(data.replacedDocuments.map((d) => d.name))).toEqual(replaced);
        expect(data.fields.map((f) => f.key)).toEqual(bundled.fields.map((f) => f.key));
      },
    );

    it('prefills a bundle for several subjects in one request with one call per national database', async () => {
      const others = subjects.CITIZEN.filter((id) => id !== parent).slice(0, 3);
      const code = bundle().code;
      const singles = new Map<string, PrefillBody>();
      for (const id of [parent, ...others]) singles.set(id, (await callsOf(code, id)).data);
      const aliases = [parent, ...others].map(
        (_, index) => `s${index}: prefill(procedureCode: $code, subjectId: $id${index}) {
          subjectId subjectFound
          fields { key value available verified unavailableCause unavailableReason source { database updatedAt } }
          replacedDocuments { name } stillRequiredDocuments { name } }`,
      );
      const variables = Object.fromEntries([parent, ...others].map((id, i) => [`id${i}`, id]));
      let body: { data?: Record<string, PrefillBody>; errors?: unknown[] } = {};
      const calls = await countCalls(async () => {
        body = (
          await t.graphql<Record<string, PrefillBody>>(
            `query ($code: ID!, ${Object.keys(variables)
              .map((name) => `$${name}: ID!`)
              .join(', ')}) { ${aliases.join('\n')} }`,
            { code, ...variables },
            asProcedure(code),
          )
        ).body;
      });
      expect(body.errors).toBeUndefined();
      expect(calls).toEqual({ population: 1, land: 1, insurance: 1 });
      [parent, ...others].forEach((id, index) =>
        expect(body.data![`s${index}`]).toEqual(singles.get(id)),
      );
    });

    it('prefills the death bundle for a deceased person with the date of death and the insurance record closed at it', async () => {
      const id = deceasedInsured!;
      expect(id).toBeDefined();
      const person = await first(
        'population',
        `SELECT died_on::text AS died_on FROM population.citizens WHERE id = ?`,
        [id],
      );
      const record = await insuranceRecord(id);
      const { data, errors } = await prefill('DEATH_RESIDENCE_FUNERAL', id);
      expect(errors).toBeUndefined();
      const value = (key: string) => data!.fields.find((f) => f.key === key)!.value;
      expect(value('dateOfDeath')).toBe(person!.died_on);
      // The agency closed the record at the death: the funeral allowance is claimed on it.
      expect(value('socialInsuranceNumber')).toBe(record!.social_insurance_number);
      expect(value('insuranceStatus')).toBe('DECEASED');
      expect(Number(value('contributionMonths'))).toBeGreaterThan(0);
      // The death is on record, and so is the insurance book: neither is asked for again.
      expect(data!.replacedDocuments.map((d) => d.name)).toEqual(
        expect.arrayContaining([
          'Giấy tờ, tài liệu chứng minh thuộc trường hợp xóa đăng ký thường trú',
          'Bản sao giấy chứng tử hoặc trích lục khai tử',
          'Sổ bảo hiểm xã hội của người chết',
        ]),
      );
    });
  });

  describe('catalogueStatistics', () => {
    const STATISTICS = `{ catalogueStatistics { procedures bundles documentComponents documentComponentsReplaced
      proceduresCompletableOnline prefillsServed { procedure { code } province { code } count } } }`;
    interface Statistics {
      procedures: number;
      bundles: number;
      documentComponents: number;
      documentComponentsReplaced: number;
      proceduresCompletableOnline: number;
      prefillsServed: {
        procedure: { code: string };
        province: { code: string } | null;
        count: number;
      }[];
    }
    const statistics = async () => {
      await t.gateway.audit.flush();
      const { body } = await t.graphql<{ catalogueStatistics: Statistics }>(STATISTICS);
      expect(body.errors).toBeUndefined();
      return body.data!.catalogueStatistics;
    };

    it('counts procedures, components, components replaced by data and procedures completable online', async () => {
      const singles = catalogue.singles();
      expect(await statistics()).toMatchObject({
        procedures: singles.length,
        bundles: catalogue.bundles().length,
        documentComponents: singles.reduce((n, p) => n + p.documents.length, 0),
        documentComponentsReplaced: singles.reduce(
          (n, p) => n + p.documents.filter((d) => d.replaceable).length,
          0,
        ),
        proceduresCompletableOnline: singles.filter((p) =>
          p.documents.every((d) => d.onlineForm || d.replaceable),
        ).length,
      });
    });

    it('counts the prefills served per procedure and province from the access log', async () => {
      // The province a citizen id encodes (birth registration), as the current province.
      const legacy = rich.slice(1, 3);
      const unit =
        (await first('reference', `SELECT code FROM reference.units WHERE code = ?`, [legacy])) ??
        (await first(
          'reference',
          `SELECT successor_code AS code FROM reference.legacy_units WHERE code = ?`,
          [legacy],
        ));
      const province = unit!.code as string;
      const served = (s: Statistics) =>
        s.prefillsServed.find(
          (c) => c.procedure.code === 'MARRIAGE_REGISTRATION' && c.province?.code === province,
        )?.count ?? 0;
      const before = served(await statistics());
      await prefill('MARRIAGE_REGISTRATION', rich);
      await prefill('MARRIAGE_REGISTRATION', rich);
      // A declaration check under the same purpose is not a form served.
      await check('MARRIAGE_REGISTRATION', rich, { fullName: 'x' });
      expect(served(await statistics())).toBe(before + 2);
    });
  });

  describe('checkDeclaration', () => {
    let person: { id: string; fullName: string; dateOfBirth: string; sex: string };

    beforeAll(async () => {
      // A name whose diacritics matter: it differs once they are stripped.
      const rows = await select(
        'population',
        `SELECT id, full_name, date_of_birth::text AS dob, sex FROM population.citizens ORDER BY id LIMIT 200`,
      );
      const row = rows.find((r) => withoutDiacritics(r.full_name as string) !== r.full_name)!;
      person = {
        id: row.id as string,
        fullName: row.full_name as string,
        dateOfBirth: row.dob as string,
        sex: row.sex as string,
      };
    });

    const statusOf = (data: CheckBody | undefined, key: string) =>
      data!.fields.find((f) => f.key === key)!;

    it('matches names typed with decomposed diacritics, another case, or extra spaces', async () => {
      const { data, errors } = await check('MARRIAGE_REGISTRATION', person.id, {
        fullName: person.fullName.normalize('NFD'),
      });
      expect(errors).toBeUndefined();
      expect(person.fullName.normalize('NFD')).not.toBe(person.fullName);
      expect(statusOf(data, 'fullName').status).toBe('MATCH');
      const spaced = `  ${person.fullName.toUpperCase().split(' ').join('   ')} `;
      expect(
        statusOf(
          (await check('MARRIAGE_REGISTRATION', person.id, { fullName: spaced })).data,
          'fullName',
        ).status,
      ).toBe('MATCH');
      const lower = person.fullName.normalize('NFD').toLowerCase();
      expect(
        statusOf(
          (await check('MARRIAGE_REGISTRATION', person.id, { fullName: lower })).data,
          'fullName',
        ).status,
      ).toBe('MATCH');
    });

    it('does not match a name without its diacritics, and gives the national value', async () => {
      const typed = withoutDiacritics(person.fullName);
      const { data } = await check('MARRIAGE_REGISTRATION', person.id, { fullName: typed });
      expect(statusOf(data, 'fullName')).toEqual({
        key: 'fullName',
        status: 'MISMATCH',
        declaredValue: typed,
        nationalValue: person.fullName,
        reason: null,
      });
      expect(data!.allMatch).toBe(false);
    });

    it('accepts dates as dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy and yyyy-mm-dd', async () => {
      const [year, month, day] = person.dateOfBirth.split('-');
      const forms = [
        `${day}/${month}/${year}`,
        `${Number(day)}/${Number(month)}/${year}`,
        `${day}-${month}-${year}`,
        person.dateOfBirth,
      ];
      for (const typed of forms) {
        const { data, errors } = await check('MARRIAGE_REGISTRATION', person.id, {
          dateOfBirth: typed,
        });
        expect(errors).toBeUndefined();
        expect({ typed, status: statusOf(data, 'dateOfBirth').status }).toEqual({
          typed,
          status: 'MATCH',
        });
      }
      const otherDay = `${String((Number(day) % 28) + 1).padStart(2, '0')}/${month}/${year}`;
      expect(
        statusOf(
          (await check('MARRIAGE_REGISTRATION', person.id, { dateOfBirth: otherDay })).data,
          'dateOfBirth',
        ),
      ).toMatchObject({
        status: 'MISMATCH',
        nationalValue: person.dateOfBirth,
      });
      const impossible = (
        await check('MARRIAGE_REGISTRATION', person.id, { dateOfBirth: `31/02/${year}` })
      ).data;
      expect(statusOf(impossible, 'dateOfBirth')).toMatchObject({
        status: 'MISMATCH',
        reason: expect.stringMatching(/not a date/),
      });
    });

    it('matches an enumeration by its name or its Vietnamese term', async () => {
      const term = person.sex === 'MALE' ? 'Nam' : 'Nữ';
      const { data } = await check('JUDICIAL_RECORD_CERTIFICATE', person.id, { sex: term });
      expect(statusOf(data, 'sex')).toMatchObject({ status: 'MATCH', nationalValue: person.sex });
      const wrong = person.sex === 'MALE' ? 'Nữ' : 'Nam';
      expect(
        statusOf(
          (await check('JUDICIAL_RECORD_CERTIFICATE', person.id, { sex: wrong })).data,
          'sex',
        ).status,
      ).toBe('MISMATCH');
    });

    it('reports a changed pre-filled value as a MISMATCH, and the untouched ones as MATCH', async () => {
      const { data: form } = await prefill('SOCIAL_HOUSING_APPLICATION', rich);
      const values: Record<string, unknown> = {};
      for (const field of form!.fields) if (field.available) values[field.key] = field.value;
      const address = values.permanentAddress as string;
      const untouched = await check('SOCIAL_HOUSING_APPLICATION', rich, values);
      expect(untouched.errors).toBeUndefined();
      expect(untouched.data!.fields.map((f) => [f.key, f.status])).toEqual(
        Object.keys(values).map((key) => [key, 'MATCH']),
      );
      expect(untouched.data!.allMatch).toBe(true);
      const changed = await check('SOCIAL_HOUSING_APPLICATION', rich, {
        ...values,
        permanentAddress: address.replace(/\d+/, '999') + ' (sửa)',
      });
      expect(statusOf(changed.data, 'permanentAddress')).toMatchObject({
        status: 'MISMATCH',
        nationalValue: address,
      });
      expect(changed.data!.fields.filter((f) => f.status !== 'MATCH').map((f) => f.key)).toEqual([
        'permanentAddress',
      ]);
    });

    it('matches one entry of a list field, or the whole list in any order', async () => {
      const parcels = (await ORACLES['Citizen.landRights.parcel.id'](rich)).value as string[];
      const one = await check('LAND_TRANSFER_REGISTRATION', rich, {
        landParcelIds: parcels[parcels.length - 1],
      });
      expect(statusOf(one.data, 'landParcelIds').status).toBe('MATCH');
      const all = await check('LAND_TRANSFER_REGISTRATION', rich, {
        landParcelIds: [...parcels].reverse(),
      });
      expect(statusOf(all.data, 'landParcelIds').status).toBe('MATCH');
      const foreign = await check('LAND_TRANSFER_REGISTRATION', rich, {
        landParcelIds: '00004-1-1',
      });
      expect(statusOf(foreign.data, 'landParcelIds')).toMatchObject({
        status: 'MISMATCH',
        nationalValue: parcels,
      });
    });

    it('is UNKNOWN where there is no national value to compare with', async () => {
      const { data } = await check('BIRTH_REGISTRATION', person.id, {
        childFullName: 'Nguyễn Văn An',
      });
      expect(statusOf(data, 'childFullName')).toMatchObject({
        status: 'UNKNOWN',
        nationalValue: null,
        reason: APPLICANT_PROVIDES,
      });
      const none = await check('MARRIAGE_REGISTRATION', '001099999999', {
        fullName: 'Nguyễn Văn An',
      });
      expect(statusOf(none.data, 'fullName')).toMatchObject({
        status: 'UNKNOWN',
        nationalValue: null,
      });
    });

    it('reads only the fields submitted', async () => {
      const calls = await countCalls(() =>
        check('SOCIAL_HOUSING_APPLICATION', rich, { fullName: person.fullName }),
      );
      expect(calls).toEqual({ population: 1 });
    });
  });

  describe('access control', () => {
    const procedure = () => catalogue.get('SOCIAL_HOUSING_APPLICATION')!;

    async function clientWith(fields: string[]): Promise<string> {
      const { apiKey } = await t.gateway.store.addClient({
        id: `procedures-test-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
        name: 'Procedures test client',
        purposes: [{ purpose: procedure().code, fields }],
      });
      return apiKey;
    }

    it('applies to the reads of prefill: fields outside the purpose are not released', async () => {
      // Citizen.insurance is nullable, so refusing it leaves the rest of the record standing.
      const allowed = procedure().reads.filter((coordinate) => coordinate !== 'Citizen.insurance');
      const apiKey = await clientWith(allowed);
      const { data, errors } = await prefill(procedure().code, rich, {
        authorization: `Bearer ${apiKey}`,
      });
      expect(errors).toBeUndefined();
      const full = (await prefill(procedure().code, rich)).data!;
      for (const [index, field] of data!.fields.entries()) {
        if (['socialInsuranceNumber', 'insuranceStatus'].includes(field.key)) {
          expect(field).toMatchObject({
            value: null,
            available: false,
            verified: false,
            unavailableCause: 'NOT_RELEASED',
            unavailableReason: expect.stringMatching(/Citizen\.insurance.*FORBIDDEN/),
          });
        } else expect(field).toEqual(full.fields[index]);
      }
      expect(data!.stillRequiredDocuments.map((d) => d.name)).toContain(
        'Giấy tờ chứng minh đối tượng được hưởng chính sách hỗ trợ về nhà ở',
      );
    });

    it('releases every field to a client allowed exactly what Procedure.reads lists', async () => {
      const { body } = await t.graphql<{ procedure: { reads: string[] } }>(
        `{ procedure(code: "SOCIAL_HOUSING_APPLICATION") { reads } }`,
      );
      expect(body.data!.procedure.reads).toEqual(procedure().reads);
      expect(procedure().reads).toEqual(
        expect.arrayContaining(['Citizen.fullName', 'Citizen.insurance', 'LandParcel.id']),
      );
      const apiKey = await clientWith(procedure().reads);
      const minimal = await prefill(procedure().code, rich, { authorization: `Bearer ${apiKey}` });
      const full = await prefill(procedure().code, rich);
      expect(minimal.errors).toBeUndefined();
      expect(minimal.data).toEqual(full.data);
    });

    it('is written to the access log like any other read: the subject, every field released, the purpose', async () => {
      const caseId = `HS-${Date.now()}`;
      const { errors } = await prefill(procedure().code, rich, { 'x-case-id': caseId });
      expect(errors).toBeUndefined();
      await t.gateway.audit.flush();
      const { entries } = await t.gateway.audit.query({ caseId });
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ purpose: procedure().code, outcome: 'OK' });
      expect(entries[0].subjects).toContain(rich);
      expect(entries[0].fields).toEqual(
        expect.arrayContaining([
          'Citizen.fullName',
          'LandParcel.id',
          'InsuranceRecord.socialInsuranceNumber',
        ]),
      );
    });

    it('refuses a procedure the client is not registered for', async () => {
      const { errors } = await prefill('BIRTH_REGISTRATION', rich, {
        authorization: `Bearer ${await clientWith(['*'])}`,
      });
      expect(errors![0].extensions!.code).toBe('FORBIDDEN');
    });
  });

  describe('bad input', () => {
    const expectBadInput = (
      errors: GraphQLErrorBody[] | undefined,
      argument: string,
      message: RegExp,
    ) => {
      expect(errors).toHaveLength(1);
      expect(errors![0].extensions!.code).toBe('BAD_USER_INPUT');
      expect(errors![0].message).toContain(`"${argument}"`);
      expect(errors![0].message).toMatch(message);
    };

    it('rejects an unknown procedure code, naming valid ones', async () => {
      // The purpose names the same unknown code: what a procedure system with a typo would send.
      const { data, errors } = await prefill('BIRTH_REGISTRATON', '001099999999');
      expect(data ?? null).toBeNull();
      expectBadInput(errors, 'procedureCode', /BIRTH_REGISTRATION/);
      const checked = await check('NO_SUCH_PROCEDURE', '001099999999', {});
      expectBadInput(checked.errors, 'procedureCode', /MARRIAGE_REGISTRATION|BIRTH_REGISTRATION/);
      const lookup = await t.graphql(`{ procedure(code: "NOPE") { code } }`);
      expectBadInput(lookup.body.errors, 'code', /procedure code/);
    });

    it('rejects an enterprise code for a citizen procedure, and a citizen id for an enterprise one', async () => {
      const enterprise = subjects.ENTERPRISE[0];
      expectBadInput(
        (await prefill('BIRTH_REGISTRATION', enterprise)).errors,
        'subjectId',
        /about a citizen.*enterprise code/,
      );
      expectBadInput(
        (await prefill('ENTERPRISE_REGISTRATION_CHANGE', rich)).errors,
        'subjectId',
        /about an enterprise.*personal identification number/,
      );
      expectBadInput(
        (await prefill('ENTERPRISE_REGISTRATION_CHANGE', `${enterprise}-001`)).errors,
        'subjectId',
        /dependent unit/,
      );
    });

    it('rejects a malformed id with the expected format', async () => {
      expectBadInput(
        (await prefill('BIRTH_REGISTRATION', '12345')).errors,
        'subjectId',
        /12 digits/,
      );
      expectBadInput(
        (await check('ENTERPRISE_REGISTRATION_CHANGE', 'abc', { enterpriseName: 'x' })).errors,
        'subjectId',
        /10 digits/,
      );
    });

    it('rejects values that are not an object, or that hold unknown keys, naming them and the valid ones', async () => {
      for (const values of ['Nguyễn Văn An', [1, 2], 3, true]) {
        expectBadInput(
          (await check('MARRIAGE_REGISTRATION', person0(), values)).errors,
          'values',
          /JSON object of field keys/,
        );
      }
      const { errors } = await check('MARRIAGE_REGISTRATION', person0(), {
        fullName: 'A',
        hoTen: 'B',
        ngaySinh: 'C',
      });
      expectBadInput(errors, 'values', /unknown keys: "hoTen", "ngaySinh"/);
      expect(errors![0].message).toContain('fullName, personalId, dateOfBirth');
      const nested = await check('MARRIAGE_REGISTRATION', person0(), { fullName: { first: 'A' } });
      expectBadInput(nested.errors, 'values.fullName', /a string or number/);
      const listForSingle = await check('MARRIAGE_REGISTRATION', person0(), {
        fullName: ['A', 'B'],
      });
      expectBadInput(listForSingle.errors, 'values.fullName', /a string or number/);
    });
  });
});

const person0 = () => subjects.CITIZEN[0];

describe('prefill while a national database does not answer', () => {
  let stuck: http.Server;

  beforeAll(async () => {
    // An insurance service that accepts connections and never answers.
    stuck = http.createServer(() => undefined);
    await new Promise<void>((resolve) => stuck.listen(0, '127.0.0.1', resolve));
    t = await startTestGateway({
      insuranceServiceUrl: `http://127.0.0.1:${(stuck.address() as AddressInfo).port}`,
      sourceTimeoutMs: 300,
    });
  });

  afterAll(async () => {
    await t.close();
    stuck.closeAllConnections();
    await new Promise((resolve) => stuck.close(resolve));
  });

  it("marks that database's fields unavailable and keeps its documents required, never guessing", async () => {
    const id = (await first(
      'insurance',
      `SELECT citizen_id FROM insurance.insurance_records ORDER BY citizen_id LIMIT 1`,
    ))!.citizen_id as string;
    const { data, errors } = await prefill('UNEMPLOYMENT_BENEFIT', id);
    expect(errors).toBeUndefined();
    const field = (key: string) => data!.fields.find((f) => f.key === key)!;
    expect(field('fullName')).toMatchObject({
      available: true,
      source: { database: 'POPULATION' },
    });
    for (const key of ['socialInsuranceNumber', 'contributionMonths', 'employers']) {
      expect(field(key)).toMatchObject({
        value: null,
        available: false,
        unavailableCause: 'SOURCE_UNAVAILABLE',
        unavailableReason: expect.stringMatching(/insurance database did not answer/),
      });
    }
    expect(data!.stillRequiredDocuments.map((d) => d.name)).toContain('Sổ bảo hiểm xã hội');
    const checked = await check('UNEMPLOYMENT_BENEFIT', id, {
      socialInsuranceNumber: '0000000000',
    });
    expect(checked.data!.fields[0]).toMatchObject({
      status: 'UNKNOWN',
      reason: expect.stringMatching(/SOURCE_UNAVAILABLE/),
    });
  });
});

describe('values lost to an error', () => {
  const updatedAt = '2025-01-02T03:04:05.000Z';
  const citizen = {
    id: '001099012345',
    fullName: 'Trần Thị Bình',
    dateOfBirth: '1990-05-06',
    sex: 'FEMALE',
    maritalStatus: 'SINGLE',
    permanentAddress: { text: 'Số 1, Phường Hoàn Kiếm, Thành phố Hà Nội', legacy: null },
    permanentResidenceSince: '2025-08-01',
    source: { database: 'POPULATION', updatedAt },
  };
  const unavailable = (database: 'land' | 'insurance') => () => {
    throw new SourceUnavailableError(database, new Error('timed out'));
  };

  function schemaWith(resolvers: Record<string, unknown>, nonNullLandRights = false) {
    const typeDefs = loadTypeDefs().map((sdl) =>
      nonNullLandRights
        ? sdl.replace(/landRights: \[LandRight!\]!?/g, 'landRights: [LandRight!]!')
        : sdl,
    );
    return makeExecutableSchema({
      typeDefs,
      resolvers: { Query: { citizen: () => citizen }, ...resolvers },
      resolverValidationOptions: {
        requireResolversToMatchSchema: 'ignore',
        requireResolversForResolveType: 'ignore',
      },
    });
  }

  const procedure = catalogue.get('SOCIAL_HOUSING_APPLICATION')!;
  const field = (result: Awaited<ReturnType<typeof prefillWith>>, key: string) =>
    result.fields.find((f) => f.key === key)!;

  it('marks only the fields under a nullable field that failed', async () => {
    const schema = schemaWith({
      Citizen: { insurance: unavailable('insurance'), landRights: () => [] },
    });
    const result = await prefillWith(procedure, citizen.id, { schema, context: {} as Context });
    expect(result.subjectFound).toBe(true);
    expect(field(result, 'fullName')).toMatchObject({
      available: true,
      value: citizen.fullName,
      source: citizen.source,
    });
    expect(field(result, 'socialInsuranceNumber')).toMatchObject({
      available: false,
      unavailableCause: 'SOURCE_UNAVAILABLE',
    });
    expect(field(result, 'permanentAddressBefore2025')).toMatchObject({
      available: false,
      unavailableCause: 'NO_VALUE',
      unavailableReason: expect.stringContaining('Address.legacy'),
    });
    expect(field(result, 'landParcelIds')).toMatchObject({
      available: false,
      unavailableCause: 'NO_VALUE',
    });
  });

  it('follows a failed non-null field up to the nullable field it wiped out', async () => {
    // With Citizen.landRights non-null, a land failure takes the whole citizen with it.
    const schema = schemaWith(
      { Citizen: { insurance: () => null, landRights: unavailable('land') } },
      true,
    );
    const result = await prefillWith(procedure, citizen.id, { schema, context: {} as Context });
    expect(result.subjectFound).toBeNull();
    for (const key of ['fullName', 'landParcelIds', 'socialInsuranceNumber']) {
      expect(field(result, key)).toMatchObject({
        available: false,
        unavailableCause: 'SOURCE_UNAVAILABLE',
        unavailableReason: expect.stringMatching(/land database/),
      });
    }
    expect(result.replacedDocuments).toEqual([]);
  });

  it('fails the request on an error that is not about one source', async () => {
    const schema = schemaWith({
      Citizen: {
        landRights: () => {
          throw new Error('relation "land.holders" does not exist');
        },
      },
    });
    await expect(
      prefillWith(procedure, citizen.id, { schema, context: {} as Context }),
    ).rejects.toThrow(/land\.holders/);
  });
});

describe('catalogue files', () => {
  const schema = sdlSchema();
  let dir: string;
  const original = fs.readFileSync(path.join(CATALOGUE_DIR, 'MARRIAGE_REGISTRATION.yaml'), 'utf8');

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'procedures-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function write(name: string, text: string) {
    fs.writeFileSync(path.join(dir, name), text);
  }

  function rejection(text: string, name = 'MARRIAGE_REGISTRATION.yaml'): string {
    write(name, text);
    try {
      loadCatalogue(dir, schema);
    } catch (error) {
      expect(error).toBeInstanceOf(CatalogueError);
      return (error as Error).message;
    }
    throw new Error('the catalogue was accepted');
  }

  it('loads a valid file, and a new procedure needs nothing but its file', () => {
    write('MARRIAGE_REGISTRATION.yaml', original);
    write(
      'DEATH_REGISTRATION.yaml',
      `code: DEATH_REGISTRATION
nationalCodeNote: Left out of this test file.
name: Đăng ký khai tử
nameEn: Death registration
subjectKind: CITIZEN
subjectRole: Người chết
subjectRoleEn: The deceased
legalBasis: [{ title: Luật Hộ tịch, number: 60/2014/QH13 }]
checked: [{ source: this test, confirms: the shape of a file }]
fields:
  - { key: fullName, label: 'Họ, chữ đệm và tên người chết', labelEn: Full name, path: Citizen.fullName }
  - { key: dateOfDeath, label: Ngày chết, labelEn: Date of death }
documents:
  - { name: Tờ khai đăng ký khai tử, nameEn: Death registration declaration }
  - { name: Giấy báo tử, nameEn: Death notice }
  - { name: Bản sao Căn cước, nameEn: Identity card copy, replacedBy: [fullName] }
`,
    );
    const loaded = loadCatalogue(dir, schema);
    expect(loaded.codes()).toEqual(['DEATH_REGISTRATION', 'MARRIAGE_REGISTRATION']);
    const death = loaded.get('DEATH_REGISTRATION')!;
    expect(death.documentsReplaced).toBe(1);
    expect(death.fields[1]).toMatchObject({ key: 'dateOfDeath', path: null, binding: null });
  });

  it.each([
    [
      'a path to a field that does not exist',
      ['path: Citizen.fullName', 'path: Citizen.fullNam'],
      /fields\[0\]\.path: .*Citizen has no field "fullNam"/,
    ],
    [
      'a path ending at an object',
      ['path: Citizen.permanentAddress.text', 'path: Citizen.permanentAddress'],
      /must end at a scalar.*Address/,
    ],
    [
      'a path crossing a union',
      ['path: Citizen.fullName', 'path: Citizen.landRights.holder.id'],
      /LandHolder/,
    ],
    [
      'a path from the wrong subject type',
      ['path: Citizen.fullName', 'path: Enterprise.name'],
      /must start at Citizen/,
    ],
    [
      'a document naming an unknown field',
      ['replacedBy: [maritalStatus]', 'replacedBy: [maritalStatus, honNhan]'],
      /"honNhan" is not a field of MARRIAGE_REGISTRATION/,
    ],
    [
      'a document replaced by a field no database holds',
      ['replacedBy: [maritalStatus]', 'replacedBy: [partnerFullName]'],
      /held by no national database/,
    ],
    [
      'an unknown subject kind',
      ['subjectKind: CITIZEN', 'subjectKind: PERSON'],
      /subjectKind: .*CITIZEN.*ENTERPRISE/,
    ],
    ['a missing English name', [/nameEn: Marriage registration\n/, ''], /nameEn/],
    ['an unknown property', ['subjectKind: CITIZEN', 'subjectKind: CITIZEN\nfee: 0'], /fee/],
    ['a duplicate field key', ['key: ethnicity', 'key: fullName'], /"fullName" appears twice/],
    [
      'a malformed national code',
      ["nationalCode: '1.000894'", 'nationalCode: 1-000894'],
      /nationalCode/,
    ],
    ['broken YAML', ['fields:', 'fields: [\n'], /YAML/],
  ])('rejects %s, naming the file', (_, [from, to], message) => {
    const text = original.replace(from, to as string);
    expect(text).not.toBe(original);
    const error = rejection(text);
    expect(error).toContain('MARRIAGE_REGISTRATION.yaml');
    expect(error).toMatch(message);
  });

  it('rejects a file whose name is not its code', () => {
    expect(rejection(original, 'MARRIAGE.yaml')).toMatch(
      /MARRIAGE\.yaml[\s\S]*must match the file name/,
    );
  });

  it('rejects a national code used twice', () => {
    write('MARRIAGE_REGISTRATION.yaml', original);
    const copy = original.replace(
      'code: MARRIAGE_REGISTRATION',
      'code: MARRIAGE_REGISTRATION_COPY',
    );
    expect(rejection(copy, 'MARRIAGE_REGISTRATION_COPY.yaml')).toMatch(
      /MARRIAGE_REGISTRATION_COPY\.yaml[\s\S]*1\.000894/,
    );
  });

  it('rejects a file without a national code or a note saying why, or without its sources', () => {
    const noCode = original.replace(/^nationalCode: .*\n/m, '');
    expect(rejection(noCode)).toMatch(
      /MARRIAGE_REGISTRATION\.yaml[\s\S]*nationalCodeNote: required/,
    );
    const noSources = original.replace(/^checked:\n( {2}.*\n)*/m, '');
    expect(rejection(noSources)).toMatch(/checked: /);
  });

  const BUNDLE = `code: MARRIAGE_BUNDLE
nationalCodeNote: A test bundle.
name: Liên thông thử
nameEn: Test bundle
subjectKind: CITIZEN
subjectRole: Người đăng ký
subjectRoleEn: The applicant
bundle: [MARRIAGE_REGISTRATION, OTHER]
legalBasis: [{ title: Luật Hộ tịch }]
checked: [{ source: this test, confirms: the shape of a bundle }]
`;

  it('loads a bundle with the union of its procedures, and rejects one naming an unknown procedure', () => {
    write('MARRIAGE_REGISTRATION.yaml', original);
    write(
      'OTHER.yaml',
      original
        .replace('code: MARRIAGE_REGISTRATION', 'code: OTHER')
        .replace(/^nationalCode: .*\n/m, "nationalCode: '9.999999'\n"),
    );
    write('MARRIAGE_BUNDLE.yaml', BUNDLE);
    const loaded = loadCatalogue(dir, schema);
    const bundle = loaded.get('MARRIAGE_BUNDLE')!;
    const marriage = loaded.get('MARRIAGE_REGISTRATION')!;
    expect(bundle.components.map((c) => c.code)).toEqual(['MARRIAGE_REGISTRATION', 'OTHER']);
    expect(bundle.fields.map((f) => f.key)).toEqual(marriage.fields.map((f) => f.key));
    expect(bundle.documents.map((d) => d.name)).toEqual(marriage.documents.map((d) => d.name));
    fs.rmSync(path.join(dir, 'OTHER.yaml'));
    expect(rejection(BUNDLE, 'MARRIAGE_BUNDLE.yaml')).toMatch(
      /MARRIAGE_BUNDLE\.yaml[\s\S]*bundle\[1\]: "OTHER" is not a procedure/,
    );
  });

  it('checks the real catalogue at start', () => {
    const loaded = loadCatalogue(CATALOGUE_DIR, schema);
    expect(loaded.procedures.length).toBeGreaterThanOrEqual(11);
    expect(
      loaded.procedures.every((p: ProcedureDefinition) => p.file.startsWith('procedures/')),
    ).toBe(true);
  });
});

describe('the README catalogue table', () => {
  it('has one row per procedure with fields and components replaced of total', () => {
    const table = catalogueTable(catalogue);
    const rows = table.split('\n').slice(2);
    expect(rows).toHaveLength(catalogue.procedures.length);
    expect(table).toContain(
      '| `BIRTH_REGISTRATION` | 1.001193 | Đăng ký khai sinh (Birth registration) | citizen |',
    );
    const birth = catalogue.get('BIRTH_REGISTRATION')!;
    expect(table).toContain(`${birth.documentsReplaced} of ${birth.documentsTotal} |`);
  });

  it('rewrites only the section between the markers, and tells a stale one', () => {
    const table = catalogueTable(catalogue);
    const readme = `# Title\n\nBefore.\n\n${START}\nold table\n${END}\n\nAfter.\n`;
    const updated = replaceSection(readme, table)!;
    expect(updated.startsWith('# Title\n\nBefore.\n\n')).toBe(true);
    expect(updated.endsWith(`${END}\n\nAfter.\n`)).toBe(true);
    expect(updated).toContain(table);
    expect(isStale(readme, table)).toBe(true);
    expect(isStale(updated, table)).toBe(false);
    expect(replaceSection('# No markers\n', table)).toBeNull();
    expect(isStale('# No markers\n', table)).toBe(false);
  });
});
