import { alignMany, alignOne, distinct } from '../batch';
import type { SqlReader } from '../source';

/** An administrative unit in force since 1 July 2025. */
export interface UnitRow {
  code: string;
  name: string;
  level: 'PROVINCE' | 'COMMUNE';
  kind: string;
  provinceCode: string | null;
  validFrom: string;
  updatedAt: Date;
}

/** A pre-2025 unit and the current unit that took it over. */
export interface LegacyUnitRow {
  code: string;
  name: string;
  level: 'PROVINCE' | 'DISTRICT' | 'COMMUNE';
  kind: string;
  parentCode: string | null;
  successorCode: string;
  validUntil: string;
}

/** A further successor of a pre-2025 commune split between several, with one village or street it took. */
export interface LegacySuccessorRow {
  legacyCode: string;
  successorCode: string;
  part: string;
}

const UNIT_COLUMNS = `code, name, level, kind, province_code AS "provinceCode", valid_from::text AS "validFrom",
  updated_at AS "updatedAt"`;
const LEGACY_COLUMNS = `code, name, level, kind, parent_code AS "parentCode", successor_code AS "successorCode",
  valid_until::text AS "validUntil"`;

/** Reads of the administrative-unit catalogue; each takes a batch of keys and makes one call. */
export class ReferenceAdapter {
  constructor(private readonly source: SqlReader) {}

  async unitsByCode(codes: readonly string[]): Promise<(UnitRow | null)[]> {
    const rows = await this.source.select<UnitRow>(
      `SELECT ${UNIT_COLUMNS} FROM reference.units WHERE code = ANY(?)`,
      [distinct(codes)],
    );
    return alignOne(codes, rows, (row) => row.code);
  }

  async legacyUnitsByCode(codes: readonly string[]): Promise<(LegacyUnitRow | null)[]> {
    const rows = await this.source.select<LegacyUnitRow>(
      `SELECT ${LEGACY_COLUMNS} FROM reference.legacy_units WHERE code = ANY(?)`,
      [distinct(codes)],
    );
    return alignOne(codes, rows, (row) => row.code);
  }

  /** The pre-2025 units each current unit replaced. */
  async predecessorsOf(codes: readonly string[]): Promise<LegacyUnitRow[][]> {
    const rows = await this.source.select<LegacyUnitRow>(
      `SELECT ${LEGACY_COLUMNS} FROM reference.legacy_units WHERE successor_code = ANY(?) ORDER BY code`,
      [distinct(codes)],
    );
    return alignMany(codes, rows, (row) => row.successorCode);
  }

  /** The further successors of each pre-2025 commune that was split, with the parts they took. */
  async furtherSuccessorsOf(codes: readonly string[]): Promise<LegacySuccessorRow[][]> {
    const rows = await this.source.select<LegacySuccessorRow>(
      `SELECT legacy_code AS "legacyCode", successor_code AS "successorCode", part
       FROM reference.legacy_successors WHERE legacy_code = ANY(?) ORDER BY successor_code, part`,
      [distinct(codes)],
    );
    return alignMany(codes, rows, (row) => row.legacyCode);
  }
}
