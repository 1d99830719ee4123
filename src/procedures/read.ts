import {
  execute,
  getNamedType,
  isListType,
  isNonNullType,
  isObjectType,
  type DocumentNode,
  type GraphQLError,
  type GraphQLObjectType,
  type GraphQLSchema,
  validate,
} from 'graphql';
import { SourceUnavailableError } from '../../adapters/source';
import type { Context } from '../context';
import type { SourceParent } from '../resolvers/source';
import { SUBJECT_ALIAS, SUBJECTS, type FieldBinding, type SubjectKind } from './bindings';
import type { FieldDefinition } from './catalogue';

export type UnavailableCause =
  'APPLICANT_PROVIDES' | 'SUBJECT_NOT_FOUND' | 'NO_VALUE' | 'SOURCE_UNAVAILABLE' | 'NOT_RELEASED';

/** A value as text: one string, or one entry per record for a field bound through a list. */
export type FieldValue = string | (string | null)[];

/** What the national databases said about one field: a value with its source, or why there is none. */
export interface FieldReading {
  value: FieldValue | null;
  source: SourceParent | null;
  cause: UnavailableCause | null;
  reason: string | null;
}

export const APPLICANT_PROVIDES = 'not held by any national database; the applicant provides it';

/**
 * Where the selection runs: the executable schema and the context of the request being served,
 * so its loaders batch the reads and whatever guards the schema applies to them as well.
 */
export interface Execution {
  schema: GraphQLSchema;
  context: Context;
}

interface Failure {
  path: string[];
  cause: UnavailableCause;
  reason: string;
}

/**
 * Errors a field can be unavailable for. Anything else (no audit log, a bug) fails the whole
 * request as it would anywhere else in the schema, so it is rethrown.
 */
function failureOf(error: GraphQLError, schema: GraphQLSchema, kind: SubjectKind): Failure {
  const original = error.originalError;
  const path = nulledPath(
    schema,
    kind,
    (error.path ?? []).filter((segment): segment is string => typeof segment === 'string'),
  );
  if (original instanceof SourceUnavailableError) {
    return {
      path,
      cause: 'SOURCE_UNAVAILABLE',
      reason: `the ${original.database} database did not answer in time (SOURCE_UNAVAILABLE)`,
    };
  }
  const code = error.extensions?.code;
  if (error.path && code === 'SOURCE_UNAVAILABLE')
    return { path, cause: 'SOURCE_UNAVAILABLE', reason: `${error.message} (${code})` };
  if (error.path && (code === 'FORBIDDEN' || code === 'CONSENT_REQUIRED')) {
    return { path, cause: 'NOT_RELEASED', reason: `${error.message} (${code})` };
  }
  throw original ?? error;
}

/**
 * The part of the result an error wiped out: a failed non-null field takes its parent with it, up
 * to the nearest nullable field (or list item), and every value under that one is lost to the
 * same error.
 */
function nulledPath(schema: GraphQLSchema, kind: SubjectKind, path: string[]): string[] {
  let type: GraphQLObjectType | null | undefined = schema.getQueryType();
  const nullable: boolean[] = [];
  for (const [index, name] of path.entries()) {
    const field = type?.getFields()[index === 0 ? SUBJECTS[kind].rootField : name];
    if (!field) return path;
    // An error inside an item of a list with nullable items nulls that item only: the list stands.
    const list = isNonNullType(field.type) ? field.type.ofType : field.type;
    const itemsNullable =
      isListType(list) && !isNonNullType(list.ofType) && index < path.length - 1;
    nullable.push(!isNonNullType(field.type) || itemsNullable);
    const named = getNamedType(field.type);
    type = isObjectType(named) ? named : null;
  }
  const last = nullable.lastIndexOf(true);
  return last < 0 ? path.slice(0, 1) : path.slice(0, last + 1);
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);
}

function sourceOf(node: unknown): SourceParent | null {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return null;
  const source = (node as { source?: SourceParent | null }).source;
  return source ?? null;
}

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function noValue(coordinate: string | null): FieldReading {
  return {
    value: null,
    source: null,
    cause: 'NO_VALUE',
    reason: `the national database records no value for this subject${coordinate ? ` (${coordinate} is empty)` : ''}`,
  };
}

