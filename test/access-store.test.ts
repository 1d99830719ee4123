import { createHash, generateKeyPairSync } from 'node:crypto';
import { connect } from 'node:net';
import { knex, type Knex } from 'knex';
import { openConnections, type Connections } from '../adapters/connections';
import { NATIONAL_DATABASES, type DatabaseName } from '../mocks/databases';
import {
  GATEWAY_AUDIENCE,
  MOCK_VNEID_ISSUER,
  MOCK_VNEID_PUBLIC_KEY_PEM,
  issueCitizenToken,
} from '../mocks/vneid/issuer';
import {
  AccessError,
  AccessStore,
  createCitizenTokenVerifier,
  createRateLimiter,
  entryCovered,
  fieldAllowed,
  looksLikeJwt,
  migrateAccess,
  operationHash,
  type PurposePolicy,
  type RateLimiter,
} from '../src/access';

/**
 * The access store on the embedded database (PGlite) by default, or on real PostgreSQL when
 * TEST_DATABASE_URL is set. On PostgreSQL the suite works in a database of its own where it
 * can, so that resetting the `gateway` schema cannot disturb gateway tests running alongside.
 */
const TEST_URL = process.env.TEST_DATABASE_URL;
const QUIET = { warn() {}, error() {}, deprecate() {}, debug() {} };

let connections: Connections;
let db: Knex;
let store: AccessStore;
let admin: Knex | null = null;
let suiteDatabase: string | null = null;

function urls(url: string | undefined): Record<DatabaseName, string | undefined> {
  return Object.fromEntries(NATIONAL_DATABASES.map((name) => [name, url])) as Record<
    DatabaseName,
    string | undefined
  >;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

beforeAll(async () => {
  let url: string | undefined;
  if (TEST_URL) {
    admin = knex({ client: 'pg', connection: TEST_URL, pool: { min: 0, max: 1 }, log: QUIET });
    const name = `${new URL(TEST_URL).pathname.slice(1)}_access_${process.pid}`;
    try {
      await admin.raw(`CREATE DATABASE ${name}`);
      suiteDatabase = name;
    } catch {
      // No CREATEDB privilege: share the test database; the schema is still reset below.
    }
    url = suiteDatabase ? withDatabase(TEST_URL, suiteDatabase) : TEST_URL;
  }
  connections = await openConnections({
    databaseUrls: urls(url),
    poolSize: 4,
    sourceTimeoutMs: 5000,
  });
  db = connections.knexFor('population');
  await db.raw('DROP SCHEMA IF EXISTS gateway CASCADE');
  // Two replicas starting at once: both must succeed.
  await Promise.all([migrateAccess(db), migrateAccess(db)]);
  await migrateAccess(db);
  store = new AccessStore(db);
});

afterAll(async () => {
  await connections?.close();
  if (admin) {
    if (suiteDatabase) await admin.raw(`DROP DATABASE IF EXISTS ${suiteDatabase} WITH (FORCE)`);
    await admin.destroy();
  }
});

const CITIZEN = '001099012345';
const OTHER_CITIZEN = '079203004567';

async function expectAccessError(
  action: Promise<unknown>,
  kind: AccessError['kind'],
  argument?: string,
): Promise<AccessError> {
  const error = await action.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AccessError);
  const accessError = error as AccessError;
  expect(accessError.kind).toBe(kind);
  if (argument !== undefined) expect(accessError.argument).toBe(argument);
  return accessError;
}

/** Statements sent to the database while `action` runs. */
async function countQueries(action: () => Promise<unknown>): Promise<number> {
  let count = 0;
  const listener = () => {
    count += 1;
  };
  db.on('query', listener);
  try {
    await action();
  } finally {
    db.off('query', listener);
  }
  return count;
}

