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
import type { PurposePolicy } from './types';
import type { Viewer } from './viewer';

/**
 * Which types hold personal data, and the field that identifies a record of each (its
 * Federation `@key`), as read from the SDL: the types of the five national databases.
 */
export interface ProtectedTypes {
  /** Type name -> the key field naming the record (`Citizen` -> `id`), or null if it has none. */
  keyOf: Map<string, string | null>;
}

/** Root fields reserved to one kind of viewer, whatever their purpose. */
const ROLE_FIELDS: Record<string, 'auditor' | 'citizen'> = {
  auditLog: 'auditor',
  verifyAuditChain: 'auditor',
  accessStatistics: 'auditor',
  auditEntry: 'auditor',
  accessTimeline: 'auditor',
  accessAnomalies: 'auditor',
  me: 'citizen',
  myDataAccesses: 'citizen',
  myConsents: 'citizen',
  grantConsent: 'citizen',
  revokeConsent: 'citizen',
};

function forbidden(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.FORBIDDEN } });
}

/** Whether a purpose lets the client read at least one field of a type. */
function typeReadable(policy: PurposePolicy, typeName: string): boolean {
  return policy.fields.some(
    (entry) => entry === '*' || entry === typeName || entry.startsWith(`${typeName}.`),
  );
}

/** Why a client may not read personal data at all under its current purpose, or null. */
function purposeProblem(viewer: Viewer, purpose: string | null): string | null {
  if (viewer.kind !== 'client') return null;
  if (!purpose) return 'Personal data needs an X-Purpose header naming a registered purpose.';
  if (!viewer.client.purposes.has(purpose)) {
    return `Client "${viewer.client.id}" is not registered for purpose "${purpose}".`;
  }
  return null;
}

function policyOf(viewer: Viewer, purpose: string | null): PurposePolicy | null {
  return viewer.kind === 'client' && purpose ? (viewer.client.purposes.get(purpose) ?? null) : null;
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
        return { ...field, resolve: guardRoot(fieldName, named, role, takesProcedure, resolve) };
      }
      if (!protectedTypes.keyOf.has(typeName)) return field;
      return {
        ...field,
        resolve: guardField(
          typeName,
          fieldName,
          protectedTypes.keyOf.get(typeName) ?? null,
          resolve,
        ),
      };
    },
  });
}

function guardRoot(
  fieldName: string,
  returnType: string,
  role: 'auditor' | 'citizen' | undefined,
  takesProcedure: boolean,
  resolve: GraphQLFieldResolver<unknown, Context>,
): GraphQLFieldResolver<unknown, Context> {
  return (parent, args: Record<string, unknown>, ctx, info) => {
    const { viewer, access } = ctx;
    access.touched = true;
    if (role === 'auditor' && !(viewer.kind === 'client' && viewer.client.auditor)) {
      throw forbidden(`"${fieldName}" is for auditor clients only.`);
    }
    if (role === 'citizen' && viewer.kind !== 'citizen') {
      throw forbidden(`"${fieldName}" needs a citizen identity token.`);
    }
    if (role) return resolve(parent, args, ctx, info);
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
      throw forbidden(
        purposeProblem(viewer, access.purpose) ??
          `Purpose "${access.purpose}" does not allow reading ${returnType} records.`,
      );
    }
    return resolve(parent, args, ctx, info);
  };
}

function guardField(
  typeName: string,
  fieldName: string,
  keyField: string | null,
  resolve: GraphQLFieldResolver<unknown, Context>,
): GraphQLFieldResolver<unknown, Context> {
  const coordinate = `${typeName}.${fieldName}`;
  const release = (parent: unknown, ctx: Context) => {
    ctx.access.fields.add(coordinate);
    if (keyField) {
      const key = (parent as Record<string, unknown>)[keyField];
      if (typeof key === 'string') ctx.access.subjects.add(key);
    }
  };
  return (parent, args, ctx, info) => {
    const { viewer, access } = ctx;
    if (viewer.kind === 'citizen') {
      // Through `me` a citizen reaches their enterprises, land and insurance, but another
      // person (a spouse, a co-owner) stays closed.
      if (typeName === 'Citizen' && (parent as { id?: string }).id !== viewer.citizenId) {
        access.denied.add(coordinate);
        throw forbidden(
          `${coordinate} of another person is not readable with a citizen identity token.`,
        );
      }
      release(parent, ctx);
      return resolve(parent, args, ctx, info);
    }
    const policy = policyOf(viewer, access.purpose);
    if (!policy || !fieldAllowed(policy, typeName, fieldName)) {
      access.denied.add(coordinate);
      throw forbidden(
        policy
          ? `Purpose "${access.purpose}" does not allow reading ${coordinate}.`
          : (purposeProblem(viewer, access.purpose) ?? `${coordinate} is not readable.`),
      );
    }
    if (policy.requiresConsent && typeName === 'Citizen') {
      const citizenId = (parent as { id: string }).id;
      return ctx.loaders.consents.load(citizenId).then((fields) => {
        if (!entriesAllow(fields, typeName, fieldName)) {
          access.denied.add(coordinate);
          throw new GraphQLError(
            `Reading ${coordinate} for purpose "${access.purpose}" needs the citizen's consent, and none is in force.`,
            { extensions: { code: ErrorCode.CONSENT_REQUIRED } },
          );
        }
        release(parent, ctx);
        return resolve(parent, args, ctx, info);
      });
    }
    release(parent, ctx);
    return resolve(parent, args, ctx, info);
  };
}
