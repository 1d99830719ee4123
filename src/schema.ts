import fs from 'node:fs';
import path from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { mergeResolvers } from '@graphql-tools/merge';
import { Kind, parse, type GraphQLSchema, type StringValueNode } from 'graphql';
import { applyAccessPolicy, type ProtectedTypes } from './access/enforcement';
import { ROOT } from './paths';
import { resolvers } from './resolvers';
import { createAccessResolvers, type AccessServices } from './resolvers/access';
import { createStatisticsResolvers } from './resolvers/statistics';

const SCHEMA_DIR = path.join(ROOT, 'schema');

/** The SDL files of the national databases: every type they declare holds personal data. */
const NATIONAL_DATABASE_FILES = [
  'population',
  'enterprise',
  'land',
  'insurance',
  'civil-service',
  'finance',
];

/** The SDL of every module in schema/, one file per national database plus shared types. */
export function loadTypeDefs(): string[] {
  return fs
    .readdirSync(SCHEMA_DIR)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8'));
}

/**
 * The object types of the national databases, each with the field its `@key` names: what the
 * access policy guards and what the access log records as the subject of a read.
 */
export function protectedTypes(): ProtectedTypes {
  const keyOf = new Map<string, string | null>();
  for (const name of NATIONAL_DATABASE_FILES) {
    const document = parse(fs.readFileSync(path.join(SCHEMA_DIR, `${name}.graphql`), 'utf8'));
    for (const definition of document.definitions) {
      // A type another database extends (`extend type Citizen @key(fields: "id")`) keeps its key.
      if (
        definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
        definition.kind !== Kind.OBJECT_TYPE_EXTENSION
      )
        continue;
      const key = definition.directives?.find((directive) => directive.name.value === 'key');
      const fields = key?.arguments?.find((argument) => argument.name.value === 'fields');
      const name = definition.name.value;
      if (fields) keyOf.set(name, (fields.value as StringValueNode).value);
      else if (!keyOf.has(name)) keyOf.set(name, null);
    }
  }
  return { keyOf };
}

/** The executable schema: SDL from schema/, the resolvers of src/resolvers, the access policy on top. */
export function buildSchema(services: AccessServices): GraphQLSchema {
  const schema = makeExecutableSchema({
    typeDefs: loadTypeDefs(),
    resolvers: mergeResolvers([
      resolvers,
      createAccessResolvers(services),
      createStatisticsResolvers(services.audit),
    ]),
  });
  return applyAccessPolicy(schema, protectedTypes());
}