describe('clients and keys', () => {
  it('stores a key only as its SHA-256 hash and a 4-character hint', async () => {
    const { client, apiKey } = await store.addClient({
      id: 'hashed-key',
      name: 'Hashed key',
      purposes: [{ purpose: 'DEMO', fields: ['Citizen.fullName'] }],
    });
    expect(client.id).toBe('hashed-key');
    expect(apiKey).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const rows = await db('gateway.clients').where({ id: 'hashed-key' });
    expect(JSON.stringify(rows)).not.toContain(apiKey);
    expect(rows[0].key_hash).toBe(createHash('sha256').update(apiKey).digest('hex'));
    expect(rows[0].key_hint).toBe(apiKey.slice(-4));
    const everything = await db.raw(
      `SELECT row_to_json(t)::text AS row FROM gateway.clients t
       UNION ALL SELECT row_to_json(t)::text FROM gateway.client_purposes t`,
    );
    expect(JSON.stringify(everything.rows)).not.toContain(apiKey);
  });

  it('authenticates an active client and no one else', async () => {
    const { apiKey } = await store.addClient({
      id: 'auth-ok',
      name: 'Authenticated',
      purposes: [
        {
          purpose: 'LAND_TRANSFER',
          fields: ['Citizen', 'LandParcel.area'],
          actorVisible: false,
          restrictedDays: 30,
        },
      ],
      persistedOnly: true,
      rateLimitPerMinute: 42,
    });
    const client = await store.authenticate(apiKey);
    expect(client).toEqual({
      id: 'auth-ok',
      name: 'Authenticated',
      auditor: false,
      persistedOnly: true,
      rateLimitPerMinute: 42,
      purposes: new Map([
        [
          'LAND_TRANSFER',
          {
            fields: ['Citizen', 'LandParcel.area'],
            requiresConsent: false,
            actorVisible: false,
            restrictedDays: 30,
          },
        ],
      ]),
    });
    expect(await store.authenticate(`${apiKey}x`)).toBeNull();
    expect(await store.authenticate('auth-ok')).toBeNull();
    expect(await store.authenticate('')).toBeNull();
    expect(await store.authenticate('x'.repeat(10_000))).toBeNull();
    expect(await store.authenticate(undefined as unknown as string)).toBeNull();
  });

  it('refuses a revoked client at once', async () => {
    const { apiKey } = await store.addClient({ id: 'to-revoke', name: 'To revoke' });
    expect(await store.authenticate(apiKey)).not.toBeNull();
    await store.revokeClient('to-revoke');
    expect(await store.authenticate(apiKey)).toBeNull();
    await store.revokeClient('to-revoke'); // twice is harmless
    const listed = (await store.listClients()).find((client) => client.id === 'to-revoke');
    expect(listed?.status).toBe('REVOKED');
    expect(listed?.revokedAt).toBeInstanceOf(Date);
    await expectAccessError(store.revokeClient('no-such-client'), 'NOT_FOUND', 'id');
    await expectAccessError(store.rotateKey('to-revoke'), 'CONFLICT');
  });

  it('rotating a key invalidates the old one', async () => {
    const { apiKey: old } = await store.addClient({ id: 'rotating', name: 'Rotating' });
    const fresh = await store.rotateKey('rotating');
    expect(fresh).not.toBe(old);
    expect(await store.authenticate(old)).toBeNull();
    expect((await store.authenticate(fresh))?.id).toBe('rotating');
    const listed = (await store.listClients()).find((client) => client.id === 'rotating');
    expect(listed?.keyHint).toBe(fresh.slice(-4));
    expect(listed?.rotatedAt).toBeInstanceOf(Date);
    await expectAccessError(store.rotateKey('no-such-client'), 'NOT_FOUND');
  });

  it('lists clients with hints, never keys', async () => {
    const { apiKey } = await store.addClient({ id: 'listed', name: 'Listed', auditor: true });
    const clients = await store.listClients();
    const listed = clients.find((client) => client.id === 'listed');
    expect(listed).toMatchObject({ status: 'ACTIVE', auditor: true, keyHint: apiKey.slice(-4) });
    expect(listed?.createdAt).toBeInstanceOf(Date);
    expect(JSON.stringify(clients)).not.toContain(apiKey);
    expect(clients.map((client) => client.id)).toEqual(
      [...clients.map((client) => client.id)].sort(),
    );
  });

  it('validates what it registers', async () => {
    await store.addClient({ id: 'unique', name: 'Unique' });
    await expectAccessError(store.addClient({ id: 'unique', name: 'Again' }), 'CONFLICT', 'id');
    await expectAccessError(store.addClient({ id: 'bad id!', name: 'X' }), 'INVALID', 'id');
    await expectAccessError(store.addClient({ id: 'no-name', name: ' ' }), 'INVALID', 'name');
    await expectAccessError(
      store.addClient({ id: 'bad-rate', name: 'X', rateLimitPerMinute: 0 }),
      'INVALID',
    );
    await expectAccessError(
      store.addClient({
        id: 'bad-field',
        name: 'X',
        purposes: [{ purpose: 'P', fields: ['Citizen.'] }],
      }),
      'INVALID',
      'fields',
    );
    await expectAccessError(
      store.addClient({ id: 'no-fields', name: 'X', purposes: [{ purpose: 'P', fields: [] }] }),
      'INVALID',
      'fields',
    );
    await expectAccessError(
      store.addClient({ id: 'jwt-like-key', name: 'X', apiKey: 'a.b.c.d.e.f' }),
      'INVALID',
      'apiKey',
    );
    expect((await store.listClients()).map((client) => client.id)).not.toContain('bad-field');
  });

  it('replaces purposes', async () => {
    await store.addClient({
      id: 'purposeful',
      name: 'Purposeful',
      purposes: [
        { purpose: 'A', fields: ['*'] },
        { purpose: 'B', fields: ['Citizen'] },
      ],
    });
    await store.setPurposes('purposeful', [
      { purpose: 'B', fields: ['Citizen.fullName'], requiresConsent: true },
      { purpose: 'C', fields: ['Enterprise'] },
    ]);
    const client = await store.client('purposeful');
    expect([...(client?.purposes.keys() ?? [])].sort()).toEqual(['B', 'C']);
    expect(client?.purposes.get('B')).toEqual({
      fields: ['Citizen.fullName'],
      requiresConsent: true,
      actorVisible: true,
      restrictedDays: null,
    });
    await expectAccessError(store.setPurposes('nobody', []), 'NOT_FOUND');
    await store.setPurposes('purposeful', []);
    expect((await store.client('purposeful'))?.purposes.size).toBe(0);
  });
});

