import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  Kind,
  isEnumType,
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

/** Variable types whose values can size nothing: no list, no object, no number (a page size). */
const UNSIZED_SCALARS = new Set(['ID', 'String', 'Boolean']);

/**
 * Whether a variable of the operation could change the limits' outcome: one whose type is a
 * list, an input object, a number or a custom scalar (JSON). Validation holds each variable to
 * its declared type, so an operation with only ids, strings, booleans and enums is costed the
 * same for every request.
 */
function sizedByVariables(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
): boolean {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    if (operationName && definition.name?.value !== operationName) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = variable.type.kind === Kind.NON_NULL_TYPE ? variable.type.type : variable.type;
      if (type.kind !== Kind.NAMED_TYPE) return true;
      const name = type.name.value;
      if (!UNSIZED_SCALARS.has(name) && !isEnumType(schema.getType(name))) return true;
    }
  }
  return false;
}

/** What is known of one parsed document: its literal depth, and which operations passed. */
interface DocumentLimits {
  literalDepth: number;
  /** Operations, by name, that passed and whose variables size nothing. */
  passed: Set<string>;
}

/** The limits stage: checks on the parsed document and the request's variables. */
export function createLimitsStage(schema: GraphQLSchema, limits: RequestLimits = GATEWAY_LIMITS) {
  // The parsed document of a cached query is one object for every request that sends it (the
  // server's document store), so what depends on the document alone is worked out once.
  const documents = new WeakMap<DocumentNode, DocumentLimits>();
  const known = (document: DocumentNode): DocumentLimits => {
    let entry = documents.get(document);
    if (!entry) {
      entry = { literalDepth: literalDepth(document), passed: new Set() };
      documents.set(document, entry);
    }
    return entry;
  };
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
      const entry = known(document);
      if (entry.literalDepth > limits.maxInputDepth) {
        throw tooComplex(`an argument nests values deeper than ${limits.maxInputDepth} levels`);
      }
      const name = operationName ?? '';
      if (entry.passed.has(name)) return;
      const problem = checkOperationLimits(document, schema, {
        ...limits,
        variables,
        operationName,
      });
      if (problem) throw tooComplex(problem.reason);
      // Only a pass is kept: a refusal may come of a value of the wrong type (an array for an
      // id), which coercion refuses anyway, and must not refuse the next, well-typed request.
      if (!sizedByVariables(schema, document, operationName)) entry.passed.add(name);
    },
  };
}

export type LimitsStage = ReturnType<typeof createLimitsStage>;
