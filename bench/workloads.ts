/**
 * The workloads: what one request asks, for which random subject, and which targets can answer
 * it. Every target answering a workload receives the same request body (PostGraphile, whose
 * schema differs, gets its own document for P1) and must give the same JSON.
 */

export const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'P1'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export const TARGETS = [
  'gateway',
  'gateway-nolog',
  'raw-http',
  'raw-http-sql',
  'apollo-minimal',
  'apollo-minimal-sql',
  'naive',
  'postgraphile',
  'pgbench',
  'federated',
  'apollo-gateway',
] as const;
export type TargetName = (typeof TARGETS)[number];

export const WORKLOAD_TITLES: Record<WorkloadName, string> = {
  W1: 'citizen profile',
  W2: '100 citizen profiles',
  W3: 'procedure prefill',
  W4: 'enterprise, representatives, their land',
  P1: 'citizen and household (population only)',
};

/**
 * Which targets answer which workload; pgbench replays W1's SQL only. The `-sql` variants read
 * insurance from its tables rather than the agency's HTTP service: W1 shows what the hop costs.
 * `federated` (the federated gateway) and `apollo-gateway` compose the same subgraph processes.
 */
export const SUPPORTED: Record<WorkloadName, readonly TargetName[]> = {
  W1: [
    'gateway',
    'gateway-nolog',
    'raw-http',
    'raw-http-sql',
    'apollo-minimal',
    'apollo-minimal-sql',
    'naive',
    'pgbench',
    'federated',
    'apollo-gateway',
  ],
  W2: [
    'gateway',
    'gateway-nolog',
    'raw-http',
    'apollo-minimal',
    'naive',
    'federated',
    'apollo-gateway',
  ],
  W3: ['gateway', 'gateway-nolog'],
  W4: [
    'gateway',
    'gateway-nolog',
    'raw-http',
    'apollo-minimal',
    'naive',
    'federated',
    'apollo-gateway',
  ],
  P1: ['gateway', 'gateway-nolog', 'raw-http', 'postgraphile'],
};

/** A citizen with everything W1 names: address, enterprises, land, insurance, civil service. */
const PROFILE = `fragment Profile on Citizen {
  id
  fullName
  dateOfBirth
  sex
  permanentAddress { text legacy { text } }
  enterprises { role since enterprise { code name status } }
  landRights { share since parcel { id area landUseCode address { text } } }
  insurance {
    socialInsuranceNumber
    status
    contributions { fromMonth toMonth monthlySalary employer { code name } }
  }
  civilService { code position agency { code name } }
  source { updatedAt }
}`;

export const OPERATIONS = {
  CitizenProfile: `query CitizenProfile($id: ID!) { citizen(id: $id) { ...Profile } }\n${PROFILE}`,
  CitizenProfiles: `query CitizenProfiles($ids: [ID!]!) { citizens(ids: $ids) { ...Profile } }\n${PROFILE}`,
  EnterpriseRepresentatives: `query EnterpriseRepresentatives($code: ID!) {
  enterprise(code: $code) {
    code
    name
    status
    foundedOn
    charterCapital
    type { code name }
    headOffice { text }
    representatives {
      id
      fullName
      dateOfBirth
      landRights { share since parcel { id area landUseCode address { text } } }
    }
    source { updatedAt }
  }
}`,
  Prefill: `query Prefill($procedureCode: ID!, $subjectId: ID!) {
  prefill(procedureCode: $procedureCode, subjectId: $subjectId) {
    subjectFound
    fields { key value available unavailableCause source { database updatedAt } }
    replacedDocuments { name }
    stillRequiredDocuments { name }
  }
}`,
  CitizenHousehold: `query CitizenHousehold($id: ID!) {
  citizen(id: $id) { id fullName household { members { id fullName } } }
}`,
} as const;
export type OperationName = keyof typeof OPERATIONS;

