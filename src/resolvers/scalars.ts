import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { ErrorCode } from '../errors';

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseDate(value: unknown): string {
  if (
    typeof value === 'string' &&
    DATE.test(value) &&
    !Number.isNaN(Date.parse(`${value}T00:00:00Z`))
  )
    return value;
  throw new GraphQLError(`Date must be YYYY-MM-DD; received ${JSON.stringify(value)}.`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT },
  });
}

function parseDateTime(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : null;
  if (date && !Number.isNaN(date.getTime()) && /\d{4}-\d{2}-\d{2}T/.test(value as string))
    return date;
  throw new GraphQLError(
    `DateTime must be ISO 8601 with a time zone; received ${JSON.stringify(value)}.`,
    {
      extensions: { code: ErrorCode.BAD_USER_INPUT },
    },
  );
}

/** Calendar dates travel as `YYYY-MM-DD` strings end to end, never through a time zone. */
export const DateScalar = new GraphQLScalarType({
  name: 'Date',
  serialize: (value) =>
    value instanceof Date ? value.toISOString().slice(0, 10) : parseDate(value),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : null),
});

export const DateTimeScalar = new GraphQLScalarType({
  name: 'DateTime',
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : null),
});

export const scalarResolvers = { Date: DateScalar, DateTime: DateTimeScalar, JSON: GraphQLJSON };
