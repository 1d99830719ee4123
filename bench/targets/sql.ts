/**
 * The statements the gateway's adapters (adapters/*) and the insurance agency's service
 * (mocks/insurance-service/service.ts) issue, copied word for word with `$n` placeholders, so
 * that raw-http and pgbench run exactly the SQL the gateway runs and differ only in what is
 * around it. If an adapter's SQL changes, change it here too: the correctness check compares
 * answers, not statements.
 */

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

const ENTERPRISE_COLUMNS = `e.code, e.name, e.foreign_name AS "foreignName", e.short_name AS "shortName",
  e.type_code AS "typeCode", t.name AS "typeName", e.status, e.founded_on::text AS "foundedOn",
  e.charter_capital::float8 AS "charterCapital", e.head_office_street AS "headOfficeStreet",
  e.head_office_commune_code AS "headOfficeCommuneCode", e.phone, e.email, e.updated_at AS "updatedAt"`;

const ROLE_COLUMNS = `p.enterprise_code AS "enterpriseCode", p.citizen_id AS "citizenId", p.role, p.title,
  p.capital_share::float8 AS "capitalShare", p.since::text AS since, p.updated_at AS "roleUpdatedAt"`;

const PARCEL_COLUMNS = `p.id, p.commune_code AS "communeCode", p.map_sheet AS "mapSheet",
  p.parcel_number AS "parcelNumber", p.area::float8 AS area, p.land_use_code AS "landUseCode",
  p.use_term AS "useTerm", p.use_until::text AS "useUntil", p.street, p.updated_at AS "updatedAt"`;

const RIGHT_COLUMNS = `h.parcel_id AS "parcelId", h.holder_kind AS "holderKind", h.holder_id AS "holderId",
  h.share::float8 AS share, h.certificate_serial AS "certificateSerial", h.since::text AS since,
  h.updated_at AS "rightUpdatedAt"`;

const SERVANT_SELECT = `SELECT s.code, s.citizen_id AS "citizenId", s.position, s.rank_code AS "rankCode",
    r.name AS "rankName", r.category AS "rankCategory", s.salary_grade AS "salaryGrade",
    s.salary_coefficient::float8 AS "salaryCoefficient", s.employment, s.started_on::text AS "startedOn",
    s.status, s.updated_at AS "updatedAt",
    a.code AS "agencyCode", a.name AS "agencyName", a.level AS "agencyLevel",
    a.province_code AS "agencyProvinceCode", a.updated_at AS "agencyUpdatedAt"
  FROM civil_service.civil_servants s
  JOIN civil_service.agencies a ON a.code = s.agency_code
  JOIN civil_service.ranks r ON r.code = s.rank_code`;

/** A record with its contribution periods embedded: what the gateway asks for when it needs both. */
const RECORD_WITH_CONTRIBUTIONS = `SELECT r.social_insurance_number AS "socialInsuranceNumber",
  r.citizen_id AS "citizenId", r.registered_on::text AS "registeredOn", r.status, r.updated_at AS "updatedAt",
  COALESCE((SELECT json_agg(json_build_object(
      'socialInsuranceNumber', c.social_insurance_number, 'employerCode', c.employer_code,
      'fromMonth', c.from_month::text, 'toMonth', c.to_month::text,
      'monthlySalary', c.monthly_salary::float8, 'scheme', c.scheme, 'updatedAt', c.updated_at)
    ORDER BY c.from_month, c.id)
    FROM insurance.contributions c WHERE c.social_insurance_number = r.social_insurance_number), '[]'::json)
    AS contributions
  FROM insurance.insurance_records r`;

/** Every statement takes one array parameter, `$1`, except rightsOfHolders (kinds, ids). */
export const SQL = {
  citizensById: `SELECT ${CITIZEN_COLUMNS} FROM population.citizens WHERE id = ANY($1)`,
  membersOfHouseholds: `SELECT ${CITIZEN_COLUMNS} FROM population.citizens WHERE household_id = ANY($1) ORDER BY date_of_birth, id`,
  householdsById: `SELECT id, head_citizen_id AS "headCitizenId", commune_code AS "communeCode", street,
         updated_at AS "updatedAt"
       FROM population.households WHERE id = ANY($1)`,
  enterprisesByCode: `SELECT ${ENTERPRISE_COLUMNS} FROM enterprise.enterprises e
       JOIN enterprise.enterprise_types t ON t.code = e.type_code WHERE e.code = ANY($1)`,
  rolesOfCitizens: `SELECT ${ROLE_COLUMNS}, ${ENTERPRISE_COLUMNS} FROM enterprise.enterprise_people p
       JOIN enterprise.enterprises e ON e.code = p.enterprise_code
       JOIN enterprise.enterprise_types t ON t.code = e.type_code
       WHERE p.citizen_id = ANY($1) ORDER BY p.since, p.enterprise_code`,
  rolesInEnterprises: `SELECT ${ROLE_COLUMNS}, ${ENTERPRISE_COLUMNS} FROM enterprise.enterprise_people p
       JOIN enterprise.enterprises e ON e.code = p.enterprise_code
       JOIN enterprise.enterprise_types t ON t.code = e.type_code
       WHERE p.enterprise_code = ANY($1)
       ORDER BY (p.role = 'LEGAL_REPRESENTATIVE') DESC, p.since, p.citizen_id`,
  rightsOfHolders: `SELECT ${RIGHT_COLUMNS}, ${PARCEL_COLUMNS} FROM land.holders h
       JOIN land.parcels p ON p.id = h.parcel_id
       WHERE (h.holder_kind, h.holder_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
       ORDER BY h.since, h.parcel_id`,
  servantsByCitizen: `${SERVANT_SELECT} WHERE s.citizen_id = ANY($1)`,
  recordsWithContributionsByCitizen: `${RECORD_WITH_CONTRIBUTIONS} WHERE r.citizen_id = ANY($1)`,
  /** Reference data, read once at start by raw-http (the gateway caches it across requests). */
  units: `SELECT code, name, province_code AS "provinceCode" FROM reference.units`,
  legacyUnits: `SELECT code, name, parent_code AS "parentCode" FROM reference.legacy_units`,
} as const;
