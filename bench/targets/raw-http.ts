import http from 'node:http';
import {
  CountedPool,
  InsuranceHttp,
  addressText,
  listen,
  readBody,
  runTarget,
  serveMetrics,
  targetEnv,
} from './common';
import { SQL } from './sql';

/**
 * raw-http: the limit for any Node service over this data. A hand-written endpoint that knows
 * each request by its operation name, issues the gateway's SQL with pg (one statement per
 * national database per level, independent levels in parallel), and writes the JSON the gateway
 * would answer itself. No GraphQL, no access control, no log. Statements are prepared once per
 * connection. Insurance comes from the agency's HTTP service, a record with its contributions
 * in one call, as the gateway's adapter reads it; raw-http-sql (INSURANCE_OVER=sql) reads the
 * agency's tables instead, to show what the hop costs. Reference data (administrative units) is read once at start, as the gateway's
 * cache holds it in steady state.
 */

interface CitizenRow {
  id: string;
  fullName: string;
  dateOfBirth: string;
  sex: string;
  householdId: string;
  permanentStreet: string;
  permanentCommuneCode: string;
  permanentLegacyCommuneCode: string | null;
  updatedAt: Date;
}

interface EnterpriseRow {
  code: string;
  name: string;
  typeCode: string;
  typeName: string;
  status: string;
  foundedOn: string;
  charterCapital: number;
  headOfficeStreet: string;
  headOfficeCommuneCode: string;
  updatedAt: Date;
}

type RoleRow = EnterpriseRow & {
  enterpriseCode: string;
  citizenId: string;
  role: string;
  since: string;
};

interface RightRow {
  holderId: string;
  share: number;
  since: string;
  id: string;
  area: number;
  landUseCode: string;
  street: string;
  communeCode: string;
}

interface RecordRow {
  socialInsuranceNumber: string;
  citizenId: string;
  status: string;
  contributions: ContributionRow[];
}

interface ContributionRow {
  socialInsuranceNumber: string;
  employerCode: string;
  fromMonth: string;
  toMonth: string | null;
  monthlySalary: number;
}

interface ServantRow {
  code: string;
  citizenId: string;
  position: string;
  agencyCode: string;
  agencyName: string;
}

interface Unit {
  code: string;
  name: string;
  provinceCode: string | null;
}

interface LegacyUnit {
  code: string;
  name: string;
  parentCode: string | null;
}

function groupBy<R>(rows: R[], key: (row: R) => string): Map<string, R[]> {
  const map = new Map<string, R[]>();
  for (const row of rows) {
    const list = map.get(key(row));
    if (list) list.push(row);
    else map.set(key(row), [row]);
  }
  return map;
}

