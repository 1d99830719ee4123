import {
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  getNullableType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isCompositeType,
  isListType,
  isObjectType,
  isInterfaceType,
  type ArgumentNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';

/** The bounds one operation must stay within. */
export interface OperationLimits {
  /** Deepest field nesting; root fields are at depth 1. */
  maxDepth: number;
  /** Aliased fields in the operation, fragments expanded. */
  maxAliases: number;
  /** Estimated work: each field 1, times the size of every list it sits in. */
  maxCost: number;
  /** Longest list given as an argument (literal or variable), e.g. `citizens(ids:)`. */
  maxListArgument: number;
}

/** Options of `checkOperationLimits`. */
export interface LimitCheckOptions extends OperationLimits {
  /** The request's variables, to size list arguments given as variables. */
  variables?: Record<string, unknown> | null;
  /** The operation to check when the document holds several; all of them otherwise. */
  operationName?: string | null;
  /** Size assumed for a list field whose size no argument tells; default 10. */
  defaultListSize?: number;
}

/** Limits that fit the contract (at most 100 ids per list) and the schema's deepest honest query. */
export const DEFAULT_LIMITS: Readonly<OperationLimits> = Object.freeze({
  maxDepth: 12,
  maxAliases: 30,
  maxCost: 20000,
  maxListArgument: 100,
});

/** Size assumed for a list field whose size no argument tells. */
export const DEFAULT_LIST_SIZE = 10;

// Arguments that say how many items a list (or the connection below) returns.
const PAGE_ARGUMENTS = ['first', 'last', 'limit'];
// A connection's item lists: sized by the page argument of the field above them.
const CONNECTION_LISTS = new Set(['edges', 'nodes']);

const introspectionSizes = new WeakMap<GraphQLSchema, Map<string, number>>();

/**
 * The sizes of the introspection lists in this schema (all types, and the average number of
 * fields, arguments, ... per type or field), so that introspection is costed by what it really
 * reads: the explorer's query passes, a deeply nested one over every type does not.
 */
function introspectionListSizes(schema: GraphQLSchema): Map<string, number> {
  const cached = introspectionSizes.get(schema);
  if (cached) return cached;
  const types = Object.values(schema.getTypeMap());
  const directives = schema.getDirectives();
  let fields = 0;
  let args = 0;
  let interfaces = 0;
  let possibleTypes = 0;
  let enumValues = 0;
  let inputFields = 0;
  for (const type of types) {
    if (isObjectType(type) || isInterfaceType(type)) {
      const own = Object.values(type.getFields());
      fields += own.length;
      args += own.reduce((sum, field) => sum + field.args.length, 0);
      interfaces += type.getInterfaces().length;
    }
    if (isAbstractType(type)) possibleTypes += schema.getPossibleTypes(type).length;
    if (isEnumType(type)) enumValues += type.getValues().length;
    if (isInputObjectType(type)) inputFields += Object.keys(type.getFields()).length;
  }
  // Fractions are kept: most types have no interfaces, enum values or input fields.
  const average = (total: number, count: number) => total / Math.max(1, count);
  const sizes = new Map<string, number>([
    ['__Schema.types', types.length],
    ['__Schema.directives', directives.length],
    ['__Type.fields', average(fields, types.length)],
    ['__Type.interfaces', average(interfaces, types.length)],
    ['__Type.possibleTypes', average(possibleTypes, types.length)],
    ['__Type.enumValues', average(enumValues, types.length)],
    ['__Type.inputFields', average(inputFields, types.length)],
    ['__Field.args', average(args, fields)],
    [
      '__Directive.args',
      average(
        directives.reduce((sum, directive) => sum + directive.args.length, 0),
        directives.length,
      ),
    ],
    [
      '__Directive.locations',
      average(
        directives.reduce((sum, directive) => sum + directive.locations.length, 0),
        directives.length,
      ),
    ],
  ]);
  introspectionSizes.set(schema, sizes);
  return sizes;
}

/** Thrown inside the walk to stop at the first limit exceeded. */
class LimitExceeded {
  constructor(readonly reason: string) {}
}

class OperationWalker {
  private aliases = 0;
  private visited = 0;
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly argumentValues = new Map<ArgumentNode, unknown>();
  /** The operation's variable defaults, for variables the request leaves out. */
  private defaults = new Map<string, ValueNode>();

  constructor(
    document: DocumentNode,
    private readonly schema: GraphQLSchema,
    private readonly options: LimitCheckOptions,
    private readonly defaultListSize: number,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) {
        this.fragments.set(definition.name.value, definition);
      }
    }
  }

  /** Walks one operation; throws `LimitExceeded` at the first limit it passes. */
  operation(operation: OperationDefinitionNode): void {
    this.aliases = 0;
    this.visited = 0;
    this.defaults = new Map(
      (operation.variableDefinitions ?? [])
        .filter((definition) => definition.defaultValue)
        .map((definition) => [
          definition.variable.name.value,
          definition.defaultValue as ValueNode,
        ]),
    );
    const root = this.schema.getRootType(operation.operation) ?? undefined;
    const cost = this.selectionSet(operation.selectionSet, root, 0, new Set(), undefined);
    this.checkCost(cost);
  }

  /** The cost of one item of the parent type: the sum of its selected fields' costs. */
  private selectionSet(
    selectionSet: SelectionSetNode,
    parent: GraphQLCompositeType | undefined,
    depth: number,
    spreading: Set<string>,
    pageSize: number | undefined,
  ): number {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += this.field(selection, parent, depth, spreading, pageSize);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition
          ? this.compositeType(selection.typeCondition.name.value)
          : parent;
        total += this.selectionSet(selection.selectionSet, type, depth, spreading, pageSize);
      } else {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        // A cycle is invalid GraphQL, refused by validation; here it must only not loop.
        if (!fragment || spreading.has(name)) continue;
        spreading.add(name);
        const type = this.compositeType(fragment.typeCondition.name.value);
        total += this.selectionSet(fragment.selectionSet, type, depth, spreading, pageSize);
        spreading.delete(name);
      }
    }
    return total;
  }

  private field(
    node: FieldNode,
    parent: GraphQLCompositeType | undefined,
    depth: number,
    spreading: Set<string>,
    pageSize: number | undefined,
  ): number {
    const name = node.name.value;
    const definition = this.fieldDefinition(parent, name);
    // `ofType` links only unwrap a type's list and non-null wrappers, never branch, and end
    // after a few levels: they do not count, or the explorer's introspection would be refused.
    const nests = !(parent?.name === '__Type' && name === 'ofType');
    const here = nests ? depth + 1 : depth;
    if (here > this.options.maxDepth) {
      throw new LimitExceeded(
        `the operation nests fields ${here} deep at "${name}"; at most ${this.options.maxDepth} are allowed`,
      );
    }
    if (node.alias) {
      this.aliases += 1;
      if (this.aliases > this.options.maxAliases) {
        throw new LimitExceeded(`the operation uses more than ${this.options.maxAliases} aliases`);
      }
    }
    // Each field of the expanded operation costs at least its own visit, so the walk stops
    // after `maxCost` fields however fragments are spread: a "fragment bomb" stays cheap.
    this.visited += 1;
    this.checkCost(this.visited);
    const sizes = this.argumentSizes(node.arguments ?? []);
    const isList = definition ? isListType(getNullableType(definition.type)) : false;
    let multiplier = 1;
    if (isList) {
      const introspected = parent
        ? introspectionListSizes(this.schema).get(`${parent.name}.${name}`)
        : undefined;
      multiplier =
        introspected ??
        Math.max(
          1,
          sizes.page ??
            sizes.longestList ??
            (CONNECTION_LISTS.has(name) ? pageSize : undefined) ??
            this.defaultListSize,
        );
    }
    let childCost = 0;
    if (node.selectionSet) {
      const named = definition ? getNamedType(definition.type) : undefined;
      const type = named && isCompositeType(named) ? named : undefined;
      childCost = this.selectionSet(
        node.selectionSet,
        type,
        here,
        spreading,
        isList ? undefined : sizes.page,
      );
    }
    // An `ofType` chain is as long as the query writes it, but the data ends it after the two
    // or three wrappers a type really has: the link's own cost is left out.
    return nests ? multiplier * (1 + childCost) : childCost;
  }

  /** Checks list arguments and reads the sizes they imply. */
  private argumentSizes(args: readonly ArgumentNode[]): { page?: number; longestList?: number } {
    let page: number | undefined;
    let longestList: number | undefined;
    for (const argument of args) {
      // A fragment spread many times shows the same argument nodes again: read each once.
      let value = this.argumentValues.get(argument);
      if (!this.argumentValues.has(argument)) {
        value = this.resolve(argument.value);
        this.checkLists(value, argument.name.value);
        this.argumentValues.set(argument, value);
      }
      if (PAGE_ARGUMENTS.includes(argument.name.value) && typeof value === 'number') {
        page = Math.max(page ?? 0, Math.trunc(value));
      }
      if (Array.isArray(value)) longestList = Math.max(longestList ?? 0, value.length);
    }
    return { page, longestList };
  }

  /** Refuses any list, at any depth of an argument's value, longer than allowed. */
  private checkLists(value: unknown, argument: string, seen = new Set<unknown>()): void {
    if (value === null || typeof value !== 'object' || seen.has(value)) return;
    seen.add(value);
    if (Array.isArray(value)) {
      if (value.length > this.options.maxListArgument) {
        throw new LimitExceeded(
          `argument "${argument}" holds a list of ${value.length} items; at most ${this.options.maxListArgument} are allowed`,
        );
      }
      for (const item of value) this.checkLists(item, argument, seen);
      return;
    }
    for (const item of Object.values(value)) this.checkLists(item, argument, seen);
  }

  /** An argument's value as JavaScript: literals read, variables looked up. */
  private resolve(node: ValueNode): unknown {
    switch (node.kind) {
      case Kind.VARIABLE: {
        const name = node.name.value;
        const given = this.options.variables?.[name];
        if (given !== undefined) return given;
        const fallback = this.defaults.get(name);
        // A default is a literal: it cannot name a variable, so this ends.
        return fallback && fallback.kind !== Kind.VARIABLE ? this.resolve(fallback) : undefined;
      }
      case Kind.INT:
      case Kind.FLOAT:
        return Number(node.value);
      case Kind.LIST:
        return node.values.map((item) => this.resolve(item));
      case Kind.OBJECT:
        return Object.fromEntries(
          node.fields.map((field) => [field.name.value, this.resolve(field.value)]),
        );
      case Kind.NULL:
        return null;
      default:
        return node.value;
    }
  }

  private checkCost(cost: number): void {
    if (cost > this.options.maxCost) {
      throw new LimitExceeded(
        `the operation's estimated cost exceeds ${this.options.maxCost} (each field 1, times the size of every list it is in)`,
      );
    }
  }

  private compositeType(name: string): GraphQLCompositeType | undefined {
    const type = this.schema.getType(name);
    return type && isCompositeType(type) ? type : undefined;
  }

  private fieldDefinition(
    parent: GraphQLCompositeType | undefined,
    name: string,
  ): GraphQLField<unknown, unknown> | undefined {
    if (!parent) return undefined;
    if (name === '__typename') return TypeNameMetaFieldDef;
    if (parent === this.schema.getQueryType()) {
      if (name === '__schema') return SchemaMetaFieldDef;
      if (name === '__type') return TypeMetaFieldDef;
    }
    if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
    return undefined;
  }
}

/**
 * Checks an operation against depth, alias, cost and list-argument limits before it runs.
 * Fragments are followed (cycles are safe) and the walk stops at the first limit passed, so
 * it costs at most `maxCost` steps. Returns null when within limits, else why not: the caller
 * answers `QUERY_TOO_COMPLEX`.
 */
export function checkOperationLimits(
  document: DocumentNode,
  schema: GraphQLSchema,
  options: LimitCheckOptions,
): { reason: string } | null {
  const walker = new OperationWalker(
    document,
    schema,
    options,
    options.defaultListSize ?? DEFAULT_LIST_SIZE,
  );
  try {
    for (const definition of document.definitions) {
      if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
      if (options.operationName && definition.name?.value !== options.operationName) continue;
      walker.operation(definition);
    }
    return null;
  } catch (error) {
    if (error instanceof LimitExceeded) return { reason: error.reason };
    throw error;
  }
}
