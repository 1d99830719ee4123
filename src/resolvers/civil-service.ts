import type { Resolvers } from '../generated/graphql';
import { requireIdentifier } from '../identifiers';
import { sourceOf } from './source';

const source = sourceOf('CIVIL_SERVICE');

/** Civil servants, agencies and ranks, from the civil servants database. */
export const civilServiceResolvers: Resolvers = {
  Query: {
    civilServant: (_, { code }, ctx) =>
      ctx.loaders.civilServant.load(requireIdentifier('civilServantCode', 'code', code)),
  },
  Citizen: {
    civilService: (citizen, _, ctx) => ctx.loaders.civilServantOfCitizen.load(citizen.id),
  },
  CivilServant: {
    citizen: (servant, _, ctx) => ctx.loaders.citizen.load(servant.citizenId),
    rank: (servant) => servant,
    source,
  },
  CivilServiceRank: {
    code: (servant) => servant.rankCode,
    name: (servant) => servant.rankName,
    category: (servant) => servant.rankCategory,
  },
  Agency: {
    province: (agency, _, ctx) =>
      agency.provinceCode ? ctx.loaders.unit.load(agency.provinceCode) : null,
    source,
  },
};