/**
 * P1 in PostGraphile's own schema (amber preset: Relay node ids, so the table's `id` column is
 * `rowId`): the same data, a citizen and the members of the household, through the relation a
 * smart tag declares, since the mock tables carry no foreign keys.
 */
export const POSTGRAPHILE_HOUSEHOLD = `query CitizenHousehold($id: String!) {
  citizenByRowId(rowId: $id) {
    rowId
    fullName
    householdByHouseholdId { citizensByHouseholdId { nodes { rowId fullName } } }
  }
}`;

/** The purpose of every request that is not a procedure's prefill. */
export const BENCH_PURPOSE = 'BENCHMARK';

/** A procedure of the catalogue, as the gateway lists it. */
export interface ProcedureRef {
  code: string;
  subjectKind: 'CITIZEN' | 'ENTERPRISE';
}

/** Identifiers drawn at random from the seeded data, the same for every target. */
export interface SubjectPool {
  citizens: string[];
  enterprises: string[];
  procedures: ProcedureRef[];
}

/** One request of a workload: the JSON body and the purpose its headers carry. */
export interface PreparedRequest {
  body: string;
  purpose: string;
}

/** A small deterministic generator, so that a run can be repeated request for request. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(list: readonly T[], random: () => number): T {
  return list[Math.floor(random() * list.length)];
}

function sample<T>(list: readonly T[], size: number, random: () => number): T[] {
  const copy = [...list];
  const out: T[] = [];
  while (out.length < size && copy.length > 0) {
    const index = Math.floor(random() * copy.length);
    out.push(copy[index]);
    copy[index] = copy[copy.length - 1];
    copy.pop();
  }
  return out;
}

/** The variables of one random request of a workload, or null when it has no subjects. */
function variablesFor(
  workload: WorkloadName,
  pool: SubjectPool,
  random: () => number,
): { operationName: OperationName; variables: Record<string, unknown>; purpose: string } | null {
  switch (workload) {
    case 'W1':
      return {
        operationName: 'CitizenProfile',
        variables: { id: pick(pool.citizens, random) },
        purpose: BENCH_PURPOSE,
      };
    case 'W2':
      return {
        operationName: 'CitizenProfiles',
        variables: { ids: sample(pool.citizens, 100, random) },
        purpose: BENCH_PURPOSE,
      };
    case 'W3': {
      if (pool.procedures.length === 0) return null;
      const procedure = pick(pool.procedures, random);
      const subjects = procedure.subjectKind === 'CITIZEN' ? pool.citizens : pool.enterprises;
      return {
        operationName: 'Prefill',
        variables: { procedureCode: procedure.code, subjectId: pick(subjects, random) },
        purpose: procedure.code,
      };
    }
    case 'W4':
      return {
        operationName: 'EnterpriseRepresentatives',
        variables: { code: pick(pool.enterprises, random) },
        purpose: BENCH_PURPOSE,
      };
    case 'P1':
      return {
        operationName: 'CitizenHousehold',
        variables: { id: pick(pool.citizens, random) },
        purpose: BENCH_PURPOSE,
      };
  }
}

/**
 * `count` random requests of a workload for a target, from a seed: every target gets the same
 * subjects in the same order. Empty when the workload has no subjects (W3 without a catalogue).
 */
export function prepareRequests(
  workload: WorkloadName,
  target: TargetName,
  pool: SubjectPool,
  count: number,
  seed: number,
): PreparedRequest[] {
  const random = seededRandom(seed);
  const requests: PreparedRequest[] = [];
  for (let i = 0; i < count; i++) {
    const request = variablesFor(workload, pool, random);
    if (!request) return [];
    const query =
      target === 'postgraphile' ? POSTGRAPHILE_HOUSEHOLD : OPERATIONS[request.operationName];
    requests.push({
      body: JSON.stringify({
        operationName: request.operationName,
        query,
        variables: request.variables,
      }),
      purpose: request.purpose,
    });
  }
  return requests;
}
