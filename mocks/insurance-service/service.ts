import http from 'node:http';
import type { Knex } from 'knex';

/**
 * The social insurance agency's lookup service, as the gateway reaches it: over HTTP, never
 * SQL. One endpoint answers a batch of keys with one statement against its own database:
 *
 *   POST /v1/lookup  {"op": "recordsByCitizen", "keys": ["001089012345", ...]}
 *   -> 200 {"results": [ <one entry per key, in key order> ]}
 *
 * A lookup of records may add `"include": ["contributions", "healthCards"]` to embed the rows
 * each record links to.
 */

const CONTRIBUTION = `SELECT social_insurance_number AS "socialInsuranceNumber", employer_code AS "employerCode",
  from_month::text AS "fromMonth", to_month::text AS "toMonth", monthly_salary::float8 AS "monthlySalary",
  scheme, updated_at AS "updatedAt" FROM insurance.contributions`;
const CARD = `SELECT card_number AS "number", social_insurance_number AS "socialInsuranceNumber",
  beneficiary_group AS "beneficiaryGroup", benefit_level AS "benefitLevel", province_code AS "provinceCode",
  registered_facility AS "registeredFacility", valid_from::text AS "validFrom", valid_to::text AS "validTo",
  updated_at AS "updatedAt" FROM insurance.health_cards`;

/**
 * What a lookup of records may embed in each record: the rows linked to it, as a JSON array in
 * the same statement, for a caller that reads both levels in one request.
 */
const EMBEDDABLE: Record<string, string> = {
  contributions: `COALESCE((SELECT json_agg(json_build_object(
      'socialInsuranceNumber', c.social_insurance_number, 'employerCode', c.employer_code,
      'fromMonth', c.from_month::text, 'toMonth', c.to_month::text,
      'monthlySalary', c.monthly_salary::float8, 'scheme', c.scheme, 'updatedAt', c.updated_at)
    ORDER BY c.from_month, c.id)
    FROM insurance.contributions c WHERE c.social_insurance_number = r.social_insurance_number), '[]'::json)
    AS contributions`,
  healthCards: `COALESCE((SELECT json_agg(json_build_object(
      'number', h.card_number, 'socialInsuranceNumber', h.social_insurance_number,
      'beneficiaryGroup', h.beneficiary_group, 'benefitLevel', h.benefit_level,
      'provinceCode', h.province_code, 'registeredFacility', h.registered_facility,
      'validFrom', h.valid_from::text, 'validTo', h.valid_to::text, 'updatedAt', h.updated_at)
    ORDER BY h.valid_to DESC, h.card_number)
    FROM insurance.health_cards h WHERE h.social_insurance_number = r.social_insurance_number), '[]'::json)
    AS "healthCards"`,
};

/** Records, with the linked rows named in `include` embedded in each. */
function records(include: readonly string[]): string {
  const embedded = include.map((name) => `, ${EMBEDDABLE[name]}`).join('');
  return `SELECT r.social_insurance_number AS "socialInsuranceNumber", r.citizen_id AS "citizenId",
    r.registered_on::text AS "registeredOn", r.status, r.updated_at AS "updatedAt"${embedded}
    FROM insurance.insurance_records r`;
}

interface Operation {
  sql: (include: readonly string[]) => string;
  keyColumn: string;
  many: boolean;
  /** Returns records, which may embed their linked rows. */
  embeds: boolean;
}

const OPERATIONS: Record<string, Operation> = {
  recordsByNumber: {
    sql: (include) => `${records(include)} WHERE r.social_insurance_number = ANY(?)`,
    keyColumn: 'socialInsuranceNumber',
    many: false,
    embeds: true,
  },
  recordsByCitizen: {
    sql: (include) => `${records(include)} WHERE r.citizen_id = ANY(?)`,
    keyColumn: 'citizenId',
    many: false,
    embeds: true,
  },
  // The earlier form of recordsByCitizen with "include": ["contributions"], which callers use.
  recordsWithContributionsByCitizen: {
    sql: () => `${records(['contributions'])} WHERE r.citizen_id = ANY(?)`,
    keyColumn: 'citizenId',
    many: false,
    embeds: false,
  },
  contributionsByNumber: {
    sql: () => `${CONTRIBUTION} WHERE social_insurance_number = ANY(?) ORDER BY from_month, id`,
    keyColumn: 'socialInsuranceNumber',
    many: true,
    embeds: false,
  },
  healthCardsByNumber: {
    sql: () => `${CARD} WHERE social_insurance_number = ANY(?) ORDER BY valid_to DESC, card_number`,
    keyColumn: 'socialInsuranceNumber',
    many: true,
    embeds: false,
  },
  healthCardsByCardNumber: {
    sql: () => `${CARD} WHERE card_number = ANY(?)`,
    keyColumn: 'number',
    many: false,
    embeds: false,
  },
};

/** Largest batch the service accepts, as a real agency endpoint would bound it. */
const MAX_KEYS = 1000;

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1_000_000) throw new Error('body too large');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

async function lookup(
  knex: Knex,
  op: Operation,
  keys: string[],
  include: readonly string[],
): Promise<unknown[]> {
  const result = await knex.raw(op.sql(include), [[...new Set(keys)]]);
  const rows = (result as { rows: Record<string, unknown>[] }).rows;
  const byKey = new Map<string, unknown[]>();
  for (const row of rows) {
    const key = row[op.keyColumn] as string;
    const list = byKey.get(key);
    if (list) list.push(row);
    else byKey.set(key, [row]);
  }
  return keys.map((key) => (op.many ? (byKey.get(key) ?? []) : (byKey.get(key)?.[0] ?? null)));
}

/** Creates (does not start) the agency's HTTP service over its insurance database. */
export function createInsuranceService(knex: Knex): http.Server {
  return http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && path === '/health') {
      knex
        .raw('SELECT 1')
        .then(() => send(res, 200, { status: 'ok' }))
        .catch(() => send(res, 503, { status: 'database unavailable' }));
      return;
    }
    if (req.method !== 'POST' || path !== '/v1/lookup') {
      send(res, 404, { error: 'not found' });
      return;
    }
    readJson(req)
      .then(async (body) => {
        const {
          op,
          keys,
          include = [],
        } = (body ?? {}) as {
          op?: unknown;
          keys?: unknown;
          include?: unknown;
        };
        const operation = typeof op === 'string' ? OPERATIONS[op] : undefined;
        if (!operation) {
          send(res, 400, { error: `op must be one of ${Object.keys(OPERATIONS).join(', ')}` });
          return;
        }
        if (
          !Array.isArray(keys) ||
          keys.length > MAX_KEYS ||
          !keys.every((key) => typeof key === 'string')
        ) {
          send(res, 400, { error: `keys must be an array of at most ${MAX_KEYS} strings` });
          return;
        }
        const embeddable = operation.embeds ? Object.keys(EMBEDDABLE) : [];
        if (
          !Array.isArray(include) ||
          !include.every((name) => typeof name === 'string' && embeddable.includes(name))
        ) {
          send(res, 400, {
            error: `include must be an array of: ${embeddable.join(', ') || 'nothing, for this op'}`,
          });
          return;
        }
        const embedded = [...new Set(include as string[])];
        send(res, 200, {
          results: await lookup(knex, operation, keys as string[], embedded),
        });
      })
      .catch((error: unknown) => {
        if (error instanceof SyntaxError) send(res, 400, { error: 'body must be JSON' });
        else send(res, 503, { error: 'insurance database unavailable' });
      });
  });
}