async function start(): Promise<() => Promise<void>> {
  const env = targetEnv();
  const db = new CountedPool(env, true);
  const insurance = env.insuranceOver === 'http' ? new InsuranceHttp(env, db.counter) : null;
  const recordsOf = async (ids: string[]): Promise<RecordRow[]> =>
    insurance
      ? (await insurance.lookup<RecordRow | null>('recordsWithContributionsByCitizen', ids)).filter(
          (record): record is RecordRow => record !== null,
        )
      : db.query<RecordRow>('insurance', SQL.recordsWithContributionsByCitizen, [ids]);
  const units = new Map(
    (await db.pool.query<Unit>(SQL.units)).rows.map((unit) => [unit.code, unit] as const),
  );
  const legacyUnits = new Map(
    (await db.pool.query<LegacyUnit>(SQL.legacyUnits)).rows.map((unit) => [unit.code, unit]),
  );

  function address(street: string, communeCode: string): { text: string } {
    const commune = units.get(communeCode);
    const province = commune?.provinceCode ? units.get(commune.provinceCode) : undefined;
    return { text: addressText(street, commune, province) };
  }

  function legacyAddress(street: string, code: string): { text: string } {
    const commune = legacyUnits.get(code);
    const district = commune?.parentCode ? legacyUnits.get(commune.parentCode) : undefined;
    const province = district?.parentCode ? legacyUnits.get(district.parentCode) : undefined;
    return {
      text: [street, commune?.name, district?.name, province?.name].filter(Boolean).join(', '),
    };
  }

  function landRight(right: RightRow) {
    return {
      share: right.share,
      since: right.since,
      parcel: {
        id: right.id,
        area: right.area,
        landUseCode: right.landUseCode,
        address: address(right.street, right.communeCode),
      },
    };
  }

  async function rightsOf(ids: string[]): Promise<Map<string, RightRow[]>> {
    if (ids.length === 0) return new Map();
    const rows = await db.query<RightRow>('land', SQL.rightsOfHolders, [
      ids.map(() => 'CITIZEN'),
      ids,
    ]);
    return groupBy(rows, (row) => row.holderId);
  }

  /** W1 and W2: citizens with address, enterprises, land, insurance and civil service. */
  async function profiles(ids: string[]) {
    const unique = [...new Set(ids)];
    const [citizens, roles, rights, records, servants] = await Promise.all([
      db.query<CitizenRow>('population', SQL.citizensById, [unique]),
      db.query<RoleRow>('enterprise', SQL.rolesOfCitizens, [unique]),
      rightsOf(unique),
      recordsOf(unique),
      db.query<ServantRow>('civil_service', SQL.servantsByCitizen, [unique]),
    ]);
    const contributions = records.flatMap((record) => record.contributions);
    // Employers already read with the roles are not read again, as the gateway's primed loader does.
    const enterprises = new Map<string, { code: string; name: string }>();
    for (const role of roles) enterprises.set(role.code, role);
    const missing = [...new Set(contributions.map((c) => c.employerCode))].filter(
      (code) => !enterprises.has(code),
    );
    if (missing.length > 0) {
      for (const row of await db.query<EnterpriseRow>('enterprise', SQL.enterprisesByCode, [
        missing,
      ])) {
        enterprises.set(row.code, row);
      }
    }

    const citizenById = new Map(citizens.map((row) => [row.id, row]));
    const rolesOf = groupBy(roles, (row) => row.citizenId);
    const recordOf = new Map<string, RecordRow>();
    for (const record of records)
      if (!recordOf.has(record.citizenId)) recordOf.set(record.citizenId, record);
    const servantOf = new Map(servants.map((row) => [row.citizenId, row]));

    return ids.map((id) => {
      const citizen = citizenById.get(id);
      if (!citizen) return null;
      const record = recordOf.get(id);
      const servant = servantOf.get(id);
      return {
        id: citizen.id,
        fullName: citizen.fullName,
        dateOfBirth: citizen.dateOfBirth,
        sex: citizen.sex,
        permanentAddress: {
          text: address(citizen.permanentStreet, citizen.permanentCommuneCode).text,
          legacy: citizen.permanentLegacyCommuneCode
            ? legacyAddress(citizen.permanentStreet, citizen.permanentLegacyCommuneCode)
            : null,
        },
        enterprises: (rolesOf.get(id) ?? []).map((role) => ({
          role: role.role,
          since: role.since,
          enterprise: { code: role.code, name: role.name, status: role.status },
        })),
        landRights: (rights.get(id) ?? []).map(landRight),
        insurance: record
          ? {
              socialInsuranceNumber: record.socialInsuranceNumber,
              status: record.status,
              contributions: record.contributions.map((c) => {
                const employer = enterprises.get(c.employerCode);
                return {
                  fromMonth: c.fromMonth,
                  toMonth: c.toMonth,
                  monthlySalary: c.monthlySalary,
                  employer: employer ? { code: employer.code, name: employer.name } : null,
                };
              }),
            }
          : null,
        civilService: servant
          ? {
              code: servant.code,
              position: servant.position,
              agency: { code: servant.agencyCode, name: servant.agencyName },
            }
          : null,
        source: { updatedAt: citizen.updatedAt.toISOString() },
      };
    });
  }

  /** W4: an enterprise, its legal representatives and their land rights. */
  async function enterprise(code: string) {
    const [[row], roles] = await Promise.all([
      db.query<EnterpriseRow>('enterprise', SQL.enterprisesByCode, [[code.slice(0, 10)]]),
      db.query<RoleRow>('enterprise', SQL.rolesInEnterprises, [[code.slice(0, 10)]]),
    ]);
    if (!row) return null;
    const ids = roles
      .filter((role) => role.role === 'LEGAL_REPRESENTATIVE')
      .map((r) => r.citizenId);
    const unique = [...new Set(ids)];
    const [citizens, rights] =
      unique.length === 0
        ? [[], new Map<string, RightRow[]>()]
        : await Promise.all([
            db.query<CitizenRow>('population', SQL.citizensById, [unique]),
            rightsOf(unique),
          ]);
    const citizenById = new Map(citizens.map((citizen) => [citizen.id, citizen]));
    return {
      code: row.code,
      name: row.name,
      status: row.status,
      foundedOn: row.foundedOn,
      charterCapital: row.charterCapital,
      type: { code: row.typeCode, name: row.typeName },
      headOffice: address(row.headOfficeStreet, row.headOfficeCommuneCode),
      representatives: ids
        .map((id) => citizenById.get(id))
        .filter((citizen): citizen is CitizenRow => citizen !== undefined)
        .map((citizen) => ({
          id: citizen.id,
          fullName: citizen.fullName,
          dateOfBirth: citizen.dateOfBirth,
          landRights: (rights.get(citizen.id) ?? []).map(landRight),
        })),
      source: { updatedAt: row.updatedAt.toISOString() },
    };
  }

  /** P1: a citizen and the members of the household. */
  async function household(id: string) {
    const [citizen] = await db.query<CitizenRow>('population', SQL.citizensById, [[id]]);
    if (!citizen) return null;
    const [households, members] = await Promise.all([
      db.query<{ id: string }>('population', SQL.householdsById, [[citizen.householdId]]),
      db.query<CitizenRow>('population', SQL.membersOfHouseholds, [[citizen.householdId]]),
    ]);
    return {
      id: citizen.id,
      fullName: citizen.fullName,
      household:
        households.length === 0
          ? null
          : { members: members.map((member) => ({ id: member.id, fullName: member.fullName })) },
    };
  }

  async function answer(body: {
    operationName?: string;
    variables?: Record<string, unknown>;
  }): Promise<unknown> {
    const variables = body.variables ?? {};
    switch (body.operationName) {
      case 'CitizenProfile':
        return { citizen: (await profiles([String(variables.id)]))[0] };
      case 'CitizenProfiles':
        return { citizens: await profiles((variables.ids as string[]).map(String)) };
      case 'EnterpriseRepresentatives':
        return { enterprise: await enterprise(String(variables.code)) };
      case 'CitizenHousehold':
        return { citizen: await household(String(variables.id)) };
      default:
        throw new Error(`raw-http does not answer operation ${body.operationName}`);
    }
  }

  const server = http.createServer((req, res) => {
    readBody(req)
      .then(async (text) => {
        const data = await answer(JSON.parse(text));
        const json = JSON.stringify({ data });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
        res.end(json);
      })
      .catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ errors: [{ message: String(error) }] }));
      });
  });
  await listen(server, env.port);
  const metrics = await serveMetrics(env.metricsPort, () => db.counter.snapshot());
  return async () => {
    metrics.close();
    await new Promise((resolve) => server.close(resolve));
    await insurance?.close();
    await db.pool.end();
  };
}

runTarget('raw-http', start);
