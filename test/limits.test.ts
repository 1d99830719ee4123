import { buildSchema, getIntrospectionQuery, parse } from 'graphql';
import { sdlSchema } from '../src/procedures/catalogue';
import { DEFAULT_LIMITS, checkOperationLimits, type LimitCheckOptions } from '../src/access/limits';

const schema = buildSchema(`
  type Query {
    citizen(id: ID!): Citizen
    citizens(ids: [ID!]!): [Citizen]!
    search(filter: Filter): [Citizen!]!
    auditLog(first: Int, after: String): AuditConnection!
  }
  input Filter { ids: [ID!], name: String }
  type Citizen {
    id: ID!
    fullName: String
    father: Citizen
    children: [Citizen!]!
    enterprises: [Enterprise!]!
    holdings: [Holding!]!
  }
  type Enterprise { code: ID! name: String representatives: [Citizen!]! }
  union Holding = Citizen | Enterprise
  type AuditConnection { edges: [AuditEdge!]! pageInfo: PageInfo! }
  type AuditEdge { cursor: String! node: AuditEntry! }
  type AuditEntry { requestId: String! subjects: [String!]! }
  type PageInfo { hasNextPage: Boolean! endCursor: String }
`);

function check(query: string, options: Partial<LimitCheckOptions> = {}) {
  return checkOperationLimits(parse(query), schema, { ...DEFAULT_LIMITS, ...options });
}

/** The smallest `maxCost` the query passes: its estimated cost. */
function costOf(query: string, variables?: Record<string, unknown>): number {
  let low = 0;
  let high = 10_000_000;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (check(query, { maxCost: middle, variables, maxDepth: 1000 })) low = middle + 1;
    else high = middle;
  }
  return low;
}

function fathers(depth: number): string {
  return `{ citizen(id: "1") { ${'father { '.repeat(depth - 1)}id${' }'.repeat(depth - 1)} } }`;
}

describe('depth', () => {
  it('allows the default depth and refuses one more', () => {
    expect(check(fathers(11))).toBeNull(); // citizen + 10 fathers + id = 12
    const refused = check(fathers(12));
    expect(refused?.reason).toMatch(/13 deep/);
    expect(check(fathers(12), { maxDepth: 13 })).toBeNull();
  });

  it('counts fields inside fragments, not the fragments themselves', () => {
    const query = `
      query { citizen(id: "1") { ...A } }
      fragment A on Citizen { father { ... on Citizen { ...B } } }
      fragment B on Citizen { father { id } }`;
    expect(check(query, { maxDepth: 4 })).toBeNull();
    expect(check(query, { maxDepth: 3 })?.reason).toMatch(/4 deep/);
  });
});

describe('aliases', () => {
  const aliased = (count: number) =>
    `{ ${Array.from({ length: count }, (_, i) => `a${i}: citizen(id: "${i}") { id }`).join(' ')} }`;

  it('allows the default number and refuses one more', () => {
    expect(check(aliased(30))).toBeNull();
    expect(check(aliased(31))?.reason).toMatch(/more than 30 aliases/);
  });

  it('counts the aliases of a fragment each time it is spread', () => {
    const query = `
      { x: citizen(id: "1") { ...F } y: citizen(id: "2") { ...F } }
      fragment F on Citizen { a: fullName b: fullName }`;
    expect(check(query, { maxAliases: 6 })).toBeNull();
    expect(check(query, { maxAliases: 5 })).not.toBeNull();
  });
});