/** Follows a binding through the result, lists included, keeping each value's nearest record source. */
export function extract(subject: Record<string, unknown>, binding: FieldBinding): FieldReading {
  let frontier: { node: unknown; source: SourceParent | null }[] = [
    { node: subject, source: sourceOf(subject) },
  ];
  let emptyAt: string | null = null;
  for (const step of binding.steps) {
    const next: typeof frontier = [];
    for (const at of frontier) {
      if (at.node === null) {
        // A record without the intermediate object still holds its place in the list.
        next.push(at);
        continue;
      }
      const raw = (at.node as Record<string, unknown>)[step.field];
      const items = step.list ? (Array.isArray(raw) ? raw : []) : [raw];
      if (items.length === 0 || (!step.list && raw == null)) emptyAt ??= step.coordinate;
      for (const item of items)
        next.push({ node: item ?? null, source: sourceOf(item) ?? at.source });
    }
    frontier = next;
  }
  const present = frontier.filter((leaf) => leaf.node !== null);
  if (present.length === 0) return noValue(emptyAt);
  if (!binding.multiple)
    return { value: asText(present[0].node), source: present[0].source, cause: null, reason: null };
  // Of the records listed, the one that changed last speaks for the list.
  let source: SourceParent | null = null;
  for (const leaf of present) {
    if (
      leaf.source &&
      (!source || Date.parse(String(leaf.source.updatedAt)) > Date.parse(String(source.updatedAt)))
    ) {
      source = leaf.source;
    }
  }
  return {
    value: frontier.map((leaf) => (leaf.node === null ? null : asText(leaf.node))),
    source,
    cause: null,
    reason: null,
  };
}

/** Documents already checked against each schema; built from the catalogue, so a few dozen. */
const checked = new WeakMap<GraphQLSchema, WeakSet<DocumentNode>>();

/**
 * `execute` trusts its document and silently skips fields the schema lacks, which would pass
 * for "no value"; a selection the serving schema rejects is a server fault, so it is raised.
 */
function assertValid(schema: GraphQLSchema, document: DocumentNode): void {
  let documents = checked.get(schema);
  if (documents?.has(document)) return;
  const errors = validate(schema, document);
  if (errors.length > 0)
    throw new Error(
      `procedure selection does not fit the schema: ${errors.map((e) => e.message).join('; ')}`,
    );
  if (!documents) checked.set(schema, (documents = new WeakSet()));
  documents.add(document);
}

export interface Reading {
  /** Whether the subject exists; null when its database did not answer. */
  found: boolean | null;
  readings: Map<string, FieldReading>;
}

/**
 * Reads the given fields for a subject by executing ONE document against the request's own
 * schema and context, then tells for each field its value and source, or why it has none.
 */
export async function readFields(
  kind: SubjectKind,
  subjectId: string,
  fields: readonly FieldDefinition[],
  document: DocumentNode | null,
  execution: Execution,
): Promise<Reading> {
  const readings = new Map<string, FieldReading>();
  const bound = fields.filter((field) => field.binding);
  for (const field of fields) {
    if (!field.binding)
      readings.set(field.key, {
        value: null,
        source: null,
        cause: 'APPLICANT_PROVIDES',
        reason: APPLICANT_PROVIDES,
      });
  }
  if (bound.length === 0 || !document) return { found: null, readings };

  assertValid(execution.schema, document);
  const result = await execute({
    schema: execution.schema,
    document,
    contextValue: execution.context,
    variableValues: { id: subjectId },
  });
  const failures = (result.errors ?? []).map((error) => failureOf(error, execution.schema, kind));
  const subject = (result.data?.[SUBJECT_ALIAS] ?? null) as Record<string, unknown> | null;
  const subjectFailed = failures.some((failure) => isPrefix(failure.path, [SUBJECT_ALIAS]));
  const { noun, type } = SUBJECTS[kind];

  for (const field of bound) {
    const binding = field.binding!;
    const path = [SUBJECT_ALIAS, ...binding.steps.map((step) => step.field)];
    const failure = failures.find((candidate) => isPrefix(candidate.path, path));
    if (failure)
      readings.set(field.key, {
        value: null,
        source: null,
        cause: failure.cause,
        reason: failure.reason,
      });
    else if (!subject) {
      readings.set(field.key, {
        value: null,
        source: null,
        cause: 'SUBJECT_NOT_FOUND',
        reason: `no ${noun} with the id ${subjectId} exists (${type} not found)`,
      });
    } else readings.set(field.key, extract(subject, binding));
  }
  return { found: subjectFailed ? null : subject !== null, readings };
}
