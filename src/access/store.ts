import { randomUUID } from 'node:crypto';
import { parse } from 'graphql';
import type { Knex } from 'knex';
import { AccessError } from './errors';
import {
  API_KEY_PATTERN,
  generateApiKey,
  hashApiKey,
  keyHint,
  operationHash,
  sameDigest,
} from './keys';
import { FIELD_ENTRY, entryCovered } from './policy';
import type {
  ClientSpec,
  ClientSummary,
  Consent,
  ConsentGrant,
  PurposePolicy,
  PurposeSpec,
  RegisteredClient,
} from './types';

/** Requests per minute of a client registered without a rate. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** Requests per minute of the demo clients: generous, so benchmarks measure the gateway. */
export const DEMO_RATE_LIMIT_PER_MINUTE = 1_000_000;

/** The purpose under which `demo-portal` may read every field (contract). */
export const DEMO_PURPOSE = 'DEMO';

/** The purpose of `demo-ekyc` (contract). */
export const EKYC_PURPOSE = 'EKYC';

const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const PURPOSE_CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const CITIZEN_ID = /^\d{12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;
const MAX_KEY_LENGTH = 512;

interface PurposeJson {
  purpose: string;
  fields: string[];
  requires_consent: boolean;
  actor_visible: boolean;
  restricted_days: number | null;
}

interface ClientRow {
  id: string;
  name: string;
  key_hash: string;
  key_hint: string;
  status: 'ACTIVE' | 'REVOKED';
  auditor: boolean;
  persisted_only: boolean;
  rate_limit_per_minute: number;
  created_at: Date;
  revoked_at: Date | null;
  rotated_at: Date | null;
  purposes: PurposeJson[] | string;
}

interface ConsentRow {
  id: string;
  citizen_id: string;
  client_id: string;
  purpose: string;
  fields: string[];
  granted_at: Date;
  until: Date | null;
  revoked_at: Date | null;
}

// One statement per client lookup: the client and its purposes, aggregated.
const CLIENT_SELECT = `
  SELECT c.id, c.name, c.key_hash, c.key_hint, c.status, c.auditor, c.persisted_only,
         c.rate_limit_per_minute, c.created_at, c.revoked_at, c.rotated_at,
         COALESCE(
           json_agg(json_build_object(
             'purpose', p.purpose, 'fields', p.fields, 'requires_consent', p.requires_consent,
             'actor_visible', p.actor_visible, 'restricted_days', p.restricted_days
           ) ORDER BY p.purpose) FILTER (WHERE p.purpose IS NOT NULL),
           '[]'
         ) AS purposes
    FROM gateway.clients c
    LEFT JOIN gateway.client_purposes p ON p.client_id = c.id`;

function purposesOf(row: ClientRow): Map<string, PurposePolicy> {
  const list: PurposeJson[] =
    typeof row.purposes === 'string' ? JSON.parse(row.purposes) : row.purposes;
  return new Map(
    list.map((p) => [
      p.purpose,
      {
        fields: p.fields,
        requiresConsent: p.requires_consent,
        actorVisible: p.actor_visible,
        restrictedDays: p.restricted_days,
      },
    ]),
  );
}

function toClient(row: ClientRow): RegisteredClient {
  return {
    id: row.id,
    name: row.name,
    auditor: row.auditor,
    persistedOnly: row.persisted_only,
    rateLimitPerMinute: row.rate_limit_per_minute,
    purposes: purposesOf(row),
  };
}

function toSummary(row: ClientRow): ClientSummary {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    keyHint: row.key_hint,
    auditor: row.auditor,
    persistedOnly: row.persisted_only,
    rateLimitPerMinute: row.rate_limit_per_minute,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    rotatedAt: row.rotated_at,
    purposes: purposesOf(row),
  };
}

function toConsent(row: ConsentRow): Consent {
  return {
    id: row.id,
    citizenId: row.citizen_id,
    clientId: row.client_id,
    purpose: row.purpose,
    fields: row.fields,
    grantedAt: row.granted_at,
    until: row.until,
    revokedAt: row.revoked_at,
  };
}

function requireClientId(id: string): string {
  if (typeof id !== 'string' || !CLIENT_ID.test(id)) {
    throw new AccessError(
      'INVALID',
      `client id must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit; got ${JSON.stringify(id)}`,
      'id',
    );
  }
  return id;
}

