import DataLoader from 'dataloader';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import {
  CountedPool,
  InsuranceHttp,
  addressText,
  runTarget,
  serveMetrics,
  targetEnv,
} from './common';

/**
 * apollo-minimal: what a typical team writes. Apollo Server's standalone server, a hand-written
 * schema covering the fields the workloads ask, and one DataLoader per table built per request,
 * joining only where a row is useless alone (a role with its enterprise, a right with its
 * parcel, a unit with its province). No access control, no log, no cache across requests.
 * Insurance records and their contributions come from the agency's HTTP service, one call per
 * loader batch, as the gateway must reach them; apollo-minimal-sql (INSURANCE_OVER=sql) reads
 * the agency's tables instead.
 */

const typeDefs = `#graphql
type Query {
  citizen(id: ID!): Citizen
  citizens(ids: [ID!]!): [Citizen]!
  enterprise(code: ID!): Enterprise
}
type Source { updatedAt: String! }
type Address { text: String! legacy: LegacyAddress }
type LegacyAddress { text: String! }
type Citizen {
  id: ID!
  fullName: String!
  dateOfBirth: String!
  sex: String!
  permanentAddress: Address!
  enterprises: [EnterpriseRole!]!
  landRights: [LandRight!]!
  insurance: InsuranceRecord
  civilService: CivilServant
  source: Source!
}
type EnterpriseRole { role: String! since: String! enterprise: Enterprise! }
type EnterpriseType { code: ID! name: String! }
type Enterprise {
  code: ID!
  name: String!
  status: String!
  foundedOn: String!
  charterCapital: Float!
  type: EnterpriseType!
  headOffice: Address!
  representatives: [Citizen!]!
  source: Source!
}
type LandRight { share: Float! since: String! parcel: LandParcel! }
type LandParcel { id: ID! area: Float! landUseCode: String! address: Address! }
type InsuranceRecord {
  socialInsuranceNumber: ID!
  status: String!
  contributions: [Contribution!]!
}
type Contribution { fromMonth: String! toMonth: String monthlySalary: Float! employer: Enterprise }
type CivilServant { code: ID! position: String! agency: Agency! }
type Agency { code: ID! name: String! }
`;

interface Citizen {
  id: string;
  fullName: string;
  dateOfBirth: string;
  sex: string;
  street: string;
  communeCode: string;
  legacyCommuneCode: string | null;
  updatedAt: Date;
}
interface Enterprise {
  code: string;
  name: string;
  status: string;
  foundedOn: string;
  charterCapital: number;
  typeCode: string;
  typeName: string;
  street: string;
  communeCode: string;
  updatedAt: Date;
}
interface Role {
  citizenId: string;
  enterpriseCode: string;
  role: string;
  since: string;
  enterprise: Enterprise;
}
interface Right {
  holderId: string;
  share: number;
  since: string;
  parcel: { id: string; area: number; landUseCode: string; street: string; communeCode: string };
}
interface InsuranceRecord {
  socialInsuranceNumber: string;
  citizenId: string;
  status: string;
}
interface Contribution {
  socialInsuranceNumber: string;
  employerCode: string;
  fromMonth: string;
  toMonth: string | null;
  monthlySalary: number;
}
interface Servant {
  code: string;
  citizenId: string;
  position: string;
  agency: { code: string; name: string };
}
interface AddressParent {
  street: string;
  communeCode: string;
  legacyCommuneCode?: string | null;
}
interface Unit {
  code: string;
  name: string;
  provinceName: string | null;
}
interface LegacyUnit {
  code: string;
  commune: string;
  district: string | null;
  province: string | null;
}

const ENTERPRISE = `e.code, e.name, e.status, e.founded_on::text AS "foundedOn",
  e.charter_capital::float8 AS "charterCapital", e.type_code AS "typeCode", t.name AS "typeName",
  e.head_office_street AS street, e.head_office_commune_code AS "communeCode", e.updated_at AS "updatedAt"`;

function byKey<R>(keys: readonly string[], rows: R[], key: (row: R) => string): (R | null)[] {
  const map = new Map(rows.map((row) => [key(row), row]));
  return keys.map((k) => map.get(k) ?? null);
}

function allByKey<R>(keys: readonly string[], rows: R[], key: (row: R) => string): R[][] {
  const map = new Map<string, R[]>();
  for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
  return keys.map((k) => map.get(k) ?? []);
}

