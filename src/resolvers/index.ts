import { mergeResolvers } from '@graphql-tools/merge';
import type { Resolvers } from '../generated/graphql';
import { Address, LegacyAddress } from './address';
import { scalarResolvers } from './scalars';
import { populationResolvers } from './population';
import { enterpriseResolvers } from './enterprise';
import { landResolvers } from './land';
import { insuranceResolvers } from './insurance';
import { civilServiceResolvers } from './civil-service';
import { referenceResolvers } from './reference';
import { financeResolvers } from './finance';
import { procedureResolvers } from './procedures';

/** Every resolver, grouped by the national database it reads. */
export const resolvers = mergeResolvers([
  scalarResolvers,
  { Address, LegacyAddress },
  populationResolvers,
  enterpriseResolvers,
  landResolvers,
  insuranceResolvers,
  civilServiceResolvers,
  referenceResolvers,
  financeResolvers,
  procedureResolvers,
] as Resolvers[]);
