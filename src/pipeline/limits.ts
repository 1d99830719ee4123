import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  Kind,
  visit,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { checkOperationLimits, DEFAULT_LIMITS, type OperationLimits } from '../access/limits';
import { ErrorCode, refusal } from '../errors';

/** Every bound an operation and its variables must stay within. */
export interface RequestLimits extends OperationLimits {
  /** Lexical tokens in the document; enforced by the parser, which stops there. */
  maxTokens: number;
  /** Directives in the operation, fragments expanded. */
  maxDirectives: number;
  /** Nesting of a variable's or a JSON literal's value: objects and lists inside each other. */
  maxInputDepth: number;
  /** Values (scalars, lists, objects) in all the variables together. */
  maxInputNodes: number;
}

/**
 * The gateway's bounds. Lists are bounded far above the contract's 100 ids, which the
 * resolvers refuse with BAD_USER_INPUT naming the argument; a 100-citizen profile two levels
 * deep stays within the cost.
 */
export const GATEWAY_LIMITS: Readonly<RequestLimits> = Object.freeze({
  ...DEFAULT_LIMITS,
  maxCost: 50_000,
  maxListArgument: 1_000,
  maxTokens: 10_000,
  maxDirectives: 50,
  maxInputDepth: 16,
  maxInputNodes: 20_000,
});

function tooComplex(reason: string) {
  return refusal(ErrorCode.QUERY_TOO_COMPLEX, 400, `The operation is too complex: ${reason}.`);
}

/** Depth and size of a JSON value, walked without recursion so no input can overflow the stack. */
function inputShape(value: unknown, maxDepth: number, maxNodes: number): string | null {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  let nodes = 0;
  while (stack.length > 0) {
    const { value: item, depth } = stack.pop() as { value: unknown; depth: number };
    nodes += 1;
    if (nodes > maxNodes) return `the variables hold more than ${maxNodes} values`;
    if (item === null || typeof item !== 'object') continue;
    if (depth + 1 > maxDepth) return `a variable nests values deeper than ${maxDepth} levels`;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      stack.push({ value: child, depth: depth + 1 });
    }
  }
  return null;
}

/** The deepest list or object literal in the document's arguments (JSON arguments included). */
function literalDepth(document: DocumentNode): number {
  let depth = 0;
  let deepest = 0;
  const enter = () => {
    depth += 1;
    deepest = Math.max(deepest, depth);
  };
  const leave = () => {
    depth -= 1;
  };
  visit(document, {
    [Kind.LIST]: { enter, leave },
    [Kind.OBJECT]: { enter, leave },
  });
  return deepest;
}

/** The limits stage: checks on the parsed document and the request's variables. */
export function createLimitsStage(schema: GraphQLSchema, limits: RequestLimits = GATEWAY_LIMITS) {
  return {
    limits,
    /** For the parser: documents past the token budget are refused while parsing. */
    parseOptions: { maxTokens: limits.maxTokens },
    /** Validation rules of the stage: the directive count (graphql-armor). */
    validationRules: [
      maxDirectivesRule({
        n: limits.maxDirectives,
        // Reported as a validation error rather than thrown, which would escape validation.
        propagateOnRejection: false,
        onReject: [(context, error) => (context as ValidationContext | null)?.reportError(error)],
      }) as ValidationRule,
    ],
    /** Refuses (QUERY_TOO_COMPLEX, 400) an operation past any limit, variables included. */
    check(
      document: DocumentNode,
      variables: Record<string, unknown> | undefined,
      operationName: string | null | undefined,
    ): void {
      const input = inputShape(variables ?? null, limits.maxInputDepth, limits.maxInputNodes);
      if (input) throw tooComplex(input);
      if (literalDepth(document) > limits.maxInputDepth) {
        throw tooComplex(`an argument nests values deeper than ${limits.maxInputDepth} levels`);
      }
      const problem = checkOperationLimits(document, schema, {
        ...limits,
        variables,
        operationName,
      });
      if (problem) throw tooComplex(problem.reason);
    },
  };
}

export type LimitsStage = ReturnType<typeof createLimitsStage>;