function requireRate(rate: number): number {
  if (!Number.isInteger(rate) || rate < 1) {
    throw new AccessError(
      'INVALID',
      `rate limit must be a positive whole number of requests per minute; got ${rate}`,
      'rateLimitPerMinute',
    );
  }
  return rate;
}

/** Checks field entries and removes duplicates, keeping their order. */
function requireFields(fields: readonly string[], argument: string): string[] {
  if (!Array.isArray(fields) || fields.length === 0) {
    throw new AccessError('INVALID', 'at least one field entry is needed', argument);
  }
  const bad = fields.filter((field) => typeof field !== 'string' || !FIELD_ENTRY.test(field));
  if (bad.length > 0) {
    throw new AccessError(
      'INVALID',
      `field entries must be "*", a type name like "Citizen" or a coordinate like "Citizen.fullName"; got ${bad
        .map((field) => JSON.stringify(field))
        .join(', ')}`,
      argument,
    );
  }
  return [...new Set(fields)];
}

function normalisePurposes(purposes: readonly PurposeSpec[]): PurposeSpec[] {
  const seen = new Set<string>();
  return purposes.map((spec) => {
    if (typeof spec.purpose !== 'string' || !PURPOSE_CODE.test(spec.purpose)) {
      throw new AccessError(
        'INVALID',
        `purpose codes are letters, digits, ".", "_" or "-"; got ${JSON.stringify(spec.purpose)}`,
        'purpose',
      );
    }
    if (seen.has(spec.purpose)) {
      throw new AccessError('INVALID', `purpose ${spec.purpose} is given twice`, 'purpose');
    }
    seen.add(spec.purpose);
    const restrictedDays = spec.restrictedDays ?? null;
    if (restrictedDays !== null && (!Number.isInteger(restrictedDays) || restrictedDays < 1)) {
      throw new AccessError(
        'INVALID',
        `restricted days of ${spec.purpose} must be a positive whole number; got ${restrictedDays}`,
        'restrictedDays',
      );
    }
    return {
      purpose: spec.purpose,
      fields: requireFields(spec.fields, 'fields'),
      requiresConsent: spec.requiresConsent ?? false,
      actorVisible: spec.actorVisible ?? true,
      restrictedDays,
    };
  });
}

/**
 * Replaces a client's purposes with `purposes` inside `trx`. Upserts then deletes the rest, so
 * two replicas doing it at once both succeed.
 */
async function writePurposes(
  trx: Knex.Transaction,
  clientId: string,
  purposes: PurposeSpec[],
): Promise<void> {
  for (const spec of purposes) {
    await trx.raw(
      `INSERT INTO gateway.client_purposes
         (client_id, purpose, fields, requires_consent, actor_visible, restricted_days)
       VALUES (?, ?, ?::text[], ?, ?, ?)
       ON CONFLICT (client_id, purpose) DO UPDATE SET
         fields = excluded.fields, requires_consent = excluded.requires_consent,
         actor_visible = excluded.actor_visible, restricted_days = excluded.restricted_days`,
      [
        clientId,
        spec.purpose,
        spec.fields,
        spec.requiresConsent ?? false,
        spec.actorVisible ?? true,
        spec.restrictedDays ?? null,
      ],
    );
  }
  await trx.raw(
    'DELETE FROM gateway.client_purposes WHERE client_id = ? AND NOT (purpose = ANY(?::text[]))',
    [clientId, purposes.map((spec) => spec.purpose)],
  );
}

function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string } | null)?.code === '23505';
}

/**
 * The gateway's registry of API clients, their purposes, citizens' consents and persisted
 * operations, in the `gateway` schema (see `migrateAccess`). API keys are kept only as SHA-256
 * hashes; a key is shown once, when it is made.
 */
export class AccessStore {
  constructor(private readonly knex: Knex) {}

