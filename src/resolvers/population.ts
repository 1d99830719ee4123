import type { GraphQLResolveInfo } from 'graphql';
import type { CitizenLink, Relative } from '../../adapters/population';
import { mayRead } from '../access/enforcement';
import type { Context } from '../context';
import type { Resolvers } from '../generated/graphql';
import { requireIdentifier, requireIdentifiers } from '../identifiers';
import type { LinkedKey } from '../loaders';
import { selects } from './lookahead';
import { currentUnit } from './reference';
import { sourceOf } from './source';

const source = sourceOf('POPULATION');

const RELATIVES: readonly Relative[] = ['father', 'mother', 'spouse'];

/**
 * The key that loads a citizen together with what the query reads from them in the population
 * database (relatives, identity cards: theirs and the relatives'), so one call brings it all;
 * only what the policy lets this request read is asked for.
 */
export function citizenKey(
  id: string,
  info: GraphQLResolveInfo,
  ctx: Context,
): LinkedKey<CitizenLink> {
  const links: CitizenLink[] = RELATIVES.filter(
    (relative) => selects(info, [relative]) && mayRead(ctx, 'Citizen', relative),
  );
  const cards = [[], ...links.map((relative) => [relative])].some((under) =>
    selects(info, ['identityCard'], under),
  );
  if (cards && mayRead(ctx, 'Citizen', 'identityCard')) links.push('identityCard');
  return links.length > 0 ? { key: id, links } : id;
}

/** Citizens, households and identity cards, from the population database. */
export const populationResolvers: Resolvers = {
  Query: {
    citizen: (_, { id }, ctx, info) =>
      ctx.loaders.citizen.load(citizenKey(requireIdentifier('citizenId', 'id', id), info, ctx)),
    citizens: (_, { ids }, ctx, info) =>
      ctx.loaders.citizen
        .loadMany(
          requireIdentifiers('citizenId', 'ids', ids).map((id) => citizenKey(id, info, ctx)),
        )
        .then(rethrow),
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
