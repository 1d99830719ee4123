import {
  defaultFieldResolver,
  GraphQLError,
  type GraphQLFieldResolver,
  type GraphQLSchema,
} from 'graphql';
import { MapperKind, mapSchema } from '@graphql-tools/utils';
import type { Context } from '../context';
import { ErrorCode } from '../errors';
import { procedureCatalogue } from '../procedures/catalogue';
import { entriesAllow, fieldAllowed } from './policy';
import { holdsRole, policyOf, purposeProblem, ROLE_FIELDS, typeReadable } from './rules';
import {
  requestedIdentifiers,
  subjectIdentifiers,
  subjectsOf,
  type RecordSubjects,
} from './subjects';

/**
 * Which types hold personal data, and the field that identifies a record of each (its
 * Federation `@key`), as read from the SDL: the types of the five national databases.
 */
export interface ProtectedTypes {
  /** Type name -> the key field naming the record (`Citizen` -> `id`), or null if it has none. */
  keyOf: Map<string, string | null>;
}

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

/**
 * Whether this request may read a field: for resolvers that fetch ahead (two levels in one
 * call), so that the source is not asked for what the policy refuses.
 */
export function mayRead(ctx: Context, typeName: string, fieldName: string): boolean {
  if (ctx.viewer.kind === 'citizen') return true;
  const policy = policyOf(ctx.viewer, ctx.access.purpose);
  return policy !== null && fieldAllowed(policy, typeName, fieldName);
}

/**
 * Applies the access policy to every field in one place, before its resolver runs: a field
 * outside the viewer's policy is `null` with FORBIDDEN (or CONSENT_REQUIRED) at its path, the
 * rest of the answer stands, and the source is never asked for it. Every field released and
 * refused is noted in the request's AccessRecord for the access log.
 */
