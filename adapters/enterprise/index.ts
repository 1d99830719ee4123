import { alignMany, alignOne, distinct } from '../batch';
import type { SqlReader } from '../source';

/** An enterprise with its type, as the business registration database holds it. */
export interface EnterpriseRow {
  code: string;
  name: string;
  foreignName: string | null;
  shortName: string | null;
  typeCode: string;
  typeName: string;
  status: string;
  foundedOn: string;
  charterCapital: number;
  headOfficeStreet: string;
  headOfficeCommuneCode: string;
  phone: string | null;
  email: string | null;
  updatedAt: Date;
}

/** A person's role in an enterprise, with the enterprise itself joined in. */
export interface EnterpriseRoleRow {
  enterpriseCode: string;
  citizenId: string;
  role: string;
  title: string | null;
  capitalShare: number | null;
  since: string;
  roleUpdatedAt: Date;
  enterprise: EnterpriseRow;
}

export interface BusinessLineRow {
  enterpriseCode: string;
  code: string;
  isMain: boolean;
}

export interface BranchRow {
  code: string;
  enterpriseCode: string;
  name: string;
  kind: string;
  street: string;
  communeCode: string;
  status: string;
  updatedAt: Date;
}

export interface IndustryCodeRow {
  code: string;
  name: string;
}

const ENTERPRISE_COLUMNS = `e.code, e.name, e.foreign_name AS "foreignName", e.short_name AS "shortName",
  e.type_code AS "typeCode", t.name AS "typeName", e.status, e.founded_on::text AS "foundedOn",
  e.charter_capital::float8 AS "charterCapital", e.head_office_street AS "headOfficeStreet",
  e.head_office_commune_code AS "headOfficeCommuneCode", e.phone, e.email, e.updated_at AS "updatedAt"`;

const ROLE_COLUMNS = `p.enterprise_code AS "enterpriseCode", p.citizen_id AS "citizenId", p.role, p.title,
  p.capital_share::float8 AS "capitalShare", p.since::text AS since, p.updated_at AS "roleUpdatedAt"`;

const BRANCH_COLUMNS = `code, enterprise_code AS "enterpriseCode", name, kind, street,
  commune_code AS "communeCode", status, updated_at AS "updatedAt"`;

/** The records an enterprise links to, which a read of enterprises can bring in the same statement. */
export type EnterpriseLink = 'businessLines' | 'roles';

/** An enterprise with the linked records a read asked for. */
export type EnterpriseWithLinks = EnterpriseRow & {
  businessLines?: BusinessLineRow[];
  /** Everyone holding a role, representatives first, as rolesInEnterprises orders them. */
  roles?: EnterpriseRoleRow[];
};

/** Each linked list as a JSON array, aggregated in the same statement as the enterprise. */
const EMBEDDED: Record<EnterpriseLink, string> = {
  businessLines: `COALESCE((SELECT json_agg(json_build_object(
      'enterpriseCode', l.enterprise_code, 'code', l.industry_code, 'isMain', l.is_main)
    ORDER BY l.is_main DESC, l.industry_code)
    FROM enterprise.enterprise_business_lines l WHERE l.enterprise_code = e.code), '[]'::json)
    AS "businessLines"`,
  roles: `COALESCE((SELECT json_agg(json_build_object(
      'enterpriseCode', p.enterprise_code, 'citizenId', p.citizen_id, 'role', p.role,
      'title', p.title, 'capitalShare', p.capital_share::float8, 'since', p.since::text,
      'roleUpdatedAt', p.updated_at)
    ORDER BY (p.role = 'LEGAL_REPRESENTATIVE') DESC, p.since, p.citizen_id)
    FROM enterprise.enterprise_people p WHERE p.enterprise_code = e.code), '[]'::json) AS roles`,
};

type FlatRoleRow = Omit<EnterpriseRoleRow, 'enterprise'> & EnterpriseRow;

function splitRole(row: FlatRoleRow): EnterpriseRoleRow {
  const {
    enterpriseCode,
    citizenId,
    role,
    title,
    capitalShare,
    since,
    roleUpdatedAt,
    ...enterprise
  } = row;
  return { enterpriseCode, citizenId, role, title, capitalShare, since, roleUpdatedAt, enterprise };
}

/** Reads of the enterprise registration database; each takes a batch of keys and makes one call. */
export class EnterpriseAdapter {
  constructor(private readonly source: SqlReader) {}

  async enterprisesByCode(codes: readonly string[]): Promise<(EnterpriseRow | null)[]> {
    const rows = await this.source.select<EnterpriseRow>(
      `SELECT ${ENTERPRISE_COLUMNS} FROM enterprise.enterprises e
       JOIN enterprise.enterprise_types t ON t.code = e.type_code WHERE e.code = ANY(?)`,
      [distinct(codes)],
    );
    return alignOne(codes, rows, (row) => row.code);
  }

