import { alignOne, distinct } from '../batch';
import type { SqlReader } from '../source';

/** A taxpayer with its tax office, as the tax registration database holds it. */
export interface TaxpayerRow {
  taxCode: string;
  kind: 'ENTERPRISE' | 'INDIVIDUAL';
  name: string;
  taxOfficeCode: string;
  taxOfficeName: string;
  taxOfficeProvinceCode: string;
  registeredOn: string;
  status: string;
  obligationsFulfilled: boolean;
  outstandingAmount: number;
  obligationsAsOf: string;
  updatedAt: Date;
}

const TAXPAYER_COLUMNS = `t.tax_code AS "taxCode", t.kind, t.name, t.tax_office_code AS "taxOfficeCode",
  o.name AS "taxOfficeName", o.province_code AS "taxOfficeProvinceCode",
  t.registered_on::text AS "registeredOn", t.status, t.obligations_fulfilled AS "obligationsFulfilled",
  t.outstanding_amount::float8 AS "outstandingAmount", t.obligations_as_of::text AS "obligationsAsOf",
  t.updated_at AS "updatedAt"`;

/** Reads of the tax registration database (finance); each takes a batch of keys and makes one call. */
export class FinanceAdapter {
  constructor(private readonly source: SqlReader) {}

  /** Taxpayers by tax code: enterprise codes and personal identification numbers alike. */
  async taxpayersByCode(codes: readonly string[]): Promise<(TaxpayerRow | null)[]> {
    const rows = await this.source.select<TaxpayerRow>(
      `SELECT ${TAXPAYER_COLUMNS} FROM finance.taxpayers t
       JOIN finance.tax_offices o ON o.code = t.tax_office_code WHERE t.tax_code = ANY(?)`,
      [distinct(codes)],
    );
    return alignOne(codes, rows, (row) => row.taxCode);
  }
}