describe('demo clients', () => {
  const CODES = ['BIRTH_REGISTRATION', 'BUSINESS_REGISTRATION'];

  it('registers the contract demo clients, whose id is their key', async () => {
    await store.registerDemoClients(CODES);
    await store.registerDemoClients(CODES); // idempotent
    const portal = await store.authenticate('demo-portal');
    expect(portal?.id).toBe('demo-portal');
    expect(portal?.auditor).toBe(false);
    expect(portal?.persistedOnly).toBe(false);
    expect([...(portal?.purposes.keys() ?? [])].sort()).toEqual([...CODES, 'DEMO'].sort());
    for (const policy of portal?.purposes.values() ?? []) {
      expect(policy).toEqual({
        fields: ['*'],
        requiresConsent: false,
        actorVisible: true,
        restrictedDays: null,
      });
    }
    const ekyc = await store.authenticate('demo-ekyc');
    expect(ekyc?.auditor).toBe(false);
    expect(ekyc?.purposes).toEqual(
      new Map([
        [
          'EKYC',
          {
            fields: ['Citizen.fullName', 'Citizen.dateOfBirth'],
            requiresConsent: true,
            actorVisible: true,
            restrictedDays: null,
          },
        ],
      ]),
    );
    const auditor = await store.authenticate('demo-auditor');
    expect(auditor?.auditor).toBe(true);
    expect(auditor?.purposes.size).toBe(0);
    const rows = await db('gateway.clients').whereIn('id', [
      'demo-portal',
      'demo-ekyc',
      'demo-auditor',
    ]);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.key_hash).toBe(createHash('sha256').update(row.id).digest('hex'));
    }
  });

  it('follows the catalogue and restores a revoked demo client', async () => {
    await store.registerDemoClients(CODES);
    await store.revokeClient('demo-portal');
    expect(await store.authenticate('demo-portal')).toBeNull();
    await store.registerDemoClients(['CHANGED_PROCEDURE']);
    const portal = await store.authenticate('demo-portal');
    expect([...(portal?.purposes.keys() ?? [])].sort()).toEqual(['CHANGED_PROCEDURE', 'DEMO']);
    await store.registerDemoClients(CODES);
  });
});

