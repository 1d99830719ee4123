import { makeExecutableSchema } from '@graphql-tools/schema';
import { mergeResolvers } from '@graphql-tools/merge';
import { GraphQLScalarType, parse, type GraphQLSchema } from 'graphql';
import type { DatabaseName } from '../../adapters/databases';
import type { Context } from '../context';
import type { Resolvers } from '../generated/graphql';
import { Address, LegacyAddress } from '../resolvers/address';
import { civilServiceResolvers } from '../resolvers/civil-service';
import { enterpriseResolvers } from '../resolvers/enterprise';
import { financeResolvers } from '../resolvers/finance';
import { insuranceResolvers } from '../resolvers/insurance';
import { landResolvers } from '../resolvers/land';
import { populationResolvers } from '../resolvers/population';
import { referenceResolvers } from '../resolvers/reference';
import { scalarResolvers } from '../resolvers/scalars';
import { entityKeys, printSubgraphSdl, subgraphSdl, type SubgraphName } from './sdl';

/** The resolvers of each national database's module. */
export const DATABASE_RESOLVERS: Record<DatabaseName, Resolvers> = {
  population: populationResolvers,
  enterprise: enterpriseResolvers,
  land: landResolvers,
  insurance: insuranceResolvers,
  civil_service: civilServiceResolvers,
  reference: referenceResolvers,
  finance: financeResolvers,
};

type Representation = { __typename: string } & Record<string, unknown>;

/**
 * How a representation becomes a record: through the request's loaders, so that every
 * representation of one `_entities` call is one batch and one source call. In a subgraph that
 * only extends an entity, its loader answers with the key itself (see subgraphLoaders).
 */
const REFERENCES: Record<string, (ctx: Context, key: string) => Promise<unknown>> = {
  Citizen: (ctx, id) => ctx.loaders.citizen.load(id),
  Household: (ctx, id) => ctx.loaders.household.load(id),
  Enterprise: (ctx, code) => ctx.loaders.enterprise.load(code),
  Branch: (ctx, code) => ctx.loaders.branch.load(code),
  LandParcel: (ctx, id) => ctx.loaders.parcel.load(id),
  InsuranceRecord: (ctx, number) => ctx.loaders.insuranceRecord.load(number),
  Taxpayer: (ctx, taxCode) => ctx.loaders.taxpayer.load(taxCode),
  HealthInsuranceCard: (ctx, number) => ctx.loaders.healthCard.load(number),
  CivilServant: (ctx, code) => ctx.loaders.civilServant.load(code),
  AdministrativeUnit: (ctx, code) => ctx.loaders.unit.load(code),
};

const AnyScalar = new GraphQLScalarType({
  name: '_Any',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: () => {
    throw new TypeError('_Any is accepted as a variable only');
  },
});

/**
 * One module as a Federation 2 subgraph: its SDL (see subgraphSdl), its resolvers (a national
 * database's are DATABASE_RESOLVERS), `_service { sdl }`, and `_entities` over every entity it
 * can resolve by key.
 */
export function buildSubgraphSchema(subgraph: SubgraphName, resolvers: Resolvers): GraphQLSchema {
  const document = subgraphSdl(subgraph);
  const keys = entityKeys(document);
  const entities = [...keys.keys()].filter((name) => REFERENCES[name]);
  for (const name of keys.keys()) {
    if (!REFERENCES[name]) keys.delete(name); // Not pointed to from elsewhere, so not resolvable by key.
  }
  const sdl = printSubgraphSdl(subgraph);
  const federation = parse(`
    scalar _Any
    type _Service { sdl: String! }
    ${entities.length > 0 ? `union _Entity = ${entities.join(' | ')}` : ''}
    extend type Query {
      _service: _Service!
      ${entities.length > 0 ? '_entities(representations: [_Any!]!): [_Entity]!' : ''}
    }
  `);
  const federationResolvers = {
    _Any: AnyScalar,
    Query: {
      _service: () => ({ sdl }),
      ...(entities.length > 0
        ? {
            _entities: (_: unknown, args: { representations: Representation[] }, ctx: Context) =>
              Promise.all(
                args.representations.map(async (representation) => {
                  const type = representation.__typename;
                  const keyField = keys.get(type);
                  const key = keyField ? representation[keyField] : undefined;
                  if (!keyField || typeof key !== 'string') {
                    throw new TypeError(`a representation of ${type} needs its key`);
                  }
                  const row = await REFERENCES[type](ctx, key);
                  return row ? { ...(row as object), __typename: type } : null;
                }),
              ),
          }
        : {}),
    },
    ...(entities.length > 0
      ? { _Entity: { __resolveType: (entity: Representation) => entity.__typename } }
      : {}),
  };
  return makeExecutableSchema({
    typeDefs: [document, federation],
    resolvers: mergeResolvers([
      scalarResolvers,
      { Address, LegacyAddress },
      resolvers,
      federationResolvers,
    ] as Resolvers[]),
  });
}
