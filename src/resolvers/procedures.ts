import type { Resolvers } from '../generated/graphql';
import {
  checkDeclaration,
  prefill,
  PREFILL_SERVED,
  procedureCatalogue,
  requireProcedure,
  requireSubjectId,
  requireValues,
} from '../procedures';

// Read when the schema is assembled, so that an invalid catalogue file stops the gateway at start.
const catalogue = procedureCatalogue();

/**
 * The procedure catalogue, `prefill` and `checkDeclaration`. Both read national data by executing
 * a selection against `info.schema` with the request's own context: the same loaders batch it,
 * and whatever guards the schema's fields guards these reads too.
 */
export const procedureResolvers: Resolvers = {
  Query: {
    procedures: () => [...catalogue.procedures],
    procedure: (_, { code }) => requireProcedure(catalogue, 'code', code),
    prefill: async (_, { procedureCode, subjectId }, context, info) => {
      const procedure = requireProcedure(catalogue, 'procedureCode', procedureCode);
      const result = await prefill(procedure, requireSubjectId(procedure, subjectId), {
        schema: info.schema,
        context,
      });
      // The access log counts the forms served: those that released national data.
      if (result.fields.some((field) => field.verified)) context.access.fields.add(PREFILL_SERVED);
      return result;
    },
    checkDeclaration: (_, { procedureCode, subjectId, values }, context, info) => {
      const procedure = requireProcedure(catalogue, 'procedureCode', procedureCode);
      const id = requireSubjectId(procedure, subjectId);
      return checkDeclaration(procedure, id, requireValues(procedure, values), {
        schema: info.schema,
        context,
      });
    },
  },
  Procedure: {
    bundle: (procedure) => procedure.components.length > 0,
  },
};
