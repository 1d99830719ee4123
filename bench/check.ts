import type { PreparedRequest, TargetName, WorkloadName } from './workloads';

/** JSON with object keys sorted at every level, so that key order never counts as a difference. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

interface Member {
  id: string;
  fullName: string;
}

/**
 * PostGraphile answers P1 in its own schema (`rowId`, relation fields, connections, primary-key
 * order); both answers are brought to one neutral shape, members sorted by id, to compare the data.
 */
export function neutralHousehold(target: TargetName, body: unknown): unknown {
  const data = (body as { data?: Record<string, unknown> }).data ?? {};
  if (target === 'postgraphile') {
    const citizen = data.citizenByRowId as {
      rowId: string;
      fullName: string;
      householdByHouseholdId: {
        citizensByHouseholdId: { nodes: { rowId: string; fullName: string }[] };
      } | null;
    } | null;
    if (!citizen) return null;
    const members = citizen.householdByHouseholdId?.citizensByHouseholdId.nodes.map((m) => ({
      id: m.rowId,
      fullName: m.fullName,
    }));
    return neutral(citizen.rowId, citizen.fullName, members ?? null);
  }
  const citizen = data.citizen as {
    id: string;
    fullName: string;
    household: { members: Member[] } | null;
  } | null;
  if (!citizen) return null;
  return neutral(citizen.id, citizen.fullName, citizen.household?.members ?? null);
}

function neutral(id: string, fullName: string, members: Member[] | null) {
  return {
    id,
    fullName,
    members: members && [...members].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  };
}

/** The first place two JSON values differ, with both sides, for a readable failure. */
export function firstDifference(expected: unknown, actual: unknown, at = '$'): string | null {
  if (canonical(expected) === canonical(actual)) return null;
  if (
    expected &&
    actual &&
    typeof expected === 'object' &&
    typeof actual === 'object' &&
    Array.isArray(expected) === Array.isArray(actual)
  ) {
    if (Array.isArray(expected) && Array.isArray(actual) && expected.length !== actual.length) {
      return `${at}: ${expected.length} items expected, ${actual.length} received\n  expected ${clip(expected)}\n  received ${clip(actual)}`;
    }
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of [...keys].sort()) {
      const difference = firstDifference(
        (expected as Record<string, unknown>)[key],
        (actual as Record<string, unknown>)[key],
        Array.isArray(expected) ? `${at}[${key}]` : `${at}.${key}`,
      );
      if (difference) return difference;
    }
  }
  return `${at}\n  expected ${clip(expected)}\n  received ${clip(actual)}`;
}

function clip(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/** POSTs one prepared request and returns the parsed answer with its status. */
export async function post(
  url: string,
  request: PreparedRequest,
  headers: Record<string, string>,
): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: request.body,
  });
  const text = await response.text();
  try {
    return { status: response.status, body: JSON.parse(text) };
  } catch {
    return { status: response.status, body: text };
  }
}

interface RoleAnswer {
  role?: string;
  since?: string;
  enterprise?: { code?: string };
}

/**
 * Enterprise roles come ordered by (since, enterprise code), which is not a total order: a
 * person who represents and owns one enterprise since the same day has two rows that tie, and
 * PostgreSQL returns ties in whatever order its plan gives. Ties are put in role order on both
 * sides so that only a real difference fails the check.
 */
function orderRoleTies(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(orderRoleTies);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    out[key] =
      key === 'enterprises' && Array.isArray(child)
        ? [...(child as RoleAnswer[])].sort((a, b) => {
            const ka = `${a.since}|${a.enterprise?.code}|${a.role}`;
            const kb = `${b.since}|${b.enterprise?.code}|${b.role}`;
            return ka < kb ? -1 : ka > kb ? 1 : 0;
          })
        : orderRoleTies(child);
  }
  return out;
}

/** What is compared for a workload: the answer with role ties ordered, or P1's neutral form. */
export function comparable(workload: WorkloadName, target: TargetName, body: unknown): unknown {
  return workload === 'P1' ? neutralHousehold(target, body) : orderRoleTies(body);
}
