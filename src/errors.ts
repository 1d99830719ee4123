import { randomUUID } from 'node:crypto';
import { GraphQLError, type GraphQLErrorOptions, type GraphQLFormattedError } from 'graphql';
import { HeaderMap } from '@apollo/server';
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
  BAD_REQUEST: 'BAD_REQUEST',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  RATE_LIMITED: 'RATE_LIMITED',
  SOURCE_UNAVAILABLE: 'SOURCE_UNAVAILABLE',
  AUDIT_UNAVAILABLE: 'AUDIT_UNAVAILABLE',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes Apollo Server produces for malformed requests, told to clients as the contract's. */
const APOLLO_REQUEST_CODES: Record<string, ErrorCode> = {
  PERSISTED_QUERY_NOT_FOUND: ErrorCode.BAD_REQUEST,
  PERSISTED_QUERY_NOT_SUPPORTED: ErrorCode.BAD_REQUEST,
  OPERATION_RESOLUTION_FAILURE: ErrorCode.BAD_REQUEST,
};
const SAFE_CODES = new Set<string>(Object.values(ErrorCode));

const SUGGESTION = / ?Did you mean(.+?)\?$/;

/** graphql-js' message when a document passes the parser's token budget. */
// (graphql-js 16 writes "more that".)
const TOKEN_BUDGET = /^Syntax Error: Document contains more tha[nt] \d+ tokens/;
/** graphql-armor's message when an operation passes the directive limit. */
const DIRECTIVE_LIMIT = /^Syntax Error: Directives limit of \d+ exceeded/;

/**
 * A request refused by a stage of the pipeline, with its contract code and HTTP status (and
 * headers such as `Retry-After`), in the form Apollo Server answers as it is.
 */
export function refusal(
  code: ErrorCode,
  status: number,
  message: string,
  headers: Record<string, string> = {},
): GraphQLError {
  // Apollo Server reads `http.headers` as its HeaderMap; Yoga's typings (the federated front)
  // declare a plain record for the same extension, hence the widened type.
  const extensions: Record<string, unknown> = {
    code,
    http: { status, headers: new HeaderMap(Object.entries(headers)) },
  };
  return new GraphQLError(message, { extensions: extensions as GraphQLErrorOptions['extensions'] });
}

/** The request body passed the size limit; answered 413 with `BAD_REQUEST`. */
export class BodyTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The request body exceeds ${limitBytes} bytes.`);
    this.name = 'BodyTooLargeError';
  }
}

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
  return (given: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    // Suggestions could name fields the viewer may not see.
    const formatted = { ...given, message: given.message.replace(SUGGESTION, '') };
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
    if (
      (code === ErrorCode.GRAPHQL_PARSE_FAILED && TOKEN_BUDGET.test(formatted.message)) ||
      (code === ErrorCode.GRAPHQL_VALIDATION_FAILED && DIRECTIVE_LIMIT.test(formatted.message))
    ) {
      return {
        message: `The operation is too complex: ${formatted.message.replace('Syntax Error: ', '')}`,
        extensions: { code: ErrorCode.QUERY_TOO_COMPLEX },
      };
    }
    if (typeof code === 'string' && code in APOLLO_REQUEST_CODES) {
      return { message: formatted.message, extensions: { code: APOLLO_REQUEST_CODES[code] } };
    }
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