  /**
   * Enterprises with the records they link to in this database (business lines, people), in
   * ONE statement: a query that reads an enterprise and its representatives' roles costs one call.
   */
  async enterprisesWithLinks(
    codes: readonly string[],
    links: readonly EnterpriseLink[],
  ): Promise<(EnterpriseWithLinks | null)[]> {
    const embedded = links.map((link) => `, ${EMBEDDED[link]}`).join('');
    const rows = await this.source.select<
      EnterpriseRow & {
        businessLines?: BusinessLineRow[];
        roles?: (Omit<EnterpriseRoleRow, 'enterprise' | 'roleUpdatedAt'> & {
          roleUpdatedAt: string;
        })[];
      }
    >(
      `SELECT ${ENTERPRISE_COLUMNS}${embedded} FROM enterprise.enterprises e
       JOIN enterprise.enterprise_types t ON t.code = e.type_code WHERE e.code = ANY(?)`,
      [distinct(codes)],
    );
    const enterprises = rows.map(({ roles, ...row }): EnterpriseWithLinks => {
      if (!roles) return row;
      return {
        ...row,
        roles: roles.map((role) => ({
          ...role,
          roleUpdatedAt: new Date(role.roleUpdatedAt),
          enterprise: row,
        })),
      };
    });
    return alignOne(codes, enterprises, (row) => row.code);
  }

  /** Every role each citizen holds, with the enterprise, in one statement. */
  async rolesOfCitizens(citizenIds: readonly string[]): Promise<EnterpriseRoleRow[][]> {
    const rows = await this.source.select<FlatRoleRow>(
      `SELECT ${ROLE_COLUMNS}, ${ENTERPRISE_COLUMNS} FROM enterprise.enterprise_people p
       JOIN enterprise.enterprises e ON e.code = p.enterprise_code
       JOIN enterprise.enterprise_types t ON t.code = e.type_code
       WHERE p.citizen_id = ANY(?) ORDER BY p.since, p.enterprise_code, p.role`,
      [distinct(citizenIds)],
    );
    return alignMany(citizenIds, rows.map(splitRole), (row) => row.citizenId);
  }

  /** Everyone holding a role in each enterprise, representatives first. */
  async rolesInEnterprises(codes: readonly string[]): Promise<EnterpriseRoleRow[][]> {
    const rows = await this.source.select<FlatRoleRow>(
      `SELECT ${ROLE_COLUMNS}, ${ENTERPRISE_COLUMNS} FROM enterprise.enterprise_people p
       JOIN enterprise.enterprises e ON e.code = p.enterprise_code
       JOIN enterprise.enterprise_types t ON t.code = e.type_code
       WHERE p.enterprise_code = ANY(?)
       ORDER BY (p.role = 'LEGAL_REPRESENTATIVE') DESC, p.since, p.citizen_id`,
      [distinct(codes)],
    );
    return alignMany(codes, rows.map(splitRole), (row) => row.enterpriseCode);
  }

  async businessLinesOf(codes: readonly string[]): Promise<BusinessLineRow[][]> {
    const rows = await this.source.select<BusinessLineRow>(
      `SELECT enterprise_code AS "enterpriseCode", industry_code AS code, is_main AS "isMain"
       FROM enterprise.enterprise_business_lines
       WHERE enterprise_code = ANY(?) ORDER BY is_main DESC, industry_code`,
      [distinct(codes)],
    );
    return alignMany(codes, rows, (row) => row.enterpriseCode);
  }

  async branchesOf(codes: readonly string[]): Promise<BranchRow[][]> {
    const rows = await this.source.select<BranchRow>(
      `SELECT ${BRANCH_COLUMNS} FROM enterprise.branches WHERE enterprise_code = ANY(?) ORDER BY code`,
      [distinct(codes)],
    );
    return alignMany(codes, rows, (row) => row.enterpriseCode);
  }

  async branchesByCode(codes: readonly string[]): Promise<(BranchRow | null)[]> {
    const rows = await this.source.select<BranchRow>(
      `SELECT ${BRANCH_COLUMNS} FROM enterprise.branches WHERE code = ANY(?)`,
      [distinct(codes)],
    );
    return alignOne(codes, rows, (row) => row.code);
  }

  /** Names of industry codes (VSIC): reference data, cached across requests by the caller. */
  async industryCodes(codes: readonly string[]): Promise<(IndustryCodeRow | null)[]> {
    const rows = await this.source.select<IndustryCodeRow>(
      `SELECT code, name FROM enterprise.industry_codes WHERE code = ANY(?)`,
      [distinct(codes)],
    );
    return alignOne(codes, rows, (row) => row.code);
  }
}
