import { alignMany, alignOne, distinct } from '../batch';
import type { SqlReader } from '../source';

/** A citizen as the population database holds it. */
export interface CitizenRow {
  id: string;
  fullName: string;
  dateOfBirth: string;
  sex: 'MALE' | 'FEMALE';
  ethnicity: string;
  religion: string;
  nationality: string;
  birthProvinceCode: string;
  hometownCommuneCode: string;
  householdId: string;
  householdRelation: string;
  permanentStreet: string;
  permanentCommuneCode: string;
  permanentLegacyCommuneCode: string | null;
  permanentRegisteredOn: string;
  temporaryStreet: string | null;
  temporaryCommuneCode: string | null;
  fatherId: string | null;
  motherId: string | null;
  spouseId: string | null;
  maritalStatus: string;
  diedOn: string | null;
  updatedAt: Date;
}

/** A household and its registered address. */
export interface HouseholdRow {
  id: string;
  headCitizenId: string;
  communeCode: string;
  street: string;
  updatedAt: Date;
}

/** An identity card; its number is the citizen id. */
export interface IdentityCardRow {
  citizenId: string;
  issuedOn: string;
  expiresOn: string | null;
  issuedBy: string;
  updatedAt: Date;
}

const CITIZEN_COLUMNS = `id, full_name AS "fullName", date_of_birth::text AS "dateOfBirth", sex, ethnicity,
  religion, nationality, birth_province_code AS "birthProvinceCode",
  hometown_commune_code AS "hometownCommuneCode", household_id AS "householdId",
  household_relation AS "householdRelation", permanent_street AS "permanentStreet",
  permanent_commune_code AS "permanentCommuneCode",
  permanent_legacy_commune_code AS "permanentLegacyCommuneCode",
  permanent_registered_on::text AS "permanentRegisteredOn", temporary_street AS "temporaryStreet",
  temporary_commune_code AS "temporaryCommuneCode", father_id AS "fatherId", mother_id AS "motherId",
  spouse_id AS "spouseId", marital_status AS "maritalStatus", died_on::text AS "diedOn",
  updated_at AS "updatedAt"`;

const IDENTITY_CARD_COLUMNS = `citizen_id AS "citizenId", issued_on::text AS "issuedOn",
  expires_on::text AS "expiresOn", issued_by AS "issuedBy", updated_at AS "updatedAt"`;

/** The relatives a citizen record names by id, in the same database. */
export type Relative = 'father' | 'mother' | 'spouse';

/**
 * What a read of citizens can bring along from the population database in the same statement:
 * the records of these relatives, and (`identityCard`) the card of every citizen read.
 */
export type CitizenLink = Relative | 'identityCard';

/** Citizens (in key order), the relatives read with them, and the identity cards of both. */
export interface CitizensWithLinks {
  citizens: (CitizenRow | null)[];
  relatives: CitizenRow[];
  /** Only when asked: every citizen read, null where they hold no card. */
  identityCards: Map<string, IdentityCardRow | null>;
}

const RELATIVE_COLUMNS: Record<Relative, string> = {
  father: 'father_id',
  mother: 'mother_id',
  spouse: 'spouse_id',
};

/** Reads of the population database; each takes a batch of keys and makes one call. */
export class PopulationAdapter {
  constructor(private readonly source: SqlReader) {}

  /**
   * Citizens with the records they link to in this database (relatives, identity cards), in
   * ONE statement: a query that reads a person and their spouse costs one call, not two.
   */
  async citizensWithLinks(
    ids: readonly string[],
    links: readonly CitizenLink[],
  ): Promise<CitizensWithLinks> {
    const relatives = links.flatMap((link) =>
      link === 'identityCard' ? [] : [`UNION SELECT ${RELATIVE_COLUMNS[link]} FROM subject`],
    );
    const withCards = links.includes('identityCard');
    const card = withCards
      ? `, (SELECT to_json(card) FROM (SELECT ${IDENTITY_CARD_COLUMNS}
           FROM population.identity_cards WHERE citizen_id = c.id) card) AS "identityCard"`
      : '';
    const rows = await this.source.select<
      CitizenRow & {
        identityCard?: (Omit<IdentityCardRow, 'updatedAt'> & { updatedAt: string }) | null;
      }
    >(
      `WITH subject AS (
         SELECT id, father_id, mother_id, spouse_id FROM population.citizens WHERE id = ANY(?)
       )
       SELECT c.*${card} FROM (
         SELECT ${CITIZEN_COLUMNS} FROM population.citizens
         WHERE id IN (SELECT id FROM subject ${relatives.join(' ')})
       ) c`,
      [distinct(ids)],
    );
    const identityCards = new Map<string, IdentityCardRow | null>();
    const citizens = rows.map(({ identityCard, ...citizen }) => {
      if (withCards)
        identityCards.set(
          citizen.id,
          identityCard ? { ...identityCard, updatedAt: new Date(identityCard.updatedAt) } : null,
        );
      return citizen;
    });
    const asked = new Set(ids);
    return {
      citizens: alignOne(ids, citizens, (row) => row.id),
      relatives: citizens.filter((row) => !asked.has(row.id)),
      identityCards,
    };
  }

  async citizensById(ids: readonly string[]): Promise<(CitizenRow | null)[]> {
    const rows = await this.source.select<CitizenRow>(
      `SELECT ${CITIZEN_COLUMNS} FROM population.citizens WHERE id = ANY(?)`,
      [distinct(ids)],
    );
    return alignOne(ids, rows, (row) => row.id);
  }

  async membersOfHouseholds(householdIds: readonly string[]): Promise<CitizenRow[][]> {
    const rows = await this.source.select<CitizenRow>(
      `SELECT ${CITIZEN_COLUMNS} FROM population.citizens WHERE household_id = ANY(?) ORDER BY date_of_birth, id`,
      [distinct(householdIds)],
    );
    return alignMany(householdIds, rows, (row) => row.householdId);
  }

  /** Children of each parent, whether recorded as father or mother. */
  async childrenOf(parentIds: readonly string[]): Promise<CitizenRow[][]> {
    const keys = distinct(parentIds);
    const rows = await this.source.select<CitizenRow & { parentId: string }>(
      `SELECT ${CITIZEN_COLUMNS}, father_id AS "parentId" FROM population.citizens WHERE father_id = ANY(?)
       UNION ALL
       SELECT ${CITIZEN_COLUMNS}, mother_id AS "parentId" FROM population.citizens WHERE mother_id = ANY(?)
       ORDER BY "dateOfBirth", id`,
      [keys, keys],
    );
    return alignMany(parentIds, rows, (row) => row.parentId);
  }

  async householdsById(ids: readonly string[]): Promise<(HouseholdRow | null)[]> {
    const rows = await this.source.select<HouseholdRow>(
      `SELECT id, head_citizen_id AS "headCitizenId", commune_code AS "communeCode", street,
         updated_at AS "updatedAt"
       FROM population.households WHERE id = ANY(?)`,
      [distinct(ids)],
    );
    return alignOne(ids, rows, (row) => row.id);
  }

  async identityCardsOf(citizenIds: readonly string[]): Promise<(IdentityCardRow | null)[]> {
    const rows = await this.source.select<IdentityCardRow>(
      `SELECT ${IDENTITY_CARD_COLUMNS} FROM population.identity_cards WHERE citizen_id = ANY(?)`,
      [distinct(citizenIds)],
    );
    return alignOne(citizenIds, rows, (row) => row.citizenId);
  }
}
