import { execute, parse, type GraphQLSchema } from 'graphql';
import { AccessRecord, type Viewer } from '../src/access/viewer';
import { createContext, type Context } from '../src/context';
import { createReferenceCaches } from '../src/loaders';
import { buildSubgraphSchema, DATABASE_RESOLVERS } from '../src/subgraph/schema';
import { subgraphLoaders } from '../src/subgraph/loaders';
import { printSubgraphSdl } from '../src/subgraph/sdl';
import type { DatabaseName } from '../adapters/databases';
import { countCalls, startTestGateway, type TestGateway } from './support/gateway';

let tg: TestGateway;
let viewer: Viewer;
const caches = createReferenceCaches();

beforeAll(async () => {
  tg = await startTestGateway();
  const client = await tg.gateway.store.client('demo-portal');
  if (!client) throw new Error('demo-portal is not registered');
  viewer = {
    kind: 'client',
    client,
    purpose: 'DEMO',
    actor: null,
    caseId: null,
  };
});
afterAll(() => tg.close());

const schemas = new Map<DatabaseName, GraphQLSchema>();
function schemaOf(database: DatabaseName): GraphQLSchema {
  if (!schemas.has(database))
    schemas.set(database, buildSubgraphSchema(database, DATABASE_RESOLVERS[database]));
  return schemas.get(database) as GraphQLSchema;
}

/** Runs one operation against a subgraph with the context it builds for a request. */
async function run(database: DatabaseName, query: string, variables: Record<string, unknown>) {
  const context: Context = createContext(
    tg.gateway.sources!.adapters,
    caches,
    tg.gateway.store,
    viewer,
    'subgraph-test',
  );
  context.loaders = subgraphLoaders(database, context.loaders);
  expect(context.access).toBeInstanceOf(AccessRecord);
  return execute({
    schema: schemaOf(database),
    document: parse(query),
    variableValues: variables,
    contextValue: context,
  });
}

async function citizensWithRoles(count: number): Promise<string[]> {
  const rows = await tg
    .db('enterprise')('enterprise.enterprise_people')
    .distinct('citizen_id')
    .orderBy('citizen_id')
    .limit(count);
  return rows.map((row: { citizen_id: string }) => row.citizen_id);
}

describe('a national database as a Federation 2 subgraph', () => {
  it('reports its SDL: the entities it extends with their key, the ones it points to as stubs', async () => {
    const result = await run('enterprise', '{ _service { sdl } }', {});
    const sdl = (result.data?._service as { sdl: string }).sdl;
    expect(sdl).toBe(printSubgraphSdl('enterprise'));
    expect(sdl).toMatch(/type Citizen @key\(fields: "id"\) \{[^}]*\bid: ID\b[^}]*enterprises:/);
    expect(sdl).toMatch(/type AdministrativeUnit @key\(fields: "code", resolvable: false\)/);
    expect(sdl).not.toMatch(/extend type/);
    expect(sdl).not.toMatch(/landRights/);
  });

  it('resolves every representation of a batch in one source call', async () => {
    const ids = await citizensWithRoles(5);
    expect(ids).toHaveLength(5);
    let result: Awaited<ReturnType<typeof run>> | undefined;
    const calls = await countCalls(async () => {
      result = await run(
        'enterprise',
        `query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on Citizen { id enterprises { role enterprise { code name } citizen { id } } }
          }
        }`,
        { representations: ids.map((id) => ({ __typename: 'Citizen', id })) },
      );
    });
    expect(result?.errors).toBeUndefined();
    // The roles bring their enterprises; the citizens are the representations themselves.
    expect(calls).toEqual({ enterprise: 1 });
    const entities = result?.data?._entities as {
      id: string;
      enterprises: { enterprise: { code: string; name: string }; citizen: { id: string } }[];
    }[];
    expect(entities.map((entity) => entity.id)).toEqual(ids);
    for (const [index, entity] of entities.entries()) {
      expect(entity.enterprises.length).toBeGreaterThan(0);
      for (const role of entity.enterprises) expect(role.citizen.id).toBe(ids[index]);
    }
    // The same answer as the single-process gateway gives.
    const single = await tg.graphql<{
      citizens: { enterprises: { enterprise: { code: string; name: string } }[] }[];
    }>(
      'query ($ids: [ID!]!) { citizens(ids: $ids) { enterprises { enterprise { code name } } } }',
      {
        ids,
      },
    );
    expect(entities.map((entity) => entity.enterprises.map((role) => role.enterprise))).toEqual(
      single.body.data?.citizens.map((citizen) =>
        citizen.enterprises.map((role) => role.enterprise),
      ),
    );
  });

  it('reads the owner database once per batch, and answers null for a key it does not hold', async () => {
    const ids = await citizensWithRoles(3);
    let result: Awaited<ReturnType<typeof run>> | undefined;
    const calls = await countCalls(async () => {
      result = await run(
        'population',
        `query ($representations: [_Any!]!) {
          _entities(representations: $representations) { ... on Citizen { id fullName } }
        }`,
        {
          representations: [...ids, '001999999999'].map((id) => ({ __typename: 'Citizen', id })),
        },
      );
    });
    expect(result?.errors).toBeUndefined();
    expect(calls).toEqual({ population: 1 });
    const entities = result?.data?._entities as ({ id: string; fullName: string } | null)[];
    expect(entities.slice(0, 3).map((entity) => entity?.id)).toEqual(ids);
    expect(entities[3]).toBeNull();
  });

  it('answers the land holders of enterprises with their keys, typed from the key', async () => {
    const rows = await tg
      .db('land')('land.holders')
      .where('holder_kind', 'ENTERPRISE')
      .distinct('holder_id')
      .orderBy('holder_id')
      .limit(4);
    const codes = rows.map((row: { holder_id: string }) => row.holder_id);
    expect(codes.length).toBeGreaterThan(0);
    let result: Awaited<ReturnType<typeof run>> | undefined;
    const calls = await countCalls(async () => {
      result = await run(
        'land',
        `query ($representations: [_Any!]!) {
          _entities(representations: $representations) {
            ... on Enterprise {
              code
              landRights { parcel { id holders { __typename ... on Citizen { id } ... on Enterprise { code } } } }
            }
          }
        }`,
        { representations: codes.map((code) => ({ __typename: 'Enterprise', code })) },
      );
    });
    expect(result?.errors).toBeUndefined();
    // One call for the rights (with their parcels), one for the rights on those parcels.
    expect(calls).toEqual({ land: 2 });
    const entities = result?.data?._entities as {
      code: string;
      landRights: { parcel: { holders: { __typename: string; code?: string }[] } }[];
    }[];
    for (const entity of entities) {
      const holders = entity.landRights.flatMap((right) => right.parcel.holders);
      expect(holders).toContainEqual({ __typename: 'Enterprise', code: entity.code });
    }
  });
});