  /** The active client holding `apiKey`, or null for an unknown, revoked or malformed key. */
  async authenticate(apiKey: string): Promise<RegisteredClient | null> {
    if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > MAX_KEY_LENGTH) {
      return null;
    }
    const hash = hashApiKey(apiKey);
    const result = await this.knex.raw<{ rows: ClientRow[] }>(
      `${CLIENT_SELECT} WHERE c.key_hash = ? AND c.status = 'ACTIVE' GROUP BY c.id`,
      [hash],
    );
    const row = result.rows[0];
    if (!row || !sameDigest(row.key_hash, hash)) return null;
    return toClient(row);
  }

  /** Registers a client and returns its API key, which is not kept and cannot be shown again. */
  async addClient(spec: ClientSpec): Promise<{ client: RegisteredClient; apiKey: string }> {
    const id = requireClientId(spec.id);
    const name = typeof spec.name === 'string' ? spec.name.trim() : '';
    if (name === '') throw new AccessError('INVALID', 'a client needs a name', 'name');
    const purposes = normalisePurposes(spec.purposes ?? []);
    const rate = requireRate(spec.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE);
    const apiKey = spec.apiKey ?? generateApiKey();
    if (!API_KEY_PATTERN.test(apiKey)) {
      throw new AccessError(
        'INVALID',
        'an API key must be 8-256 letters, digits, "_" or "-"',
        'apiKey',
      );
    }
    try {
      await this.knex.transaction(async (trx) => {
        const existing = await trx.raw('SELECT 1 FROM gateway.clients WHERE id = ?', [id]);
        if (existing.rows.length > 0) {
          throw new AccessError('CONFLICT', `client ${id} is already registered`, 'id');
        }
        await trx.raw(
          `INSERT INTO gateway.clients
             (id, name, key_hash, key_hint, auditor, persisted_only, rate_limit_per_minute)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          [
            id,
            name,
            hashApiKey(apiKey),
            keyHint(apiKey),
            spec.auditor ?? false,
            spec.persistedOnly ?? false,
            rate,
          ],
        );
        await writePurposes(trx, id, purposes);
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AccessError('CONFLICT', `client ${id}, or its key, is already registered`, 'id');
      }
      throw error;
    }
    const client = await this.client(id);
    return { client: client as RegisteredClient, apiKey };
  }

  /** A client by id, active or not, or null; never its key. */
  async client(id: string): Promise<RegisteredClient | null> {
    const row = await this.clientRow(id);
    return row ? toClient(row) : null;
  }

  /** Every client, by id, with its key hint and status but never its key. */
  async listClients(): Promise<ClientSummary[]> {
    const result = await this.knex.raw<{ rows: ClientRow[] }>(
      `${CLIENT_SELECT} GROUP BY c.id ORDER BY c.id`,
    );
    return result.rows.map(toSummary);
  }

  /** Revokes a client: its key stops working at once. Revoking twice is harmless. */
  async revokeClient(id: string): Promise<void> {
    const result = await this.knex.raw(
      `UPDATE gateway.clients
          SET status = 'REVOKED', revoked_at = COALESCE(revoked_at, now())
        WHERE id = ? RETURNING id`,
      [id],
    );
    if (result.rows.length === 0) throw new AccessError('NOT_FOUND', `no client ${id}`, 'id');
  }

  /** Gives an active client a new random key and returns it; the old key stops working. */
  async rotateKey(id: string): Promise<string> {
    const apiKey = generateApiKey();
    const result = await this.knex.raw<{ rows: { status: string }[] }>(
      `UPDATE gateway.clients
          SET key_hash = CASE WHEN status = 'ACTIVE' THEN ? ELSE key_hash END,
              key_hint = CASE WHEN status = 'ACTIVE' THEN ? ELSE key_hint END,
              rotated_at = CASE WHEN status = 'ACTIVE' THEN now() ELSE rotated_at END
        WHERE id = ? RETURNING status`,
      [hashApiKey(apiKey), keyHint(apiKey), id],
    );
    const row = result.rows[0];
    if (!row) throw new AccessError('NOT_FOUND', `no client ${id}`, 'id');
    if (row.status !== 'ACTIVE') {
      throw new AccessError('CONFLICT', `client ${id} is revoked; register a new client`, 'id');
    }
    return apiKey;
  }

  /** Replaces a client's purposes. */
  async setPurposes(id: string, purposes: PurposeSpec[]): Promise<void> {
    const normalised = normalisePurposes(purposes);
    await this.knex.transaction(async (trx) => {
      const existing = await trx.raw('SELECT 1 FROM gateway.clients WHERE id = ? FOR UPDATE', [id]);
      if (existing.rows.length === 0) throw new AccessError('NOT_FOUND', `no client ${id}`, 'id');
      await writePurposes(trx, id, normalised);
    });
  }

  /**
   * Registers the contract's demo clients, whose id is also their API key: `demo-portal`
   * (every procedure code, and `DEMO`, with every field), `demo-ekyc` (`EKYC`: full name and
   * date of birth, with the citizen's consent) and `demo-auditor` (audit operations only).
   * Idempotent: each call restores them to exactly that, for the current catalogue. Only for
   * the embedded default; a deployment on real databases has no demo clients.
   */
  async registerDemoClients(procedureCodes: string[]): Promise<void> {
    const portalPurposes = [...new Set([...procedureCodes, DEMO_PURPOSE])].map((purpose) => ({
      purpose,
      fields: ['*'],
    }));
    const demos: (ClientSpec & { apiKey: string })[] = [
      {
        id: 'demo-portal',
        apiKey: 'demo-portal',
        name: 'Demo: National Public Service Portal',
        purposes: portalPurposes,
      },
      {
        id: 'demo-ekyc',
        apiKey: 'demo-ekyc',
        name: 'Demo: bank eKYC',
        purposes: [
          {
            purpose: EKYC_PURPOSE,
            fields: ['Citizen.fullName', 'Citizen.dateOfBirth'],
            requiresConsent: true,
          },
        ],
      },
      {
        id: 'demo-auditor',
        apiKey: 'demo-auditor',
        name: 'Demo: State Audit Office',
        auditor: true,
      },
    ];
    const prepared = demos.map((demo) => ({
      ...demo,
      purposes: normalisePurposes(demo.purposes ?? []),
    }));
    await this.knex.transaction(async (trx) => {
      for (const demo of prepared) {
        await trx.raw(
          `INSERT INTO gateway.clients
             (id, name, key_hash, key_hint, auditor, persisted_only, rate_limit_per_minute)
           VALUES (?, ?, ?, ?, ?, false, ?)
           ON CONFLICT (id) DO UPDATE SET
             name = excluded.name, key_hash = excluded.key_hash, key_hint = excluded.key_hint,
             status = 'ACTIVE', revoked_at = NULL, auditor = excluded.auditor,
             persisted_only = false, rate_limit_per_minute = excluded.rate_limit_per_minute`,
          [
            demo.id,
            demo.name,
            hashApiKey(demo.apiKey),
            keyHint(demo.apiKey),
            demo.auditor ?? false,
            DEMO_RATE_LIMIT_PER_MINUTE,
          ],
        );
        await writePurposes(trx, demo.id, demo.purposes);
      }
    });
  }

  /**
   * Records a citizen's consent for one client to read `fields` for `purpose` until `until`
   * (or until revoked). Throws `AccessError` (`INVALID`, naming the argument) when the client
   * is unknown or revoked, does not have that purpose, or the fields exceed what it permits.
   */
  async grantConsent(grant: ConsentGrant, now: Date = new Date()): Promise<Consent> {
    if (typeof grant.citizenId !== 'string' || !CITIZEN_ID.test(grant.citizenId)) {
      throw new AccessError('INVALID', 'a citizen id is 12 digits', 'citizenId');
    }
    const fields = requireFields(grant.fields, 'fields');
    const until = grant.until ?? null;
    if (until !== null && (!(until instanceof Date) || !(until.getTime() > now.getTime()))) {
      throw new AccessError('INVALID', 'until must be a moment in the future', 'until');
    }
    // One answer for an unknown client, an unregistered purpose and fields beyond it, so the
    // mutation tells a citizen nothing about which clients and purposes exist.
    const refused = () =>
      new AccessError(
        'INVALID',
        `no consent can be given to ${JSON.stringify(grant.clientId)} for purpose ${JSON.stringify(grant.purpose)} over these fields`,
        'client',
      );
    const row = await this.clientRow(grant.clientId);
    if (!row || row.status !== 'ACTIVE') throw refused();
    const client = toClient(row);
    const policy = client.purposes.get(grant.purpose);
    if (!policy) throw refused();
    if (fields.some((field) => !entryCovered(policy.fields, field))) throw refused();
    const result = await this.knex.raw<{ rows: ConsentRow[] }>(
      `INSERT INTO gateway.consents (id, citizen_id, client_id, purpose, fields, granted_at, until)
       VALUES (?, ?, ?, ?, ?::text[], ?, ?) RETURNING *`,
      [randomUUID(), grant.citizenId, client.id, grant.purpose, fields, now, until],
    );
    return toConsent(result.rows[0]);
  }

  /**
   * Revokes one of the citizen's own consents, effective for the next request, and returns it.
   * Another citizen's consent is reported as not found, so its existence is not revealed.
   */
  async revokeConsent(citizenId: string, consentId: string): Promise<Consent> {
    if (typeof consentId !== 'string' || !UUID.test(consentId)) {
      throw new AccessError('NOT_FOUND', `no consent ${JSON.stringify(consentId)} of yours`, 'id');
    }
    const result = await this.knex.raw<{ rows: ConsentRow[] }>(
      `UPDATE gateway.consents SET revoked_at = COALESCE(revoked_at, now())
        WHERE id = ? AND citizen_id = ? RETURNING *`,
      [consentId, citizenId],
    );
    if (result.rows.length === 0) {
      throw new AccessError('NOT_FOUND', `no consent ${JSON.stringify(consentId)} of yours`, 'id');
    }
    return toConsent(result.rows[0]);
  }

  /** Every consent the citizen ever gave, revoked and expired ones included, newest first. */
  async consentsOf(citizenId: string): Promise<Consent[]> {
    const result = await this.knex.raw<{ rows: ConsentRow[] }>(
      'SELECT * FROM gateway.consents WHERE citizen_id = ? ORDER BY granted_at DESC, id',
      [citizenId],
    );
    return result.rows.map(toConsent);
  }

  /**
   * For a batch of citizens, in one statement: the fields each one lets `clientId` read for
   * `purpose` at `now` (not revoked, not expired). Citizens with no consent in force are absent.
   */
  async consentsInForce(
    clientId: string,
    purpose: string,
    citizenIds: string[],
    now: Date = new Date(),
  ): Promise<Map<string, Set<string>>> {
    const granted = new Map<string, Set<string>>();
    const ids = [...new Set(citizenIds)];
    if (ids.length === 0) return granted;
    const result = await this.knex.raw<{ rows: { citizen_id: string; fields: string[] }[] }>(
      `SELECT citizen_id, fields FROM gateway.consents
        WHERE client_id = ? AND purpose = ? AND citizen_id = ANY(?::text[])
          AND revoked_at IS NULL AND (until IS NULL OR until > ?)`,
      [clientId, purpose, ids, now],
    );
    for (const row of result.rows) {
      const fields = granted.get(row.citizen_id) ?? new Set<string>();
      for (const field of row.fields) fields.add(field);
      granted.set(row.citizen_id, fields);
    }
    return granted;
  }

  /**
   * Registers an operation a client may run (for `persistedOnly` clients) and returns its
   * SHA-256 hash, hex, of the document exactly as given. Registering it again is harmless.
   */
  async registerOperation(clientId: string, document: string): Promise<string> {
    try {
      parse(document);
    } catch (error) {
      throw new AccessError(
        'INVALID',
        `the document is not GraphQL: ${(error as Error).message}`,
        'document',
      );
    }
    const hash = operationHash(document);
    try {
      await this.knex.raw(
        `INSERT INTO gateway.persisted_operations (client_id, hash, document) VALUES (?, ?, ?)
         ON CONFLICT (client_id, hash) DO NOTHING`,
        [clientId, hash, document],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23503') {
        throw new AccessError('NOT_FOUND', `no client ${clientId}`, 'client');
      }
      throw error;
    }
    return hash;
  }

  /** True when `hash` (SHA-256, hex) names an operation registered for the client. */
  async isRegisteredOperation(clientId: string, hash: string): Promise<boolean> {
    return (await this.persistedOperation(clientId, hash)) !== null;
  }

  /** The document registered for the client under `hash`, or null. */
  async persistedOperation(clientId: string, hash: string): Promise<string | null> {
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash.toLowerCase())) return null;
    const result = await this.knex.raw<{ rows: { document: string }[] }>(
      'SELECT document FROM gateway.persisted_operations WHERE client_id = ? AND hash = ?',
      [clientId, hash.toLowerCase()],
    );
    return result.rows[0]?.document ?? null;
  }

  /**
   * The document registered under `hash` by any client, or null: documents are named by their
   * content, so this tells nothing that the text would not, and which client may run it is
   * decided apart (`isRegisteredOperation`).
   */
  async registeredDocument(hash: string): Promise<string | null> {
    if (typeof hash !== 'string' || !SHA256_HEX.test(hash.toLowerCase())) return null;
    const result = await this.knex.raw<{ rows: { document: string }[] }>(
      'SELECT document FROM gateway.persisted_operations WHERE hash = ? LIMIT 1',
      [hash.toLowerCase()],
    );
    return result.rows[0]?.document ?? null;
  }

  private async clientRow(id: string): Promise<ClientRow | null> {
    if (typeof id !== 'string' || !CLIENT_ID.test(id)) return null;
    const result = await this.knex.raw<{ rows: ClientRow[] }>(
      `${CLIENT_SELECT} WHERE c.id = ? GROUP BY c.id`,
      [id],
    );
    return result.rows[0] ?? null;
  }
}
