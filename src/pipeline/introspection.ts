import { HeaderMap, type GraphQLResponse } from '@apollo/server';
import {
  execute,
  validate,
  type DocumentNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import type { ProtectedTypes } from '../access/enforcement';
import { createIntrospectionSchemas, isIntrospection } from '../access/introspection';
import type { Viewer } from '../access/viewer';
import type { Context } from '../context';

type FormatError = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/**
 * Per-viewer introspection: an operation that asks for `__schema` or `__type` anywhere at its
 * root (fragments included, mixed with data or not) is validated and executed against the
 * schema as this viewer may see it, with the request's own context, so data fields beside it
 * pass the same field policy and log. Suggestions ("Did you mean") never name a hidden field:
 * the error mask removes them.
 */
export function createIntrospectionStage(
  schema: GraphQLSchema,
  protectedTypes: ProtectedTypes,
  formatError: FormatError,
  executionContext: (context: Context) => Promise<unknown> = async (context) => context,
) {
  const schemas = createIntrospectionSchemas(schema, protectedTypes);
  return {
    /** Whether the operation reads the schema itself. */
    asks: (document: DocumentNode, operationName: string | null | undefined) =>
      isIntrospection(document, operationName),

    /** The schema this viewer may see. */
    schemaFor: (viewer: Viewer) => schemas.forViewer(viewer),

    /** Runs the operation against the viewer's schema; the response Apollo sends as it is. */
    async respond(request: {
      document: DocumentNode;
      variables: Record<string, unknown> | undefined;
      operationName: string | null | undefined;
      context: Context;
    }): Promise<GraphQLResponse> {
      const visible = schemas.forViewer(request.context.viewer);
      const format = (errors: readonly GraphQLError[]) =>
        errors.map((error) => formatError(error.toJSON(), error));
      const invalid = validate(visible, request.document);
      if (invalid.length > 0) {
        return {
          http: { status: 400, headers: new HeaderMap() },
          body: {
            kind: 'single',
            singleResult: {
              errors: invalid.map((error) =>
                formatError(
                  { ...error.toJSON(), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
                  error,
                ),
              ),
            },
          },
        };
      }
      const result = await execute({
        schema: visible,
        document: request.document,
        variableValues: request.variables,
        operationName: request.operationName ?? undefined,
        contextValue: await executionContext(request.context),
      });
      // No data at all: the variables did not fit their types, refused before execution.
      if (result.data === undefined && result.errors) {
        return {
          http: { status: 400, headers: new HeaderMap() },
          body: {
            kind: 'single',
            singleResult: {
              errors: result.errors.map((error) =>
                formatError({ ...error.toJSON(), extensions: { code: 'BAD_USER_INPUT' } }, error),
              ),
            },
          },
        };
      }
      return {
        http: { headers: new HeaderMap() },
        body: {
          kind: 'single',
          singleResult: {
            data: result.data,
            ...(result.errors ? { errors: format(result.errors) } : {}),
          },
        },
      };
    },
  };
}

export type IntrospectionStage = ReturnType<typeof createIntrospectionStage>;
