import { alignOne, distinct } from '../batch';
import type { SqlReader } from '../source';

/** An agency or public unit. */
export interface AgencyRow {
  code: string;
  name: string;
  level: string;
  provinceCode: string | null;
  updatedAt: Date;
}

/** A civil servant with agency and rank joined in. */
export interface CivilServantRow {
  code: string;
  citizenId: string;
  position: string;
  rankCode: string;
  rankName: string;
  rankCategory: string;
  salaryGrade: number;
  salaryCoefficient: number;
  employment: string;
  startedOn: string;
  status: string;
  updatedAt: Date;
  agency: AgencyRow;
}

const SERVANT_SELECT = `SELECT s.code, s.citizen_id AS "citizenId", s.position, s.rank_code AS "rankCode",
    r.name AS "rankName", r.category AS "rankCategory", s.salary_grade AS "salaryGrade",
    s.salary_coefficient::float8 AS "salaryCoefficient", s.employment, s.started_on::text AS "startedOn",
    s.status, s.updated_at AS "updatedAt",
    a.code AS "agencyCode", a.name AS "agencyName", a.level AS "agencyLevel",
    a.province_code AS "agencyProvinceCode", a.updated_at AS "agencyUpdatedAt"
  FROM civil_service.civil_servants s
  JOIN civil_service.agencies a ON a.code = s.agency_code
  JOIN civil_service.ranks r ON r.code = s.rank_code`;

type FlatServantRow = Omit<CivilServantRow, 'agency'> & {
  agencyCode: string;
  agencyName: string;
  agencyLevel: string;
  agencyProvinceCode: string | null;
  agencyUpdatedAt: Date;
};

function splitServant(row: FlatServantRow): CivilServantRow {
  const { agencyCode, agencyName, agencyLevel, agencyProvinceCode, agencyUpdatedAt, ...servant } =
    row;
  return {
    ...servant,
    agency: {
      code: agencyCode,
      name: agencyName,
      level: agencyLevel,
      provinceCode: agencyProvinceCode,
      updatedAt: agencyUpdatedAt,
    },
  };
}

/** Reads of the civil servants database; each takes a batch of keys and makes one call. */
export class CivilServiceAdapter {
  constructor(private readonly source: SqlReader) {}

  async servantsByCode(codes: readonly string[]): Promise<(CivilServantRow | null)[]> {
    const rows = await this.source.select<FlatServantRow>(
      `${SERVANT_SELECT} WHERE s.code = ANY(?)`,
      [distinct(codes)],
    );
    return alignOne(codes, rows.map(splitServant), (row) => row.code);
  }

  async servantsByCitizen(citizenIds: readonly string[]): Promise<(CivilServantRow | null)[]> {
    const rows = await this.source.select<FlatServantRow>(
      `${SERVANT_SELECT} WHERE s.citizen_id = ANY(?)`,
      [distinct(citizenIds)],
    );
    return alignOne(citizenIds, rows.map(splitServant), (row) => row.citizenId);
  }
}
