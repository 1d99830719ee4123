import DataLoader from 'dataloader';
import type { Adapters } from '../adapters';
import { holderKey, type HolderKey } from '../adapters/land';
import type { CitizenLink, CitizenRow, IdentityCardRow } from '../adapters/population';
import type { EnterpriseLink, EnterpriseWithLinks, IndustryCodeRow } from '../adapters/enterprise';
import type { InsuranceLink, InsuranceRecordWithLinks } from '../adapters/insurance';
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

/**
 * A key of a loader whose records link to others in the same national database: the key alone,
 * or the key with the links the query reads from that record (look-ahead).
 */
export type LinkedKey<L extends string> = string | { key: string; links: readonly L[] };

const keyOf = (key: LinkedKey<string>) => (typeof key === 'string' ? key : key.key);

/**
 * A loader that reads a record with its linked records in ONE call per batch: the batch asks
 * for the union of the links its keys want, and `fetch` primes the loaders of those links, so
 * reading them costs nothing more. A key cached without links is not read again for them.
 */
function linkedLoader<L extends string, V>(
  fetch: (keys: string[], links: L[]) => Promise<(V | null)[]>,
  options: DataLoader.Options<LinkedKey<L>, V | null, string>,
): DataLoader<LinkedKey<L>, V | null, string> {
  return new DataLoader<LinkedKey<L>, V | null, string>(
    (keys) => {
      const links = new Set<L>();
      for (const key of keys) if (typeof key !== 'string') key.links.forEach((l) => links.add(l));
      return fetch(keys.map(keyOf), [...links].sort());
    },
    { ...options, cacheKeyFn: keyOf },
  );
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

  const identityCard = new DataLoader<string, IdentityCardRow | null>(
    (ids) => population.identityCardsOf(ids),
    options,
  );
  // Relatives and identity cards asked for with a citizen come in the same statement.
  const citizen: DataLoader<LinkedKey<CitizenLink>, CitizenRow | null, string> = linkedLoader(
    async (ids: string[], links: CitizenLink[]) => {
      if (links.length === 0) return population.citizensById(ids);
      const read = await population.citizensWithLinks(ids, links);
      for (const relative of read.relatives) citizen.prime(relative.id, relative);
      for (const [id, card] of read.identityCards) identityCard.prime(id, card);
      return read.citizens;
    },
    options,
  );
  const businessLines = new DataLoader(
    (codes: readonly string[]) => enterprise.businessLinesOf(codes),
    options,
  );
  const rolesInEnterprise = new DataLoader(
    (codes: readonly string[]) => enterprise.rolesInEnterprises(codes),
    options,
  );
  // Business lines and people asked for with an enterprise come in the same statement.
  const enterpriseByCode = linkedLoader(
    async (codes: string[], links: EnterpriseLink[]): Promise<(EnterpriseWithLinks | null)[]> => {
      if (links.length === 0) return enterprise.enterprisesByCode(codes);
      const rows = await enterprise.enterprisesWithLinks(codes, links);
      for (const row of rows) {
        if (row?.businessLines) businessLines.prime(row.code, row.businessLines);
        if (row?.roles) rolesInEnterprise.prime(row.code, row.roles);
      }
      return rows;
    },
    options,
  );
  const parcel = new DataLoader((ids: readonly string[]) => land.parcelsById(ids), options);
  const contributions = new DataLoader(
    (numbers: readonly string[]) => insurance.contributionsOf(numbers),
    options,
  );
  const healthCards = new DataLoader(
    (numbers: readonly string[]) => insurance.healthCardsOf(numbers),
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
    identityCard,

    // enterprise registration
    enterprise: enterpriseByCode,
    rolesOfCitizen: new DataLoader(async (ids: readonly string[]) => {
      const lists = await enterprise.rolesOfCitizens(ids);
      for (const list of lists)
        for (const role of list) enterpriseByCode.prime(role.enterprise.code, role.enterprise);
      return lists;
    }, options),
    rolesInEnterprise,
    businessLines,
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
    // Contribution periods and health cards asked for with a record come in the same request.
    insuranceOfCitizen: linkedLoader(
      async (
        ids: string[],
        include: InsuranceLink[],
      ): Promise<(InsuranceRecordWithLinks | null)[]> => {
        const records = await insurance.recordsOfCitizens(ids, include);
        for (const record of records) {
          if (record?.contributions)
            contributions.prime(record.socialInsuranceNumber, record.contributions);
          if (record?.healthCards)
            healthCards.prime(record.socialInsuranceNumber, record.healthCards);
        }
        return records;
      },
      options,
    ),
    contributions,
    healthCards,
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
