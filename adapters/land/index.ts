import { alignMany, alignOne, distinct } from '../batch';
import type { SqlReader } from '../source';

/** A land parcel as the land database holds it. */
export interface ParcelRow {
  id: string;
  communeCode: string;
  mapSheet: number;
  parcelNumber: number;
  area: number;
  landUseCode: string;
  useTerm: string;
  useUntil: string | null;
  street: string;
  updatedAt: Date;
  /** Who holds a right on it (`CITIZEN:<id>` or `ENTERPRISE:<code>`): whose data the parcel is. */
  holderKeys: string[];
}

/** A holder's right on a parcel, with the parcel joined in. */
export interface LandRightRow {
  parcelId: string;
  holderKind: 'CITIZEN' | 'ENTERPRISE';
  holderId: string;
  share: number;
  certificateSerial: string;
  since: string;
  updatedAt: Date;
  parcel: ParcelRow;
}

export interface CertificateRow {
  serial: string;
  parcelId: string;
  bookEntry: string;
  issuedOn: string;
  issuedBy: string;
  updatedAt: Date;
}

export interface MortgageRow {
  id: string;
  parcelId: string;
  mortgagee: string;
  securedAmount: number;
  registeredOn: string;
  releasedOn: string | null;
  updatedAt: Date;
}

/** Who holds a right: the key of the holders index. */
export interface HolderKey {
  kind: 'CITIZEN' | 'ENTERPRISE';
  id: string;
}

const PARCEL_COLUMNS = `p.id, p.commune_code AS "communeCode", p.map_sheet AS "mapSheet",
  p.parcel_number AS "parcelNumber", p.area::float8 AS area, p.land_use_code AS "landUseCode",
  p.use_term AS "useTerm", p.use_until::text AS "useUntil", p.street, p.updated_at AS "updatedAt",
  ARRAY(SELECT k.holder_kind || ':' || k.holder_id FROM land.holders k WHERE k.parcel_id = p.id
    ORDER BY k.holder_kind, k.holder_id) AS "holderKeys"`;

const RIGHT_COLUMNS = `h.parcel_id AS "parcelId", h.holder_kind AS "holderKind", h.holder_id AS "holderId",
  h.share::float8 AS share, h.certificate_serial AS "certificateSerial", h.since::text AS since,
  h.updated_at AS "rightUpdatedAt"`;

type FlatRightRow = Omit<LandRightRow, 'parcel' | 'updatedAt'> & {
  rightUpdatedAt: Date;
} & ParcelRow;

function splitRight(row: FlatRightRow): LandRightRow {
  const {
    parcelId,
    holderKind,
    holderId,
    share,
    certificateSerial,
    since,
    rightUpdatedAt,
    ...parcel
  } = row;
  return {
    parcelId,
    holderKind,
    holderId,
    share,
    certificateSerial,
    since,
    updatedAt: rightUpdatedAt,
    parcel,
  };
}

/** The string form of a holder key, for maps and loaders. */
export function holderKey(key: HolderKey): string {
  return `${key.kind}:${key.id}`;
}

/** Reads of the land database; each takes a batch of keys and makes one call. */
export class LandAdapter {
  constructor(private readonly source: SqlReader) {}

  async parcelsById(ids: readonly string[]): Promise<(ParcelRow | null)[]> {
    const rows = await this.source.select<ParcelRow>(
      `SELECT ${PARCEL_COLUMNS} FROM land.parcels p WHERE p.id = ANY(?)`,
      [distinct(ids)],
    );
    return alignOne(ids, rows, (row) => row.id);
  }

  /** The rights each holder (citizen or enterprise) has, with their parcels, in one statement. */
  async rightsOfHolders(holders: readonly HolderKey[]): Promise<LandRightRow[][]> {
    const unique = [...new Map(holders.map((holder) => [holderKey(holder), holder])).values()];
    const rows = await this.source.select<FlatRightRow>(
      `SELECT ${RIGHT_COLUMNS}, ${PARCEL_COLUMNS} FROM land.holders h
       JOIN land.parcels p ON p.id = h.parcel_id
       WHERE (h.holder_kind, h.holder_id) IN (SELECT * FROM unnest(?::text[], ?::text[]))
       ORDER BY h.since, h.parcel_id`,
      [unique.map((holder) => holder.kind), unique.map((holder) => holder.id)],
    );
    return alignMany(holders.map(holderKey), rows.map(splitRight), (row) =>
      holderKey({ kind: row.holderKind, id: row.holderId }),
    );
  }

  /** The rights on each parcel, largest share first. */
  async rightsOnParcels(parcelIds: readonly string[]): Promise<LandRightRow[][]> {
    const rows = await this.source.select<FlatRightRow>(
      `SELECT ${RIGHT_COLUMNS}, ${PARCEL_COLUMNS} FROM land.holders h
       JOIN land.parcels p ON p.id = h.parcel_id
       WHERE h.parcel_id = ANY(?) ORDER BY h.share DESC, h.holder_id`,
      [distinct(parcelIds)],
    );
    return alignMany(parcelIds, rows.map(splitRight), (row) => row.parcelId);
  }

  async certificatesOf(parcelIds: readonly string[]): Promise<CertificateRow[][]> {
    const rows = await this.source.select<CertificateRow>(
      `SELECT serial, parcel_id AS "parcelId", book_entry AS "bookEntry", issued_on::text AS "issuedOn",
         issued_by AS "issuedBy", updated_at AS "updatedAt"
       FROM land.certificates WHERE parcel_id = ANY(?) ORDER BY issued_on DESC`,
      [distinct(parcelIds)],
    );
    return alignMany(parcelIds, rows, (row) => row.parcelId);
  }

  async mortgagesOf(parcelIds: readonly string[]): Promise<MortgageRow[][]> {
    const rows = await this.source.select<MortgageRow>(
      `SELECT id, parcel_id AS "parcelId", mortgagee, secured_amount::float8 AS "securedAmount",
         registered_on::text AS "registeredOn", released_on::text AS "releasedOn", updated_at AS "updatedAt"
       FROM land.mortgages WHERE parcel_id = ANY(?) ORDER BY registered_on DESC`,
      [distinct(parcelIds)],
    );
    return alignMany(parcelIds, rows, (row) => row.parcelId);
  }
}
