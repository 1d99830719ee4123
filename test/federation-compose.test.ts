import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { buildSchema, lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { compose, CompositionError, localServices } from '../src/federation/compose';
import { ROOT } from '../src/paths';
import { loadTypeDefs } from '../src/schema';

/** The schema as clients see it, without the Federation directives that only subgraphs use. */
function publicText(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema))
    .split('\n\n')
    .filter((block) => !/^(""".*?"""\n|"[^\n]*"\n)?directive @(key|link|shareable)\b/s.test(block))
    .join('\n\n');
}

describe('composition of the subgraphs', () => {
  it('gives the public schema of the single-process gateway, type for type and field for field', () => {
    const composed = buildSchema(compose(localServices()).publicSdl);
    const single = makeExecutableSchema({ typeDefs: loadTypeDefs() });
    expect(publicText(composed)).toBe(publicText(single));
    expect(publicText(single)).not.toMatch(/directive @key/);
  });

  it('is committed as supergraph.graphql and current', () => {
    const committed = fs.readFileSync(path.join(ROOT, 'supergraph.graphql'), 'utf8');
    expect(committed).toContain(compose(localServices()).supergraphSdl.trim());
  });

  it('fails naming the conflict when two subgraphs disagree on a field', () => {
    const services = localServices().map((service) =>
      service.name === 'enterprise'
        ? {
            ...service,
            sdl: service.sdl.replace(
              /type Citizen @key\(fields: "id"\) \{/,
              'type Citizen @key(fields: "id") {\n  fullName: Int',
            ),
          }
        : service,
    );
    expect(() => compose(services)).toThrow(CompositionError);
    expect(() => compose(services)).toThrow(/Citizen\.fullName/);
  });
});