function createLoaders(db: CountedPool, insurance: InsuranceHttp | null) {
  const rights = async (ids: readonly string[]) => {
    const rows = await db.query<Right & Right['parcel']>(
      'land',
      `SELECT h.holder_id AS "holderId", h.share::float8 AS share, h.since::text AS since, p.id,
         p.area::float8 AS area, p.land_use_code AS "landUseCode", p.street, p.commune_code AS "communeCode"
       FROM land.holders h JOIN land.parcels p ON p.id = h.parcel_id
       WHERE h.holder_kind = 'CITIZEN' AND h.holder_id = ANY($1) ORDER BY h.since, h.parcel_id`,
      [ids],
    );
    const mapped = rows.map((r) => ({
      holderId: r.holderId,
      share: r.share,
      since: r.since,
      parcel: {
        id: r.id,
        area: r.area,
        landUseCode: r.landUseCode,
        street: r.street,
        communeCode: r.communeCode,
      },
    }));
    return allByKey(ids, mapped, (r) => r.holderId);
  };
  const roles = (column: 'citizen_id' | 'enterprise_code', order: string) => {
    return async (keys: readonly string[]) => {
      const rows = await db.query<
        Enterprise & { citizenId: string; role: string; roleSince: string }
      >(
        'enterprise',
        `SELECT p.citizen_id AS "citizenId", p.role, p.since::text AS "roleSince", ${ENTERPRISE}
         FROM enterprise.enterprise_people p JOIN enterprise.enterprises e ON e.code = p.enterprise_code
         JOIN enterprise.enterprise_types t ON t.code = e.type_code
         WHERE p.${column} = ANY($1) ORDER BY ${order}`,
        [keys],
      );
      const mapped: Role[] = rows.map(({ citizenId, role, roleSince, ...enterprise }) => ({
        citizenId,
        enterpriseCode: enterprise.code,
        role,
        since: roleSince,
        enterprise,
      }));
      return allByKey(keys, mapped, (r) =>
        column === 'citizen_id' ? r.citizenId : r.enterpriseCode,
      );
    };
  };
  return {
    citizen: new DataLoader(async (ids: readonly string[]) =>
      byKey(
        ids,
        await db.query<Citizen>(
          'population',
          `SELECT id, full_name AS "fullName", date_of_birth::text AS "dateOfBirth", sex,
             permanent_street AS street, permanent_commune_code AS "communeCode",
             permanent_legacy_commune_code AS "legacyCommuneCode", updated_at AS "updatedAt"
           FROM population.citizens WHERE id = ANY($1)`,
          [ids],
        ),
        (row) => row.id,
      ),
    ),
    enterprise: new DataLoader(async (codes: readonly string[]) =>
      byKey(
        codes,
        await db.query<Enterprise>(
          'enterprise',
          `SELECT ${ENTERPRISE} FROM enterprise.enterprises e
           JOIN enterprise.enterprise_types t ON t.code = e.type_code WHERE e.code = ANY($1)`,
          [codes],
        ),
        (row) => row.code,
      ),
    ),
    rolesOfCitizen: new DataLoader(roles('citizen_id', 'p.since, p.enterprise_code')),
    rolesInEnterprise: new DataLoader(
      roles('enterprise_code', `(p.role = 'LEGAL_REPRESENTATIVE') DESC, p.since, p.citizen_id`),
    ),
    landRights: new DataLoader(rights),
    insurance: new DataLoader(async (ids: readonly string[]) =>
      insurance
        ? insurance.lookup<InsuranceRecord | null>('recordsByCitizen', ids)
        : byKey(
            ids,
            await db.query<InsuranceRecord>(
              'insurance',
              `SELECT social_insurance_number AS "socialInsuranceNumber", citizen_id AS "citizenId", status
           FROM insurance.insurance_records WHERE citizen_id = ANY($1)`,
              [ids],
            ),
            (row) => row.citizenId,
          ),
    ),
    contributions: new DataLoader(async (numbers: readonly string[]) =>
      insurance
        ? insurance.lookup<Contribution[]>('contributionsByNumber', numbers)
        : allByKey(
            numbers,
            await db.query<Contribution>(
              'insurance',
              `SELECT social_insurance_number AS "socialInsuranceNumber", employer_code AS "employerCode",
             from_month::text AS "fromMonth", to_month::text AS "toMonth",
             monthly_salary::float8 AS "monthlySalary"
           FROM insurance.contributions WHERE social_insurance_number = ANY($1) ORDER BY from_month, id`,
              [numbers],
            ),
            (row) => row.socialInsuranceNumber,
          ),
    ),
    civilServant: new DataLoader(async (ids: readonly string[]) => {
      const rows = await db.query<
        Omit<Servant, 'agency'> & { agencyCode: string; agencyName: string }
      >(
        'civil_service',
        `SELECT s.code, s.citizen_id AS "citizenId", s.position, a.code AS "agencyCode", a.name AS "agencyName"
         FROM civil_service.civil_servants s JOIN civil_service.agencies a ON a.code = s.agency_code
         WHERE s.citizen_id = ANY($1)`,
        [ids],
      );
      const mapped: Servant[] = rows.map(({ agencyCode, agencyName, ...servant }) => ({
        ...servant,
        agency: { code: agencyCode, name: agencyName },
      }));
      return byKey(ids, mapped, (row) => row.citizenId);
    }),
    unit: new DataLoader(async (codes: readonly string[]) =>
      byKey(
        codes,
        await db.query<Unit>(
          'reference',
          `SELECT u.code, u.name, p.name AS "provinceName" FROM reference.units u
           LEFT JOIN reference.units p ON p.code = u.province_code WHERE u.code = ANY($1)`,
          [codes],
        ),
        (row) => row.code,
      ),
    ),
    legacyUnit: new DataLoader(async (codes: readonly string[]) =>
      byKey(
        codes,
        await db.query<LegacyUnit>(
          'reference',
          `SELECT c.code, c.name AS commune, d.name AS district, p.name AS province
           FROM reference.legacy_units c
           LEFT JOIN reference.legacy_units d ON d.code = c.parent_code
           LEFT JOIN reference.legacy_units p ON p.code = d.parent_code
           WHERE c.code = ANY($1)`,
          [codes],
        ),
        (row) => row.code,
      ),
    ),
  };
}

