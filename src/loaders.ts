import DataLoader from 'dataloader';
import type { Adapters } from '../adapters';
import { holderKey, type HolderKey } from '../adapters/land';
import type { CitizenRow } from '../adapters/population';
import type { EnterpriseRow, IndustryCodeRow } from '../adapters/enterprise';
import type { LegacySuccessorRow, LegacyUnitRow, UnitRow } from '../adapters/reference';
import { createCache, type Cache } from './cache';

/** Caches of reference data shared by every request; see createCache. */
export interface ReferenceCaches {
  units: Cache<UnitRow>;
  legacyUnits: Cache<LegacyUnitRow>;
  predecessors: Cache<LegacyUnitRow[]>;
  furtherSuccessors: Cache<LegacySuccessorRow[]>;
  industryCodes: Cache<IndustryCodeRow>;
}

export function createReferenceCaches(): ReferenceCaches {
  const options = { max: 20_000, ttlMs: 60 * 60 * 1000 };
  return {
    units: createCache<UnitRow>(options),
    legacyUnits: createCache<LegacyUnitRow>(options),
    predecessors: createCache<LegacyUnitRow[]>(options),
    furtherSuccessors: createCache<LegacySuccessorRow[]>(options),
    industryCodes: createCache<IndustryCodeRow>({ max: 2_000, ttlMs: options.ttlMs }),
  };
}

/**
 * A loader over reference data: keys found in the shared cache are answered from it, the
 * rest are fetched in one call and remembered.
 */
function cachedLoader<V extends object>(
  cache: Cache<V>,
  fetch: (keys: readonly string[]) => Promise<(V | null)[]>,
): DataLoader<string, V | null> {
  return new DataLoader(async (keys) => {
    const missing = keys.filter((key) => !cache.has(key));
    if (missing.length > 0) {
      const rows = await fetch(missing);
      missing.forEach((key, index) => {
        const row = rows[index];
        if (row) cache.set(key, row);
      });
    }
    return keys.map((key) => cache.get(key) ?? null);
  });
}

/** Batches larger than this are split; the insurance service accepts 1,000 keys per call. */
const MAX_BATCH = 1000;

/**
 * One DataLoader per (national database, key kind), built for each request and dropped with
 * it, so no personal data outlives the request that read it. `batch: false` makes one call
 * per item, which the benchmark uses to show what batching buys.
 */
export function createLoaders(adapters: Adapters, caches: ReferenceCaches, { batch = true } = {}) {
  const { population, enterprise, land, insurance, civilService, reference } = adapters;
  const options = { maxBatchSize: MAX_BATCH, batch };

  const citizen = new DataLoader<string, CitizenRow | null>(
    (ids) => population.citizensById(ids),
    options,
  );
  const enterpriseByCode = new DataLoader<string, EnterpriseRow | null>(
    (codes) => enterprise.enterprisesByCode(codes),
    options,
  );
  const parcel = new DataLoader((ids: readonly string[]) => land.parcelsById(ids), options);
  const contributions = new DataLoader(
    (numbers: readonly string[]) => insurance.contributionsOf(numbers),
    options,
  );

  return {
    // population
    citizen,
    household: new DataLoader((ids: readonly string[]) => population.householdsById(ids), options),
    householdMembers: new DataLoader(
      (ids: readonly string[]) => population.membersOfHouseholds(ids),
      options,
    ),
    children: new DataLoader((ids: readonly string[]) => population.childrenOf(ids), options),
    identityCard: new DataLoader(
      (ids: readonly string[]) => population.identityCardsOf(ids),
      options,
    ),

    // enterprise registration
    enterprise: enterpriseByCode,
    rolesOfCitizen: new DataLoader(async (ids: readonly string[]) => {
      const lists = await enterprise.rolesOfCitizens(ids);
      for (const list of lists)
        for (const role of list) enterpriseByCode.prime(role.enterprise.code, role.enterprise);
      return lists;
    }, options),
    rolesInEnterprise: new DataLoader(
      (codes: readonly string[]) => enterprise.rolesInEnterprises(codes),
      options,
    ),
    businessLines: new DataLoader(
      (codes: readonly string[]) => enterprise.businessLinesOf(codes),
      options,
    ),
    branches: new DataLoader((codes: readonly string[]) => enterprise.branchesOf(codes), options),
    branch: new DataLoader((codes: readonly string[]) => enterprise.branchesByCode(codes), options),
    industryCode: cachedLoader(caches.industryCodes, (codes) => enterprise.industryCodes(codes)),

    // land
    parcel,
    rightsOfHolder: new DataLoader(
      async (holders: readonly HolderKey[]) => {
        const lists = await land.rightsOfHolders(holders);
        for (const list of lists)
          for (const right of list) parcel.prime(right.parcel.id, right.parcel);
        return lists;
      },
      { ...options, cacheKeyFn: holderKey },
    ),
    rightsOnParcel: new DataLoader((ids: readonly string[]) => land.rightsOnParcels(ids), options),
    certificates: new DataLoader((ids: readonly string[]) => land.certificatesOf(ids), options),
    mortgages: new DataLoader((ids: readonly string[]) => land.mortgagesOf(ids), options),

    // social and health insurance (over HTTP)
    insuranceRecord: new DataLoader(
      (numbers: readonly string[]) => insurance.recordsByNumber(numbers),
      options,
    ),
    insuranceOfCitizen: new DataLoader(
      (ids: readonly string[]) => insurance.recordsOfCitizens(ids),
      options,
    ),
    // When the query reads contributions too, one call brings both levels.
    insuranceWithContributionsOfCitizen: new DataLoader(async (ids: readonly string[]) => {
      const records = await insurance.recordsWithContributionsOfCitizens(ids);
      for (const record of records) {
        if (record) contributions.prime(record.socialInsuranceNumber, record.contributions);
      }
      return records;
    }, options),
    contributions,
    healthCards: new DataLoader(
      (numbers: readonly string[]) => insurance.healthCardsOf(numbers),
      options,
    ),
    healthCard: new DataLoader(
      (numbers: readonly string[]) => insurance.healthCardsByNumber(numbers),
      options,
    ),

    // civil servants
    civilServant: new DataLoader(
      (codes: readonly string[]) => civilService.servantsByCode(codes),
      options,
    ),
    civilServantOfCitizen: new DataLoader(
      (ids: readonly string[]) => civilService.servantsByCitizen(ids),
      options,
    ),

    // administrative units (reference data, cached across requests)
    unit: cachedLoader(caches.units, (codes) => reference.unitsByCode(codes)),
    legacyUnit: cachedLoader(caches.legacyUnits, (codes) => reference.legacyUnitsByCode(codes)),
    predecessors: cachedLoader(caches.predecessors, (codes) => reference.predecessorsOf(codes)),
    furtherSuccessors: cachedLoader(caches.furtherSuccessors, (codes) =>
      reference.furtherSuccessorsOf(codes),
    ),

    // tax registration (finance): a person's tax code is their citizen id, an enterprise's its code
    taxpayer: new DataLoader(
      (codes: readonly string[]) => adapters.finance.taxpayersByCode(codes),
      options,
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