describe('consents', () => {
  beforeAll(async () => {
    await store.registerDemoClients(['BIRTH_REGISTRATION']);
  });

  it('grants, is in force, and is revoked for the very next request', async () => {
    const consent = await store.grantConsent({
      citizenId: CITIZEN,
      clientId: 'demo-ekyc',
      purpose: 'EKYC',
      fields: ['Citizen.fullName'],
    });
    expect(consent).toMatchObject({
      citizenId: CITIZEN,
      clientId: 'demo-ekyc',
      purpose: 'EKYC',
      fields: ['Citizen.fullName'],
      until: null,
      revokedAt: null,
    });
    expect(consent.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(consent.grantedAt).toBeInstanceOf(Date);
    let inForce = await store.consentsInForce('demo-ekyc', 'EKYC', [CITIZEN, OTHER_CITIZEN]);
    expect(inForce).toEqual(new Map([[CITIZEN, new Set(['Citizen.fullName'])]]));
    expect(await store.consentsInForce('demo-ekyc', 'OTHER', [CITIZEN])).toEqual(new Map());
    expect(await store.consentsInForce('demo-portal', 'EKYC', [CITIZEN])).toEqual(new Map());

    // Only the citizen's own: another citizen's revocation is "not found".
    await expectAccessError(store.revokeConsent(OTHER_CITIZEN, consent.id), 'NOT_FOUND', 'id');
    await expectAccessError(store.revokeConsent(CITIZEN, 'not-a-uuid'), 'NOT_FOUND', 'id');
    const revoked = await store.revokeConsent(CITIZEN, consent.id);
    expect(revoked.revokedAt).toBeInstanceOf(Date);
    inForce = await store.consentsInForce('demo-ekyc', 'EKYC', [CITIZEN]);
    expect(inForce.has(CITIZEN)).toBe(false);
    const again = await store.revokeConsent(CITIZEN, consent.id);
    expect(again.revokedAt).toEqual(revoked.revokedAt);
  });

  it('expires', async () => {
    const now = new Date();
    const until = new Date(now.getTime() + 3600_000);
    await store.grantConsent(
      {
        citizenId: OTHER_CITIZEN,
        clientId: 'demo-ekyc',
        purpose: 'EKYC',
        fields: ['Citizen.dateOfBirth', 'Citizen.fullName'],
        until,
      },
      now,
    );
    const before = await store.consentsInForce('demo-ekyc', 'EKYC', [OTHER_CITIZEN], now);
    expect(before.get(OTHER_CITIZEN)).toEqual(new Set(['Citizen.dateOfBirth', 'Citizen.fullName']));
    const atEnd = await store.consentsInForce('demo-ekyc', 'EKYC', [OTHER_CITIZEN], until);
    expect(atEnd.has(OTHER_CITIZEN)).toBe(false);
    const later = new Date(until.getTime() + 1000);
    expect((await store.consentsInForce('demo-ekyc', 'EKYC', [OTHER_CITIZEN], later)).size).toBe(0);
  });

  it('refuses consents beyond the client and its purpose', async () => {
    const base = { citizenId: CITIZEN, clientId: 'demo-ekyc', purpose: 'EKYC' };
    await expectAccessError(
      store.grantConsent({ ...base, fields: ['Citizen.sex'] }),
      'INVALID',
      // One answer for every refusal of who and what, so none tells which clients exist.
      'client',
    );
    await expectAccessError(
      store.grantConsent({ ...base, fields: ['Citizen'] }),
      'INVALID',
      'client',
    );
    await expectAccessError(store.grantConsent({ ...base, fields: ['*'] }), 'INVALID', 'client');
    await expectAccessError(store.grantConsent({ ...base, fields: [] }), 'INVALID', 'fields');
    await expectAccessError(
      store.grantConsent({ ...base, fields: ['no such'] }),
      'INVALID',
      'fields',
    );
    await expectAccessError(
      store.grantConsent({ ...base, purpose: 'DEMO', fields: ['Citizen.fullName'] }),
      'INVALID',
      'client',
    );
    await expectAccessError(
      store.grantConsent({ ...base, clientId: 'nobody', fields: ['Citizen.fullName'] }),
      'INVALID',
      'client',
    );
    await expectAccessError(
      store.grantConsent({
        ...base,
        fields: ['Citizen.fullName'],
        until: new Date(Date.now() - 1000),
      }),
      'INVALID',
      'until',
    );
    await expectAccessError(
      store.grantConsent({ ...base, citizenId: '123', fields: ['Citizen.fullName'] }),
      'INVALID',
      'citizenId',
    );
    await store.addClient({
      id: 'revoked-bank',
      name: 'Revoked bank',
      purposes: [{ purpose: 'EKYC', fields: ['Citizen'] }],
    });
    await store.revokeClient('revoked-bank');
    await expectAccessError(
      store.grantConsent({ ...base, clientId: 'revoked-bank', fields: ['Citizen.fullName'] }),
      'INVALID',
      'client',
    );
    // A whole-type purpose covers any of the type's fields, and the type itself.
    await store.addClient({
      id: 'type-bank',
      name: 'Type bank',
      purposes: [{ purpose: 'EKYC', fields: ['Citizen'], requiresConsent: true }],
    });
    const consent = await store.grantConsent({
      ...base,
      clientId: 'type-bank',
      fields: ['Citizen', 'Citizen.sex'],
    });
    expect(consent.fields).toEqual(['Citizen', 'Citizen.sex']);
  });

  it('lists a citizen’s consents, newest first, revoked ones included', async () => {
    const citizen = '001199000001';
    const first = await store.grantConsent(
      { citizenId: citizen, clientId: 'demo-ekyc', purpose: 'EKYC', fields: ['Citizen.fullName'] },
      new Date(Date.now() - 60_000),
    );
    const second = await store.grantConsent({
      citizenId: citizen,
      clientId: 'demo-ekyc',
      purpose: 'EKYC',
      fields: ['Citizen.dateOfBirth'],
    });
    await store.revokeConsent(citizen, first.id);
    const consents = await store.consentsOf(citizen);
    expect(consents.map((consent) => consent.id)).toEqual([second.id, first.id]);
    expect(consents[1].revokedAt).toBeInstanceOf(Date);
    expect(await store.consentsOf('001199000002')).toEqual([]);
  });

  it('answers a batch of citizens in one statement', async () => {
    const citizens = Array.from({ length: 60 }, (_, i) => `0011990${String(i).padStart(5, '0')}`);
    for (const citizen of citizens.slice(0, 5)) {
      await store.grantConsent({
        citizenId: citizen,
        clientId: 'demo-ekyc',
        purpose: 'EKYC',
        fields: ['Citizen.fullName'],
      });
    }
    await store.grantConsent({
      citizenId: citizens[0],
      clientId: 'demo-ekyc',
      purpose: 'EKYC',
      fields: ['Citizen.dateOfBirth'],
    });
    let inForce = new Map<string, Set<string>>();
    const statements = await countQueries(async () => {
      inForce = await store.consentsInForce('demo-ekyc', 'EKYC', [...citizens, citizens[0]]);
    });
    expect(statements).toBe(1);
    expect([...inForce.keys()].sort()).toEqual(citizens.slice(0, 5));
    expect(inForce.get(citizens[0])).toEqual(new Set(['Citizen.fullName', 'Citizen.dateOfBirth']));
    expect(await countQueries(() => store.consentsInForce('demo-ekyc', 'EKYC', []))).toBe(0);
  });
});

describe('field policy', () => {
  const policy = (fields: string[]): PurposePolicy => ({
    fields,
    requiresConsent: false,
    actorVisible: true,
    restrictedDays: null,
  });

  it('understands *, whole types and coordinates', () => {
    expect(fieldAllowed(policy(['*']), 'Citizen', 'fullName')).toBe(true);
    expect(fieldAllowed(policy(['*']), 'LandParcel', 'area')).toBe(true);
    expect(fieldAllowed(policy(['Citizen']), 'Citizen', 'dateOfBirth')).toBe(true);
    expect(fieldAllowed(policy(['Citizen']), 'Enterprise', 'name')).toBe(false);
    expect(fieldAllowed(policy(['Citizen.fullName']), 'Citizen', 'fullName')).toBe(true);
    expect(fieldAllowed(policy(['Citizen.fullName']), 'Citizen', 'dateOfBirth')).toBe(false);
    expect(fieldAllowed(policy(['Citizen.fullName']), 'Enterprise', 'fullName')).toBe(false);
    expect(fieldAllowed(policy(['Citizen.fullName']), 'CitizenX', 'fullName')).toBe(false);
    expect(fieldAllowed(policy(['Citizen.full']), 'Citizen', 'fullName')).toBe(false);
    expect(fieldAllowed(policy([]), 'Citizen', 'fullName')).toBe(false);
    expect(fieldAllowed(policy([]), 'Citizen', '__typename')).toBe(true);
  });

  it('keeps consents within their purpose', () => {
    expect(entryCovered(['*'], '*')).toBe(true);
    expect(entryCovered(['Citizen'], 'Citizen')).toBe(true);
    expect(entryCovered(['Citizen'], 'Citizen.sex')).toBe(true);
    expect(entryCovered(['Citizen'], '*')).toBe(false);
    expect(entryCovered(['Citizen.fullName'], 'Citizen')).toBe(false);
    expect(entryCovered(['Citizen.fullName'], 'Citizen.fullName')).toBe(true);
    expect(entryCovered(['Citizen.fullName'], 'Enterprise.name')).toBe(false);
  });
});

describe('persisted operations', () => {
  it('registers operations per client, by SHA-256', async () => {
    await store.addClient({ id: 'persisted', name: 'Persisted', persistedOnly: true });
    await store.addClient({ id: 'other-client', name: 'Other' });
    const document = 'query Name($id: ID!) { citizen(id: $id) { fullName } }';
    const hash = await store.registerOperation('persisted', document);
    expect(hash).toBe(createHash('sha256').update(document).digest('hex'));
    expect(hash).toBe(operationHash(document));
    expect(await store.registerOperation('persisted', document)).toBe(hash);
    expect(await store.isRegisteredOperation('persisted', hash)).toBe(true);
    expect(await store.isRegisteredOperation('persisted', hash.toUpperCase())).toBe(true);
    expect(await store.persistedOperation('persisted', hash)).toBe(document);
    expect(await store.isRegisteredOperation('other-client', hash)).toBe(false);
    expect(await store.isRegisteredOperation('persisted', operationHash(`${document} `))).toBe(
      false,
    );
    expect(await store.isRegisteredOperation('persisted', 'not a hash')).toBe(false);
    await expectAccessError(store.registerOperation('nobody', document), 'NOT_FOUND', 'client');
    await expectAccessError(
      store.registerOperation('persisted', '{ citizen('),
      'INVALID',
      'document',
    );
  });
});

describe('citizen identity tokens', () => {
  const verifier = createCitizenTokenVerifier({
    publicKeyPem: MOCK_VNEID_PUBLIC_KEY_PEM,
    issuer: MOCK_VNEID_ISSUER,
  });

  it('round-trips a mock VNeID token', async () => {
    const before = Date.now();
    const token = await issueCitizenToken(CITIZEN);
    expect(looksLikeJwt(token)).toBe(true);
    const identity = await verifier.verify(token);
    expect(identity).toMatchObject({ citizenId: CITIZEN, level: 2 });
    const expiresAt = identity?.expiresAt.getTime() ?? 0;
    expect(expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3600_000);
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(payload).toMatchObject({
      iss: MOCK_VNEID_ISSUER,
      aud: GATEWAY_AUDIENCE,
      sub: CITIZEN,
      loa: 2,
    });
  });

  it('refuses an expired token', async () => {
    const token = await issueCitizenToken(CITIZEN, {
      issuedAt: new Date(Date.now() - 2 * 3600_000),
      ttlSeconds: 3600,
    });
    expect(await verifier.verify(token)).toBeNull();
  });

  it('refuses a wrong signature', async () => {
    const token = await issueCitizenToken(CITIZEN);
    const otherIssuer = generateKeyPairSync('ed25519').publicKey.export({
      format: 'pem',
      type: 'spki',
    });
    const strict = createCitizenTokenVerifier({
      publicKeyPem: otherIssuer.toString(),
      issuer: MOCK_VNEID_ISSUER,
    });
    expect(await strict.verify(token)).toBeNull();
    // The mock issuer's signature over another citizen's claims.
    const [header, payload, signature] = token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: OTHER_CITIZEN })).toString(
      'base64url',
    );
    expect(await verifier.verify(`${header}.${forged}.${signature}`)).toBeNull();
    // An unsigned token.
    const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
    expect(await verifier.verify(`${none}.${payload}.`)).toBeNull();
    expect(await verifier.verify(`${none}.${payload}.${signature}`)).toBeNull();
  });

  it('refuses a wrong audience', async () => {
    const token = await issueCitizenToken(CITIZEN, { audience: 'some-other-service' });
    expect(await verifier.verify(token)).toBeNull();
  });

  it('refuses level of assurance 1', async () => {
    const token = await issueCitizenToken(CITIZEN, { level: 1 });
    expect(await verifier.verify(token)).toBeNull();
    const lenient = createCitizenTokenVerifier({
      publicKeyPem: MOCK_VNEID_PUBLIC_KEY_PEM,
      issuer: MOCK_VNEID_ISSUER,
      minLevel: 1,
    });
    expect((await lenient.verify(token))?.level).toBe(1);
  });

  it('never throws for garbage', async () => {
    for (const garbage of [
      '',
      'demo-portal',
      'a.b.c',
      '...',
      'x'.repeat(20_000),
      `${'a'.repeat(9000)}.b.c`,
    ]) {
      await expect(verifier.verify(garbage)).resolves.toBeNull();
    }
    await expect(verifier.verify(undefined as unknown as string)).resolves.toBeNull();
    expect(looksLikeJwt('demo-portal')).toBe(false);
    expect(looksLikeJwt('TWP1c9hQch5eLGrZVaw4EAGdFivV0Q9bgahbljzwHlI')).toBe(false);
  });

  it('refuses a key that is not Ed25519', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({
      format: 'pem',
      type: 'spki',
    });
    expect(() =>
      createCitizenTokenVerifier({ publicKeyPem: rsa.toString(), issuer: MOCK_VNEID_ISSUER }),
    ).toThrow(/Ed25519/);
  });
});