describe('cost', () => {
  it('counts each field once, times the size of the lists it is in', () => {
    expect(costOf('{ citizen(id: "1") { id fullName } }')).toBe(3);
    // The size of a list field is the length of its list argument ...
    expect(costOf('{ citizens(ids: ["1", "2", "3"]) { fullName } }')).toBe(6);
    expect(
      costOf('query ($ids: [ID!]!) { citizens(ids: $ids) { fullName } }', {
        ids: ['1', '2', '3', '4'],
      }),
    ).toBe(8);
    // ... else 10; nested lists multiply.
    expect(costOf('{ citizen(id: "1") { children { fullName } } }')).toBe(21);
    expect(costOf('{ citizens(ids: ["1", "2"]) { children { children { id } } } }')).toBe(422);
  });

  it('sizes a connection by its page argument', () => {
    expect(costOf('{ auditLog(first: 50) { edges { node { requestId } } } }')).toBe(151);
    expect(costOf('query ($n: Int) { auditLog(first: $n) { edges { cursor } } }', { n: 5 })).toBe(
      11,
    );
    expect(costOf('{ auditLog { edges { cursor } pageInfo { hasNextPage } } }')).toBe(23);
  });

  it('refuses an operation over the limit', () => {
    const ids = JSON.stringify(Array.from({ length: 100 }, (_, i) => String(i)));
    const wide = `{ citizens(ids: ${ids}) { enterprises { representatives { children { id } } } } }`;
    expect(check(wide)?.reason).toMatch(/estimated cost exceeds 20000/);
    expect(check(`{ citizens(ids: ${ids}) { fullName enterprises { name } } }`)).toBeNull();
  });

  it('counts every branch of an abstract type', () => {
    const query = `{ citizen(id: "1") { holdings {
      ... on Citizen { fullName }
      ... on Enterprise { name code }
    } } }`;
    expect(costOf(query)).toBe(1 + 10 * (1 + 3));
  });

  it('lets the explorer introspect the gateway schema, and refuses nested introspection', () => {
    const introspection = getIntrospectionQuery({
      descriptions: true,
      inputValueDeprecation: true,
      schemaDescription: true,
      specifiedByUrl: true,
      directiveIsRepeatable: true,
    });
    const gateway = sdlSchema();
    expect(checkOperationLimits(parse(introspection), gateway, DEFAULT_LIMITS)).toBeNull();
    expect(check(introspection)).toBeNull();
    const nested = `{ __schema { types { fields { type { fields { type { fields { type {
      fields { type { name } } } } } } } } } } }`;
    expect(checkOperationLimits(parse(nested), gateway, DEFAULT_LIMITS)?.reason).toMatch(/cost/);
  });
});

describe('list arguments', () => {
  const list = (n: number) => JSON.stringify(Array.from({ length: n }, (_, i) => String(i)));

  it('refuses a literal list longer than allowed', () => {
    expect(check(`{ citizens(ids: ${list(100)}) { id } }`)).toBeNull();
    expect(check(`{ citizens(ids: ${list(101)}) { id } }`)?.reason).toMatch(
      /argument "ids" holds a list of 101 items; at most 100/,
    );
  });

  it('refuses a list given as a variable, or inside an input object', () => {
    const byVariable = 'query ($ids: [ID!]!) { citizens(ids: $ids) { id } }';
    const ids = JSON.parse(list(101)) as string[];
    expect(check(byVariable, { variables: { ids: ids.slice(1) } })).toBeNull();
    expect(check(byVariable, { variables: { ids } })?.reason).toMatch(/101 items/);
    expect(check(`{ search(filter: { ids: ${list(101)} }) { id } }`)?.reason).toMatch(/"filter"/);
    expect(
      check('query ($f: Filter) { search(filter: $f) { id } }', { variables: { f: { ids } } }),
    ).not.toBeNull();
  });
});

describe('fragments', () => {
  it('survives fragment cycles', () => {
    const query = `
      { citizen(id: "1") { ...A } }
      fragment A on Citizen { father { ...B } }
      fragment B on Citizen { father { ...A } fullName }
      fragment C on Citizen { ...C id }`;
    expect(check(query)).toBeNull();
    expect(check('{ citizen(id: "1") { ...C } } fragment C on Citizen { ...C id }')).toBeNull();
  });

  it('stops early on a fragment bomb', () => {
    const levels = 30;
    const fragments = Array.from(
      { length: levels },
      (_, i) =>
        `fragment F${i} on Citizen { ${i + 1 < levels ? `...F${i + 1} father { ...F${i + 1} }` : 'id'} }`,
    ).join('\n');
    // The walk stops at the cost bound instead of expanding 2^30 fields.
    const result = check(`{ citizen(id: "1") { ...F0 } }\n${fragments}`, { maxDepth: 1000 });
    expect(result?.reason).toMatch(/cost/);
  });

  it('ignores unknown fields and fragments instead of throwing', () => {
    expect(check('{ nothing { here { ...Missing } } }')).toBeNull();
    expect(check('{ citizen(id: "1") { ... on Nowhere { x } } }')).toBeNull();
  });

  it('checks only the named operation when one is given', () => {
    const document = `query Small { citizen(id: "1") { id } } query Big { ${fathers(20).slice(1, -1)} }`;
    expect(check(document, { operationName: 'Small' })).toBeNull();
    expect(check(document, { operationName: 'Big' })).not.toBeNull();
    expect(check(document)).not.toBeNull();
  });
});
