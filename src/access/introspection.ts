import { filterSchema, pruneSchema } from '@graphql-tools/utils';
import { Kind, type DocumentNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { createCache } from '../cache';
import type { ProtectedTypes } from './enforcement';
import { fieldAllowed } from './policy';
import type { PurposePolicy } from './types';
import type { Viewer } from './viewer';

const AUDITOR_FIELDS = new Set([
  'auditLog',
  'verifyAuditChain',
  'accessStatistics',
  'auditEntry',
  'accessTimeline',
  'accessAnomalies',
]);
const CITIZEN_FIELDS = new Set([
  'me',
  'myDataAccesses',
  'myConsents',
  'grantConsent',
  'revokeConsent',
]);

/** Whether a document asks for the schema itself (`__schema` or `__type` at its root). */
export function isIntrospection(document: DocumentNode): boolean {
  const rootAsks = (selectionSet: SelectionSetNode): boolean =>
    selectionSet.selections.some(
      (selection) =>
        (selection.kind === Kind.FIELD &&
          (selection.name.value === '__schema' || selection.name.value === '__type')) ||
        (selection.kind === Kind.INLINE_FRAGMENT && rootAsks(selection.selectionSet)),
    );
  return document.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION && rootAsks(definition.selectionSet),
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
    const policies: PurposePolicy[] =
      viewer.kind !== 'client'
        ? []
        : viewer.purpose
          ? [viewer.client.purposes.get(viewer.purpose)].filter(
              (policy): policy is PurposePolicy => !!policy,
            )
          : [...viewer.client.purposes.values()];
    const readable = (typeName: string, fieldName: string) =>
      viewer.kind === 'citizen' ||
      policies.some((policy) => fieldAllowed(policy, typeName, fieldName));
    const typeReadable = (typeName: string) =>
      viewer.kind === 'citizen' ||
      policies.some((policy) =>
        policy.fields.some(
          (entry) => entry === '*' || entry === typeName || entry.startsWith(`${typeName}.`),
        ),
      );

    const filtered = filterSchema({
      schema,
      rootFieldFilter: (_operation, fieldName) => {
        if (AUDITOR_FIELDS.has(fieldName)) return viewer.kind === 'client' && viewer.client.auditor;
        if (CITIZEN_FIELDS.has(fieldName)) return viewer.kind === 'citizen';
        const type = rootType.get(fieldName) ?? '';
        if (!protectedTypes.keyOf.has(type))
          return viewer.kind === 'client' || fieldName.startsWith('procedure');
        return viewer.kind === 'client' && typeReadable(type);
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