/** True when Redis answers at `url` within a second. */
function redisReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

describe('rate limits', () => {
  const limiters: RateLimiter[] = [];
  const open = (...args: Parameters<typeof createRateLimiter>) => {
    const limiter = createRateLimiter(...args);
    limiters.push(limiter);
    return limiter;
  };
  afterAll(async () => {
    await Promise.all(limiters.map((limiter) => limiter.close()));
  });

  it('spends a per-client budget in memory', async () => {
    const limiter = open();
    expect(limiter.store).toBe('memory');
    expect(await limiter.ready()).toBe(true);
    for (let i = 0; i < 3; i += 1) {
      expect(await limiter.consume('memory-a', 3)).toEqual({ allowed: true, retryAfterSeconds: 0 });
    }
    const refused = await limiter.consume('memory-a', 3);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect((await limiter.consume('memory-b', 3)).allowed).toBe(true);
    expect((await limiter.consume('memory-c', 1)).allowed).toBe(true);
    expect((await limiter.consume('memory-c', 1)).allowed).toBe(false);
    // A budget below one request a minute admits nothing, and never throws.
    expect(await limiter.consume('memory-d', 0)).toEqual({ allowed: false, retryAfterSeconds: 60 });
  });

  it('falls back to memory when Redis cannot be reached, refusing nothing for that', async () => {
    const errors: Error[] = [];
    const limiter = open({
      redisUrl: 'redis://127.0.0.1:1',
      onRedisError: (error) => errors.push(error),
    });
    expect(limiter.store).toBe('redis');
    expect(await limiter.ready(300)).toBe(false);
    for (let i = 0; i < 3; i += 1) {
      expect((await limiter.consume('unreachable', 3)).allowed).toBe(true);
    }
    expect((await limiter.consume('unreachable', 3)).allowed).toBe(false);
    expect(errors.length).toBeGreaterThan(0);
  });

  it('shares one budget between replicas through Redis', async () => {
    const url = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
    const reachable = await redisReachable(url);
    const keyPrefix = `test:rate:${process.pid}:${Date.now()}`;
    const first = open({ redisUrl: url, keyPrefix });
    const second = open({ redisUrl: url, keyPrefix });
    expect(await first.ready()).toBe(reachable);
    expect(await second.ready()).toBe(reachable);
    if (!reachable) {
      // No Redis here: each replica keeps its own budget, and nothing is refused for that.
      for (let i = 0; i < 5; i += 1) expect((await first.consume('shared', 5)).allowed).toBe(true);
      expect((await second.consume('shared', 5)).allowed).toBe(true);
      return;
    }
    for (let i = 0; i < 3; i += 1) expect((await first.consume('shared', 5)).allowed).toBe(true);
    for (let i = 0; i < 2; i += 1) expect((await second.consume('shared', 5)).allowed).toBe(true);
    const refused = await second.consume('shared', 5);
    expect(refused.allowed).toBe(false);
    expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await first.consume('shared', 5)).allowed).toBe(false);
    expect((await first.consume('someone-else', 5)).allowed).toBe(true);
  });
});
