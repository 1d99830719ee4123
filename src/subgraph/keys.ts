import {
  defaultFieldResolver,
  GraphQLObjectType,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { ProtectedTypes } from '../access/enforcement';
import type { Context } from '../context';

/**
 * The key field of each protected type, released without the field policy (with the resolver
 * of `raw`, the schema before the policy): the gateway asks
 * for it only to join this subgraph's answer with another's, and it has applied the policy to
 * what the client sees itself. The key still names the record's subject in the provider log.
 */
export function releaseJoinKeys(
  guarded: GraphQLSchema,
  raw: GraphQLSchema,
  types: ProtectedTypes,
): GraphQLSchema {
  return mapSchema(guarded, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      if (types.keyOf.get(typeName) !== fieldName) return field;
      const type = raw.getType(typeName);
      const own =
        (type instanceof GraphQLObjectType ? type.getFields()[fieldName]?.resolve : undefined) ??
        defaultFieldResolver;
      const resolve: GraphQLFieldResolver<unknown, Context> = (parent, args, ctx, info) => {
        const key = (parent as Record<string, unknown>)[fieldName];
        if (typeof key === 'string') ctx.access.subjects.add(key);
        return own(parent, args, ctx, info);
      };
      return { ...field, resolve };
    },
  });
}