interface Context {
  loaders: ReturnType<typeof createLoaders>;
}

const source = { updatedAt: (row: { updatedAt: Date }) => row.updatedAt.toISOString() };

const resolvers = {
  Query: {
    citizen: (_: unknown, args: { id: string }, ctx: Context) => ctx.loaders.citizen.load(args.id),
    citizens: (_: unknown, args: { ids: string[] }, ctx: Context) =>
      ctx.loaders.citizen.loadMany(args.ids),
    enterprise: (_: unknown, args: { code: string }, ctx: Context) =>
      ctx.loaders.enterprise.load(args.code.slice(0, 10)),
  },
  Citizen: {
    permanentAddress: (c: Citizen): AddressParent => c,
    enterprises: (c: Citizen, _: unknown, ctx: Context) => ctx.loaders.rolesOfCitizen.load(c.id),
    landRights: (c: Citizen, _: unknown, ctx: Context) => ctx.loaders.landRights.load(c.id),
    insurance: (c: Citizen, _: unknown, ctx: Context) => ctx.loaders.insurance.load(c.id),
    civilService: (c: Citizen, _: unknown, ctx: Context) => ctx.loaders.civilServant.load(c.id),
    source: (c: Citizen) => c,
  },
  Source: source,
  Address: {
    text: async (a: AddressParent, _: unknown, ctx: Context) => {
      const unit = await ctx.loaders.unit.load(a.communeCode);
      return addressText(a.street, unit, unit?.provinceName ? { name: unit.provinceName } : null);
    },
    legacy: (a: AddressParent) => (a.legacyCommuneCode ? a : null),
  },
  LegacyAddress: {
    text: async (a: AddressParent, _: unknown, ctx: Context) => {
      const unit = await ctx.loaders.legacyUnit.load(a.legacyCommuneCode as string);
      return [a.street, unit?.commune, unit?.district, unit?.province].filter(Boolean).join(', ');
    },
  },
  Enterprise: {
    type: (e: Enterprise) => ({ code: e.typeCode, name: e.typeName }),
    headOffice: (e: Enterprise): AddressParent => e,
    representatives: async (e: Enterprise, _: unknown, ctx: Context) => {
      const roles = await ctx.loaders.rolesInEnterprise.load(e.code);
      const ids = roles.filter((r) => r.role === 'LEGAL_REPRESENTATIVE').map((r) => r.citizenId);
      const citizens = await ctx.loaders.citizen.loadMany(ids);
      return citizens.filter((c): c is Citizen => c !== null && !(c instanceof Error));
    },
    source: (e: Enterprise) => e,
  },
  LandParcel: { address: (p: Right['parcel']): AddressParent => p },
  InsuranceRecord: {
    contributions: (r: InsuranceRecord, _: unknown, ctx: Context) =>
      ctx.loaders.contributions.load(r.socialInsuranceNumber),
  },
  Contribution: {
    employer: (c: Contribution, _: unknown, ctx: Context) =>
      ctx.loaders.enterprise.load(c.employerCode),
  },
};

async function start(): Promise<() => Promise<void>> {
  const env = targetEnv();
  const db = new CountedPool(env);
  const insurance = env.insuranceOver === 'http' ? new InsuranceHttp(env, db.counter) : null;
  const server = new ApolloServer<Context>({ typeDefs, resolvers });
  await startStandaloneServer(server, {
    listen: { port: env.port, host: '127.0.0.1' },
    context: async () => ({ loaders: createLoaders(db, insurance) }),
  });
  const metrics = await serveMetrics(env.metricsPort, () => db.counter.snapshot());
  return async () => {
    metrics.close();
    await server.stop();
    await insurance?.close();
    await db.pool.end();
  };
}

runTarget('apollo-minimal', start);
