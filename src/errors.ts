import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { SourceUnavailableError } from '../adapters/source';
import { AccessError } from './access/errors';
import { AuditInputError, AuditUnavailableError } from './audit/errors';
import type { Logger } from './logger';

/** The error codes of the public contract; a client can rely on every one of them. */
export const ErrorCode = {
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  CONSENT_REQUIRED: 'CONSENT_REQUIRED',
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'RATE_LIMITED',
  SOURCE_UNAVAILABLE: 'SOURCE_UNAVAILABLE',
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes Apollo Server itself produces for malformed requests; safe to show as they are. */
const APOLLO_REQUEST_CODES = new Set([
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);
const SAFE_CODES = new Set<string>([...Object.values(ErrorCode), ...APOLLO_REQUEST_CODES]);

/** An argument the client got wrong: names it, says what was expected and what came. */
export function badUserInput(argument: string, expected: string, received?: unknown): GraphQLError {
  const got = received === undefined ? '' : `; received ${JSON.stringify(received)}`;
  return new GraphQLError(`Argument "${argument}" must be ${expected}${got}.`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, argument },
  });
}

/** What the client is told for each reason a national database did not answer. */
const UNAVAILABLE_BECAUSE: Record<SourceUnavailableError['reason'], string> = {
  timed_out: 'did not answer in time',
  refused: 'refused the connection',
  circuit_open: 'is failing and is not being asked for now (circuit open)',
  overloaded: 'has too many requests waiting',
  failed: 'answered with an error',
};

/** The GraphQL form of a national database that did not answer, and why. */
export function sourceUnavailable(error: SourceUnavailableError): GraphQLError {
  return new GraphQLError(
    `The ${error.database} database ${UNAVAILABLE_BECAUSE[error.reason]}; other data is returned.`,
    {
      extensions: {
        code: ErrorCode.SOURCE_UNAVAILABLE,
        source: error.database,
        reason: error.reason,
      },
    },
  );
}

/**
 * Two kinds of error leave the gateway: safe ones that carry a contract code, and the rest,
 * which are logged with an id and replaced by a message that reveals nothing (no SQL, stack
 * or path). The id lets an operator find the log line.
 */
export function createErrorFormatter(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof SourceUnavailableError) {
      logger.warn(
        { source: original.database, err: original.cause, path: formatted.path },
        'source unavailable',
      );
      const safe = sourceUnavailable(original);
      return {
        message: safe.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: safe.extensions,
      };
    }
    if (original instanceof AccessError || original instanceof AuditInputError) {
      const argument = original instanceof AccessError ? original.argument : undefined;
      return {
        message: argument ? `Argument "${argument}": ${original.message}.` : `${original.message}.`,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.BAD_USER_INPUT, ...(argument ? { argument } : {}) },
      };
    }
    if (original instanceof AuditUnavailableError) {
      logger.error({ err: original, path: formatted.path }, 'access log unavailable');
      return {
        message: 'The access log cannot be read or written now.',
        locations: formatted.locations,
        path: formatted.path,
        extensions: { code: ErrorCode.AUDIT_UNAVAILABLE },
      };
    }
    const code = formatted.extensions?.code;
    const isOurs = original instanceof GraphQLError || !(original instanceof Error);
    if (
      typeof code === 'string' &&
      SAFE_CODES.has(code) &&
      code !== ErrorCode.INTERNAL_SERVER_ERROR &&
      isOurs
    ) {
      const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    const errorId = randomUUID();
    logger.error({ errorId, err: original, path: formatted.path }, 'unexpected error');
    return {
      message: `Internal server error; quote error id ${errorId} to the operator.`,
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR, errorId },
    };
  };
}
