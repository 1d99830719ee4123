import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { ROOT } from './paths';
import { resolvers } from './resolvers';

/** The SDL of every module in schema/, one file per national database plus shared types. */
export function loadTypeDefs(): string[] {
  const dir = path.join(ROOT, 'schema');
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => fs.readFileSync(path.join(dir, file), 'utf8'));
}

/** The executable schema: SDL from schema/ with the resolvers of src/resolvers. */
export function buildSchema(): GraphQLSchema {
  return makeExecutableSchema({ typeDefs: loadTypeDefs(), resolvers, inheritResolversFromInterfaces: true });
}
