import fs from 'node:fs';
import path from 'node:path';
import {
  Kind,
  parse,
  print,
  type DefinitionNode,
  type ConstDirectiveNode,
  type DocumentNode,
  type FieldDefinitionNode,
  type ObjectTypeDefinitionNode,
  type StringValueNode,
  type TypeNode,
} from 'graphql';
import type { DatabaseName } from '../../adapters/databases';
import { ROOT } from '../paths';

const SCHEMA_DIR = path.join(ROOT, 'schema');

/** The SDL file every subgraph shares: scalars, provenance, addresses, the root type. */
const SHARED_FILE = 'common';

/**
 * The subgraphs of the federated topology and the schema/ files each serves: one per national
 * database, and the gateway's own (the access log, consents, the procedure catalogue).
 */
export const SUBGRAPH_FILES = {
  population: ['population'],
  enterprise: ['enterprise'],
  land: ['land'],
  insurance: ['insurance'],
  civil_service: ['civil-service'],
  reference: ['reference'],
  finance: ['finance'],
  gateway: ['access', 'procedures'],
} as const satisfies Record<DatabaseName | 'gateway', readonly string[]>;

export type SubgraphName = keyof typeof SUBGRAPH_FILES;

/** Every subgraph, in a fixed order. */
export const SUBGRAPHS = Object.keys(SUBGRAPH_FILES) as SubgraphName[];

/** The national databases served as subgraphs of their own. */
export const DATABASE_SUBGRAPHS = SUBGRAPHS.filter(
  (name): name is DatabaseName => name !== 'gateway',
);

function read(file: string): DocumentNode {
  return parse(fs.readFileSync(path.join(SCHEMA_DIR, file), 'utf8'));
}

function keyOf(definition: DefinitionNode): string | null {
  if (
    definition.kind !== Kind.OBJECT_TYPE_DEFINITION &&
    definition.kind !== Kind.OBJECT_TYPE_EXTENSION
  )
    return null;
  const key = definition.directives?.find((directive) => directive.name.value === 'key');
  const fields = key?.arguments?.find((argument) => argument.name.value === 'fields');
  return fields ? (fields.value as StringValueNode).value : null;
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

const BUILT_IN = new Set(['ID', 'String', 'Int', 'Float', 'Boolean']);

/** Every entity of the graph, as its owner declares it: name -> key field and its definition. */
function entityOwners(): Map<string, { key: string; field: FieldDefinitionNode }> {
  const owners = new Map<string, { key: string; field: FieldDefinitionNode }>();
  for (const file of fs.readdirSync(SCHEMA_DIR).filter((name) => name.endsWith('.graphql'))) {
    for (const definition of read(file).definitions) {
      if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION) continue;
      const key = keyOf(definition);
      const field = definition.fields?.find((candidate) => candidate.name.value === key);
      if (key && field) owners.set(definition.name.value, { key, field });
    }
  }
  return owners;
}

/** `@key(fields: "...", resolvable: false)`: an entity this subgraph returns but cannot resolve. */
function stubKeyDirective(key: string): ConstDirectiveNode {
  const stub = parse(`type Stub @key(fields: ${JSON.stringify(key)}, resolvable: false)`);
  return (stub.definitions[0] as ObjectTypeDefinitionNode).directives![0];
}

/**
 * The Federation 2 SDL of one national database's subgraph: the shared file and its own file;
 * each type it extends (`extend type Citizen @key(fields: "id")`) becomes a definition with the
 * key field its owner declares; each entity of another database it only points to is a stub
 * holding the key (`@key(..., resolvable: false)`), which the gateway resolves at the owner.
 */
export function subgraphSdl(subgraph: SubgraphName): DocumentNode {
  const owners = entityOwners();
  const files = [SHARED_FILE, ...SUBGRAPH_FILES[subgraph]];
  const documents = files.map((file) => read(`${file}.graphql`));
  const definitions: DefinitionNode[] = [];
  const defined = new Set<string>();
  const extensions: DefinitionNode[] = [];
  for (const document of documents) {
    for (const definition of document.definitions) {
      if ('name' in definition && definition.name && definition.kind.endsWith('Definition')) {
        defined.add(definition.name.value);
      }
      if (definition.kind === Kind.OBJECT_TYPE_EXTENSION) extensions.push(definition);
      else definitions.push(definition);
    }
  }
  // The root type's fields come from the file's `extend type Query`; another database's
  // entity extended here is defined here, with its key field first.
  for (const extension of extensions) {
    if (extension.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const name = extension.name.value;
    const base = definitions.find(
      (definition): definition is ObjectTypeDefinitionNode =>
        definition.kind === Kind.OBJECT_TYPE_DEFINITION && definition.name.value === name,
    );
    if (base) {
      const index = definitions.indexOf(base);
      definitions[index] = {
        ...base,
        fields: [...(base.fields ?? []), ...(extension.fields ?? [])],
      };
      continue;
    }
    const owner = owners.get(name);
    if (!owner) throw new Error(`${subgraph} extends ${name}, which no file owns`);
    definitions.push({
      kind: Kind.OBJECT_TYPE_DEFINITION,
      name: extension.name,
      directives: extension.directives,
      fields: [owner.field, ...(extension.fields ?? [])],
    });
    defined.add(name);
  }
  // Entities of other databases this subgraph only returns: a stub with the key.
  const referenced = new Set<string>();
  for (const definition of definitions) {
    if (definition.kind === Kind.OBJECT_TYPE_DEFINITION) {
      for (const field of definition.fields ?? []) {
        referenced.add(namedType(field.type));
        for (const argument of field.arguments ?? []) referenced.add(namedType(argument.type));
      }
    }
    if (definition.kind === Kind.UNION_TYPE_DEFINITION) {
      for (const member of definition.types ?? []) referenced.add(member.name.value);
    }
  }
  for (const name of [...referenced].sort()) {
    if (defined.has(name) || BUILT_IN.has(name)) continue;
    const owner = owners.get(name);
    if (!owner) throw new Error(`${subgraph} uses ${name}, which is not an entity`);
    definitions.push({
      kind: Kind.OBJECT_TYPE_DEFINITION,
      name: { kind: Kind.NAME, value: name },
      directives: [stubKeyDirective(owner.key)],
      fields: [owner.field],
    });
    defined.add(name);
  }
  return { kind: Kind.DOCUMENT, definitions };
}

/** The SDL a subgraph reports in `_service { sdl }`: its schema without the directive definitions. */
export function printSubgraphSdl(subgraph: SubgraphName): string {
  const document = subgraphSdl(subgraph);
  return print({
    ...document,
    definitions: document.definitions.filter(
      (definition) => definition.kind !== Kind.DIRECTIVE_DEFINITION,
    ),
  });
}

/** The key field of every entity defined or extended in the subgraph. */
export function entityKeys(document: DocumentNode): Map<string, string> {
  const keys = new Map<string, string>();
  for (const definition of document.definitions) {
    const key = keyOf(definition);
    if (key && definition.kind === Kind.OBJECT_TYPE_DEFINITION) {
      const resolvable = !definition.directives?.some((directive) =>
        directive.arguments?.some(
          (argument) =>
            argument.name.value === 'resolvable' &&
            argument.value.kind === Kind.BOOLEAN &&
            !argument.value.value,
        ),
      );
      if (resolvable) keys.set(definition.name.value, key);
    }
  }
  return keys;
}