export function applyAccessPolicy(
  schema: GraphQLSchema,
  protectedTypes: ProtectedTypes,
  options: {
    /**
     * The federated gateway: a record whose owner it cannot see (an insurance record reached by
     * its number) is left to the subgraph that holds it, which checks the consent again with
     * the record's owner; a record whose owner it sees is checked here too.
     */
    consentAtSource?: boolean;
  } = {},
): GraphQLSchema {
  const rootTypes = new Set(
    [schema.getQueryType()?.name, schema.getMutationType()?.name].filter(Boolean),
  );
  return mapSchema(schema, {
    [MapperKind.OBJECT_FIELD]: (field, fieldName, typeName) => {
      const resolve = (field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<
        unknown,
        Context
      >;
      if (rootTypes.has(typeName)) {
        const named = field.type.toString().replace(/[[\]!]/g, '');
        const role = ROLE_FIELDS[fieldName];
        const takesProcedure = field.args?.procedureCode !== undefined;
        if (!role && !takesProcedure && !protectedTypes.keyOf.has(named)) return field;
        return {
          ...field,
          resolve: guardRoot(fieldName, named, role, takesProcedure, protectedTypes.keyOf, resolve),
        };
      }
      if (!protectedTypes.keyOf.has(typeName)) return field;
      return {
        ...field,
        resolve: guardField(
          typeName,
          fieldName,
          protectedTypes.keyOf.get(typeName) ?? null,
          resolve,
          options.consentAtSource ?? false,
        ),
      };
    },
  });
}

/** Notes whose data a row is, for the access log. */
function noteSubjects(
  ctx: Context,
  typeName: string,
  keyField: string | null,
  row: unknown,
): RecordSubjects {
  const subjects = subjectsOf(typeName, keyField, row);
  for (const id of subjectIdentifiers(subjects)) ctx.access.subjects.add(id);
  return subjects;
}

/** What the policy says of one field coordinate for a client under one purpose. */
type Decision = { allowed: true; consent: boolean } | { allowed: false; message: string };

/**
 * What one request has worked out already: the decision per field coordinate (it depends on
 * the viewer and the purpose, not on the value being resolved), and the subjects of each row,
 * noted once however many of its fields are read.
 */
interface RequestDecisions {
  purpose: string | null;
  decisions: Map<string, Decision>;
  rows: Map<string, WeakMap<object, RecordSubjects>>;
}

const requests = new WeakMap<Context['access'], RequestDecisions>();

function decisionsOf(ctx: Context): RequestDecisions {
  let state = requests.get(ctx.access);
  if (!state) {
    state = { purpose: ctx.access.purpose, decisions: new Map(), rows: new Map() };
    requests.set(ctx.access, state);
  } else if (state.purpose !== ctx.access.purpose) {
    // A prefill sets the purpose to its procedure: decisions made under another do not hold.
    state.purpose = ctx.access.purpose;
    state.decisions.clear();
  }
  return state;
}

/** The subjects of a row, noted for the log the first time one of its fields is read. */
function rowSubjects(
  ctx: Context,
  state: RequestDecisions,
  typeName: string,
  keyField: string | null,
  row: unknown,
): RecordSubjects {
  if (row === null || typeof row !== 'object') return noteSubjects(ctx, typeName, keyField, row);
  let seen = state.rows.get(typeName);
  if (!seen) {
    seen = new WeakMap();
    state.rows.set(typeName, seen);
  }
  let subjects = seen.get(row);
  if (!subjects) {
    subjects = noteSubjects(ctx, typeName, keyField, row);
    seen.set(row, subjects);
  }
  return subjects;
}

function decide(ctx: Context, typeName: string, fieldName: string, coordinate: string): Decision {
  const { viewer, access } = ctx;
  const policy = policyOf(viewer, access.purpose);
  if (!policy || !fieldAllowed(policy, typeName, fieldName)) {
    return {
      allowed: false,
      message: policy
        ? `Purpose "${access.purpose}" does not allow reading ${coordinate}.`
        : (purposeProblem(viewer, access.purpose) ?? `${coordinate} is not readable.`),
    };
  }
  return { allowed: true, consent: policy.requiresConsent && !fieldName.startsWith('__') };
}

/** Notes the subjects of what a root field returned: one row or a list of them. */
function noteReturned(
  ctx: Context,
  typeName: string,
  keyOf: ProtectedTypes['keyOf'],
  result: unknown,
) {
  if (!keyOf.has(typeName)) return;
  const rows = Array.isArray(result) ? result : [result];
  for (const row of rows) {
    if (row && typeof row === 'object' && !(row instanceof Error)) {
      noteSubjects(ctx, typeName, keyOf.get(typeName) ?? null, row);
    }
  }
}

function guardRoot(
  fieldName: string,
  returnType: string,
  role: 'auditor' | 'citizen' | undefined,
  takesProcedure: boolean,
  keyOf: ProtectedTypes['keyOf'],
  resolve: GraphQLFieldResolver<unknown, Context>,
): GraphQLFieldResolver<unknown, Context> {
  // Whatever a root field reads is recorded as read: a `__typename` probe or a refused read
  // names its subjects too, so the log is never an oracle of who exists.
  const resolveAndNote: GraphQLFieldResolver<unknown, Context> = async (
    parent,
    args,
    ctx,
    info,
  ) => {
    const result = await resolve(parent, args, ctx, info);
    noteReturned(ctx, returnType, keyOf, result);
    return result;
  };
  return (parent, args: Record<string, unknown>, ctx, info) => {
    const { viewer, access } = ctx;
    access.touched = true;
    if (role && !holdsRole(viewer, role)) {
      throw forbidden(
        role === 'auditor'
          ? `"${fieldName}" is for auditor clients only.`
          : `"${fieldName}" needs a citizen identity token.`,
      );
    }
    if (role) return resolve(parent, args, ctx, info);
    for (const id of requestedIdentifiers(args)) access.subjects.add(id);
    if (viewer.kind === 'citizen') {
      throw forbidden(
        `A citizen identity token reads the holder's own data through "me" only, not "${fieldName}".`,
      );
    }
    if (takesProcedure) {
      // The procedure is the purpose: a client may use only procedures it is registered for.
      // An unknown code is the resolver's to refuse, as BAD_USER_INPUT listing valid ones.
      const known = procedureCatalogue().get(String(args.procedureCode));
      if (!known) return resolve(parent, args, ctx, info);
      const procedure = known.code;
      const declared = access.purpose
        ? (procedureCatalogue().get(access.purpose)?.code ?? access.purpose)
        : null;
      if (declared && declared !== procedure) {
        throw forbidden(
          `X-Purpose "${access.purpose}" does not match the procedure "${procedure}".`,
        );
      }
      const problem = purposeProblem(viewer, procedure);
      if (problem) throw forbidden(problem);
      access.purpose = procedure;
      return resolve(parent, args, ctx, info);
    }
    const policy = policyOf(viewer, access.purpose);
    if (!policy || !typeReadable(policy, returnType)) {
      access.denied.add(`${info.parentType.name}.${fieldName}`);
      const refused = forbidden(
        purposeProblem(viewer, access.purpose) ??
          `Purpose "${access.purpose}" does not allow reading ${returnType} records.`,
      );
      // A citizen or enterprise asked for by its own id is named by the argument. The owner of
      // a record asked for by another key (an insurance number, a parcel) is looked up for
      // the log alone: nothing of it reaches the client.
      if (returnType === 'Citizen' || returnType === 'Enterprise') throw refused;
      return Promise.resolve(resolveAndNote(parent, args, ctx, info)).then(
        () => Promise.reject(refused),
        () => Promise.reject(refused),
      );
    }
    return resolveAndNote(parent, args, ctx, info);
  };
}

function guardField(
  typeName: string,
  fieldName: string,
  keyField: string | null,
  resolve: GraphQLFieldResolver<unknown, Context>,
  consentAtSource: boolean,
): GraphQLFieldResolver<unknown, Context> {
  const coordinate = `${typeName}.${fieldName}`;
  return (parent, args, ctx, info) => {
    const { viewer, access } = ctx;
    const state = decisionsOf(ctx);
    const subjects = rowSubjects(ctx, state, typeName, keyField, parent);
    if (viewer.kind === 'citizen') {
      // Through `me` a citizen reaches their enterprises, land and insurance, but another
      // person (a spouse, a co-owner) stays closed.
      if (typeName === 'Citizen' && (parent as { id?: string }).id !== viewer.citizenId) {
        access.denied.add(coordinate);
        throw forbidden(
          `${coordinate} of another person is not readable with a citizen identity token.`,
        );
      }
      access.fields.add(coordinate);
      return resolve(parent, args, ctx, info);
    }
    let decision = state.decisions.get(coordinate);
    if (!decision) {
      decision = decide(ctx, typeName, fieldName, coordinate);
      state.decisions.set(coordinate, decision);
    }
    if (!decision.allowed) {
      access.denied.add(coordinate);
      throw forbidden(decision.message);
    }
    if (decision.consent) {
      // Every person the record belongs to must have consented; a record of no person (an
      // enterprise's) cannot be consented to by a citizen, so it stays closed.
      const refuse = () => {
        access.denied.add(coordinate);
        return new GraphQLError(
          `Reading ${coordinate} for purpose "${access.purpose}" needs the citizen's consent, and none is in force.`,
          { extensions: { code: ErrorCode.CONSENT_REQUIRED } },
        );
      };
      if (subjects.citizens.length === 0) {
        if (!consentAtSource) throw refuse();
        access.fields.add(coordinate);
        return resolve(parent, args, ctx, info);
      }
      return Promise.all(subjects.citizens.map((id) => ctx.loaders.consents.load(id))).then(
        (consents) => {
          if (!consents.every((fields) => entriesAllow(fields, typeName, fieldName)))
            throw refuse();
          access.fields.add(coordinate);
          return resolve(parent, args, ctx, info);
        },
      );
    }
    access.fields.add(coordinate);
    return resolve(parent, args, ctx, info);
  };
}
