import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { createCache } from '../cache';
import type { ProtectedTypes } from './enforcement';
import { fieldAllowed } from './policy';
import { holdsRole, policiesOf, ROLE_FIELDS, typeReadable } from './rules';
import type { Viewer } from './viewer';

/**
 * Whether an operation asks for the schema itself (`__schema` or `__type` at its root), however
 * it is written: directly, in inline fragments or in named fragments spread at the root.
 */
export function isIntrospection(document: DocumentNode, operationName?: string | null): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION)
      fragments.set(definition.name.value, definition);
  }
  const rootAsks = (selectionSet: SelectionSetNode, seen: Set<string>): boolean =>
    selectionSet.selections.some((selection) => {
      if (selection.kind === Kind.FIELD) {
        return selection.name.value === '__schema' || selection.name.value === '__type';
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) return rootAsks(selection.selectionSet, seen);
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (!fragment || seen.has(name)) return false;
      seen.add(name);
      return rootAsks(fragment.selectionSet, seen);
    });
  return document.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!operationName || definition.name?.value === operationName) &&
      rootAsks(definition.selectionSet, new Set()),
  );
}

/**
 * The schema as one viewer may see it: introspection shows a client only the root fields and
 * the fields of personal-data types its purpose allows (all its purposes when none is given),
 * an auditor only the log, a citizen only their own fields. Cached per client and purpose.
 */
export function createIntrospectionSchemas(schema: GraphQLSchema, protectedTypes: ProtectedTypes) {
  const cache = createCache<{ schema: GraphQLSchema }>({ max: 500, ttlMs: 60_000 });
  const rootType = new Map<string, string>();
  for (const type of [schema.getQueryType(), schema.getMutationType()]) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      rootType.set(field.name, field.type.toString().replace(/[[\]!]/g, ''));
    }
  }

  function build(viewer: Viewer): GraphQLSchema {
    const policies = policiesOf(viewer);
    const readable = (typeName: string, fieldName: string) =>
      viewer.kind === 'citizen' ||
      policies.some((policy) => fieldAllowed(policy, typeName, fieldName));
    const opensType = (typeName: string) =>
      viewer.kind === 'citizen' || policies.some((policy) => typeReadable(policy, typeName));

    const filtered = filterSchema({
      schema,
      rootFieldFilter: (_operation, fieldName) => {
        const role = ROLE_FIELDS[fieldName];
        if (role) return holdsRole(viewer, role);
        const type = rootType.get(fieldName) ?? '';
        if (!protectedTypes.keyOf.has(type))
          return viewer.kind === 'client' || fieldName.startsWith('procedure');
        return viewer.kind === 'client' && opensType(type);
      },
      objectFieldFilter: (typeName, fieldName) =>
        !protectedTypes.keyOf.has(typeName) || readable(typeName, fieldName),
    });
    return pruneSchema(filtered);
  }

  return {
    forViewer(viewer: Viewer): GraphQLSchema {
      const key =
        viewer.kind === 'citizen'
          ? 'citizen'
          : `${viewer.client.id}\u0000${viewer.purpose ?? ''}\u0000${viewer.client.auditor}`;
      let entry = cache.get(key);
      if (!entry) {
        entry = { schema: build(viewer) };
        cache.set(key, entry);
      }
      return entry.schema;
    },
  };
}
