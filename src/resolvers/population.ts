import type { Resolvers } from '../generated/graphql';
import { requireIdentifier, requireIdentifiers } from '../identifiers';
import { currentUnit } from './reference';
import { sourceOf } from './source';

const source = sourceOf('POPULATION');

/** Citizens, households and identity cards, from the population database. */
export const populationResolvers: Resolvers = {
  Query: {
    citizen: (_, { id }, ctx) => ctx.loaders.citizen.load(requireIdentifier('citizenId', 'id', id)),
    citizens: (_, { ids }, ctx) =>
      ctx.loaders.citizen.loadMany(requireIdentifiers('citizenId', 'ids', ids)).then(rethrow),
  },
  Citizen: {
    birthRegistrationProvince: (citizen, _, ctx) => currentUnit(citizen.birthProvinceCode, ctx),
    hometown: (citizen, _, ctx) => ctx.loaders.unit.load(citizen.hometownCommuneCode),
    permanentAddress: (citizen) => ({
      street: citizen.permanentStreet,
      communeCode: citizen.permanentCommuneCode,
      legacyCommuneCode: citizen.permanentLegacyCommuneCode,
    }),
    permanentResidenceSince: (citizen) => citizen.permanentRegisteredOn,
    temporaryAddress: (citizen) =>
      citizen.temporaryStreet && citizen.temporaryCommuneCode
        ? { street: citizen.temporaryStreet, communeCode: citizen.temporaryCommuneCode }
        : null,
    maritalStatus: (citizen) =>
      citizen.maritalStatus as 'SINGLE' | 'MARRIED' | 'DIVORCED' | 'WIDOWED',
    dateOfDeath: (citizen) => citizen.diedOn,
    household: (citizen, _, ctx) => ctx.loaders.household.load(citizen.householdId),
    father: (citizen, _, ctx) =>
      citizen.fatherId ? ctx.loaders.citizen.load(citizen.fatherId) : null,
    mother: (citizen, _, ctx) =>
      citizen.motherId ? ctx.loaders.citizen.load(citizen.motherId) : null,
    spouse: (citizen, _, ctx) =>
      citizen.spouseId ? ctx.loaders.citizen.load(citizen.spouseId) : null,
    children: (citizen, _, ctx) => ctx.loaders.children.load(citizen.id),
    identityCard: (citizen, _, ctx) => ctx.loaders.identityCard.load(citizen.id),
    source,
  },
  Household: {
    head: (household, _, ctx) => ctx.loaders.citizen.load(household.headCitizenId),
    address: (household) => ({ street: household.street, communeCode: household.communeCode }),
    members: (household, _, ctx) => ctx.loaders.householdMembers.load(household.id),
    source,
  },
  IdentityCard: {
    number: (card) => card.citizenId,
    source,
  },
};

/** loadMany reports failures per key as values; a failed source must surface as an error. */
export function rethrow<T>(values: (T | Error)[]): T[] {
  for (const value of values) if (value instanceof Error) throw value;
  return values as T[];
}
