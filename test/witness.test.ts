import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Knex } from 'knex';
import {
  AuditLog,
  canonicalTimestamp,
  signingKeyFrom,
  type AuditEntryInput,
  type HashableEntry,
} from '../src/audit';
import {
  AuditWitnesses,
  HttpWitnessClient,
  LedgerWitnessClient,
  NOTE_ED25519,
  checkpointText,
  cosignLine,
  encodeVerifierKey,
  noteSigner,
  parseNote,
  parseVerifierKey,
  serveWitness,
  signNoteLine,
  witnessTargetsFrom,
  type WitnessServer,
} from '../src/witness';
import {
  ScratchDatabases,
  entriesFrom,
  newCosigner,
  newWitness,
  rechain,
  resetAudit,
} from './support/witness';

/**
 * The witness: its formats, its ledger's rules, and what it detects that the log alone cannot.
 * The log and the ledger live in two databases (PostgreSQL with TEST_DATABASE_URL, else two
 * embedded PGlite instances); attacks are made as a superuser with the triggers lifted.
 */
const dbs = new ScratchDatabases();
let logDb: Knex;
let ledgerDb: Knex;
const logKey = signingKeyFrom(generateKeyPairSync('ed25519').privateKey);
const attackerKey = signingKeyFrom(generateKeyPairSync('ed25519').privateKey);
const cleanups: (() => Promise<void>)[] = [];
let originCount = 0;

beforeAll(async () => {
  logDb = (await dbs.open('wlog')).knex;
  ledgerDb = (await dbs.open('wledger')).knex;
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await dbs.close();
});

const BASE = Date.now() - 3600_000;

function entry(i: number, overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    requestId: `req-${i}`,
    at: new Date(BASE + i * 1000),
    clientId: 'demo-portal',
    actor: 'official-7',
    purpose: 'DEMO',
    caseId: null,
    operation: 'citizen',
    documentHash: null,
    subjects: [`0010990${String(i).padStart(5, '0')}`],
    fields: ['Citizen.fullName'],
    denied: [],
    outcome: 'OK',
    durationMs: 4,
    restrictedUntil: null,
    ...overrides,
  };
}

function forged(i: number): HashableEntry {
  return {
    requestId: `forged-${i}`,
    clientRequestId: null,
    atText: canonicalTimestamp(new Date(BASE + i * 1000)),
    clientId: 'demo-portal',
    actor: 'official-7',
    purpose: 'DEMO',
    caseId: null,
    operation: 'citizen',
    documentHash: null,
    subjects: ['001099000001'],
    fields: ['Citizen.fullName'],
    denied: [],
    outcome: 'OK',
    durationMs: 4,
    restrictedUntilText: null,
  };
}

interface Setup {
  origin: string;
  server: WitnessServer;
  /** The witness's verifier key, as AUDIT_WITNESS_KEYS gives it. */
  witnessKey: string;
  /** Serves the same witness (ledger and key) again on `port`. */
  restart(port: number): Promise<void>;
  /** Sends the writer's checkpoints. */
  publisher: AuditWitnesses;
  log: AuditLog;
  /** Verifies with the witness consulted (a reader, as `npm run audit -- verify` is). */
  verifyWithWitness(keys?: AuditLog['keyId'][]): ReturnType<AuditLog['verify']>;
  /** Verifies from the log's database alone. */
  verifyAlone(): ReturnType<AuditLog['verify']>;
}

async function setup(options: { checkpointEvery?: number; port?: number } = {}): Promise<Setup> {
  await resetAudit(logDb);
  originCount += 1;
  const origin = `gateway.test/audit-${originCount}`;
  const cosigner = newCosigner();
  const witness = await newWitness(ledgerDb, origin, logKey, cosigner);
  let server = await serveWitness(witness, { port: options.port });
  const target = () => ({ client: new HttpWitnessClient(server.url, 1000), key: cosigner });
  const publisher = new AuditWitnesses({
    origin,
    knex: logDb,
    signingKey: logKey.privateKey,
    witnesses: [target()],
    retryMs: 50,
  });
  publisher.start();
  const log = new AuditLog(logDb, {
    signingKey: logKey,
    checkpointEvery: options.checkpointEvery ?? 10,
    witnessing: publisher,
  });
  const verificationKeys = [logKey.publicKey, attackerKey.publicKey];
  const result: Setup = {
    origin,
    get server() {
      return server;
    },
    witnessKey: encodeVerifierKey(cosigner),
    async restart(port) {
      server = await serveWitness(witness, { port });
    },
    publisher,
    log,
    verifyWithWitness: () =>
      new AuditLog(logDb, {
        verificationKeys,
        witnessing: new AuditWitnesses({ origin, knex: logDb, witnesses: [target()] }),
      }).verify(),
    verifyAlone: () => new AuditLog(logDb, { verificationKeys }).verify(),
  };
  cleanups.push(async () => {
    await log.close();
    await server.close();
  });
  return result;
}

/** Appends entries 1 to `count` in batches of ten, checkpoints, and waits for the witness. */
async function appendAndWitness(s: Setup, count: number): Promise<void> {
  for (let first = 1; first <= count; first += 10) {
    const last = Math.min(count, first + 9);
    await Promise.all(
      Array.from({ length: last - first + 1 }, (_, i) => s.log.append(entry(first + i))),
    );
  }
  await s.log.checkpoint();
  await s.publisher.drain(5000);
}

describe('formats (C2SP signed note, checkpoint, cosignature)', () => {
  const log = noteSigner(
    'example.test/log',
    NOTE_ED25519,
    generateKeyPairSync('ed25519').privateKey,
  );
  const body = { origin: 'example.test/log', size: 42n, hash: 'ab'.repeat(32) };

  it('writes a checkpoint note whose text is origin, size and base64 hash, and round-trips its key', () => {
    const text = checkpointText(body);
    expect(text).toBe(
      `example.test/log\n42\n${Buffer.from('ab'.repeat(32), 'hex').toString('base64')}\n`,
    );
    const note = `${text}\n${signNoteLine(log, text)}`;
    const parsed = parseNote(note);
    expect(parsed.text).toBe(text);
    expect(parsed.signatures).toHaveLength(1);
    expect(parsed.signatures[0].name).toBe('example.test/log');
    const key = parseVerifierKey(encodeVerifierKey(log));
    expect(key.keyId).toBe(log.keyId);
    expect(encodeVerifierKey(key)).toBe(encodeVerifierKey(log));
  });

  it('refuses a verifier key whose id does not match its key', () => {
    const text = encodeVerifierKey(log).replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    expect(() => parseVerifierKey(text)).toThrow(/key id does not match/);
  });

  it('cosigns with a timestamp the signature covers', async () => {
    const cosigner = newCosigner();
    const text = checkpointText(body);
    const line = cosignLine(cosigner, text, 1_700_000_000n);
    const bytes = Buffer.from(line.trim().split(' ')[2], 'base64');
    expect(bytes.length).toBe(4 + 8 + 64);
    expect(bytes.readBigUInt64BE(4)).toBe(1_700_000_000n);
  });

  it('pairs AUDIT_WITNESS_URL with AUDIT_WITNESS_KEYS and refuses a mismatch', () => {
    const key = encodeVerifierKey(newCosigner());
    expect(witnessTargetsFrom(['http://127.0.0.1:1'], [key])).toHaveLength(1);
    expect(() => witnessTargetsFrom(['http://127.0.0.1:1', 'http://127.0.0.1:2'], [key])).toThrow(
      /one verifier key per AUDIT_WITNESS_URL/,
    );
    const logKeyText = encodeVerifierKey(log);
    expect(() => witnessTargetsFrom(['http://127.0.0.1:1'], [logKeyText])).toThrow(/type 0x04/);
  });
});

describe('the witness ledger (tlog-witness add-checkpoint)', () => {
  const origin = 'ledger.test/log';
  const signer = noteSigner(origin, NOTE_ED25519, logKey.privateKey);
  const hash = (n: number) => n.toString(16).padStart(64, '0');
  const note = (size: number, h = hash(size), by = signer) => {
    const text = checkpointText({ origin, size: BigInt(size), hash: h });
    return `${text}\n${signNoteLine(by, text)}`;
  };

  it('accepts a checkpoint that extends the newest, refuses one that goes back or forks', async () => {
    await ledgerDb.raw('DROP SCHEMA IF EXISTS witness CASCADE');
    const witness = await newWitness(ledgerDb, origin, logKey);
    const client = new LedgerWitnessClient(witness, 'in-process');
    expect((await client.addCheckpoint(0n, note(10))).status).toBe(200);
    expect((await client.addCheckpoint(10n, note(20))).status).toBe(200);
    // Backwards: the old size is not the newest witnessed; the answer names it.
    expect(await client.addCheckpoint(10n, note(15))).toMatchObject({ status: 409, size: 20n });
    // The same size with another hash: a fork.
    expect(await client.addCheckpoint(20n, note(20, hash(999)))).toMatchObject({
      status: 409,
      size: 20n,
    });
    // The same checkpoint again is cosigned again, not stored twice.
    expect((await client.addCheckpoint(20n, note(20))).status).toBe(200);
    // Another key, an unknown log, a proof, a malformed body.
    const other = noteSigner(origin, NOTE_ED25519, attackerKey.privateKey);
    expect((await client.addCheckpoint(20n, note(30, hash(30), other))).status).toBe(403);
    const stranger = noteSigner('other.test/log', NOTE_ED25519, logKey.privateKey);
    const strangerText = checkpointText({ origin: 'other.test/log', size: 1n, hash: hash(1) });
    expect(
      (await client.addCheckpoint(0n, `${strangerText}\n${signNoteLine(stranger, strangerText)}`))
        .status,
    ).toBe(404);
    expect((await witness.addCheckpoint(`old 20\n${hash(1)}\n\n${note(30)}`)).status).toBe(422);
    expect((await witness.addCheckpoint('nonsense')).status).toBe(400);
    expect((await client.addCheckpoint(40n, note(30))).status).toBe(400);

    const list = await client.list(origin, 0n);
    expect(list.map((c) => c.size)).toEqual([10n, 20n]);
    expect(await client.latest(origin)).toBe(list[1].note);
    await expect(ledgerDb.raw('DELETE FROM witness.checkpoints')).rejects.toThrow(/append-only/);
  });

  it('serves the same over HTTP with the statuses of the specification', async () => {
    await ledgerDb.raw('DROP SCHEMA IF EXISTS witness CASCADE');
    const witness = await newWitness(ledgerDb, origin, logKey);
    const server = await serveWitness(witness);
    cleanups.push(() => server.close());
    const post = (body: string) => fetch(`${server.url}/add-checkpoint`, { method: 'POST', body });
    const first = await post(`old 0\n\n${note(5)}`);
    expect(first.status).toBe(200);
    expect(await first.text()).toMatch(/^\u2014 witness\.test\/w1 [A-Za-z0-9+/=]+\n$/);
    const conflict = await post(`old 0\n\n${note(6)}`);
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toBe('text/x.tlog.size');
    expect(await conflict.text()).toBe('5\n');
    const latest = await fetch(`${server.url}/checkpoint?origin=${encodeURIComponent(origin)}`);
    expect(latest.status).toBe(200);
    expect(parseNote(await latest.text()).signatures).toHaveLength(2);
    expect((await fetch(`${server.url}/checkpoint?origin=nobody`)).status).toBe(404);
  });
});

describe('attacks by a superuser of the log database', () => {
  it('a dropped tail with the head rewritten and its checkpoints deleted: only the witness sees it', async () => {
    const s = await setup();
    await appendAndWitness(s, 120);
    expect(s.publisher.status()[0]).toMatchObject({
      state: 'up',
      backlog: 0,
      lastWitnessedSequence: '120',
    });
    expect((await s.verifyWithWitness()).ok).toBe(true);

    const head = await rechain(logDb, 71, []);
    expect(head).toBe(70);
    const alone = await s.verifyAlone();
    expect(alone.ok).toBe(true);
    expect(alone.message).toMatch(/intact/);

    const report = await s.verifyWithWitness();
    expect(report.ok).toBe(false);
    expect(report.problem).toBe('DROPPED_TAIL');
    expect(report.firstBrokenSeq).toBe('71');
    expect(report.witnesses?.[0]).toMatchObject({ ok: false, lastWitnessedSequence: '120' });

    // A writer started on the cut log hears from the witness that the log lost its tail.
    const errors: Error[] = [];
    const restarted = new AuditWitnesses({
      origin: s.origin,
      knex: logDb,
      signingKey: logKey.privateKey,
      witnesses: [
        { client: new HttpWitnessClient(s.server.url), key: parseVerifierKey(s.witnessKey) },
      ],
      onError: (error) => errors.push(error),
    });
    restarted.start();
    for (let i = 0; i < 100 && errors.length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await restarted.close();
    expect(errors[0]?.message).toMatch(
      /holds a checkpoint of entry 120, beyond this log's newest \(70\): the log lost its tail/,
    );
    expect(report.message).toMatch(
      /ends at entry 70, but witness .* entry (80|90|100|110|120) .*last witnessed sequence 120/,
    );
  });

  it('an entry inserted in the middle and the chain re-hashed after it: only the witness sees it', async () => {
    const s = await setup();
    await appendAndWitness(s, 60);
    const rest = await entriesFrom(logDb, 35);
    await rechain(logDb, 35, [forged(35), ...rest]);
    expect((await s.verifyAlone()).ok).toBe(true);

    const report = await s.verifyWithWitness();
    expect(report).toMatchObject({ ok: false, problem: 'REWRITTEN', firstBrokenSeq: '31' });
    expect(report.message).toMatch(/Entry 40 is not the one witness .* cosigned/);
  });

  it('the chain rewritten from an entry on, with a new key signing new checkpoints: only the witness sees it', async () => {
    const s = await setup();
    await appendAndWitness(s, 50);
    await rechain(
      logDb,
      21,
      Array.from({ length: 40 }, (_, i) => forged(21 + i)),
      attackerKey,
    );
    const alone = await s.verifyAlone();
    expect(alone.ok).toBe(true);
    expect(alone.checkedCheckpoints).toBeGreaterThan(0);

    const report = await s.verifyWithWitness();
    expect(report).toMatchObject({ ok: false, problem: 'REWRITTEN', firstBrokenSeq: '21' });

    // The witness will not take the new key's checkpoints either.
    const errors: Error[] = [];
    const sender = new AuditWitnesses({
      origin: s.origin,
      knex: logDb,
      signingKey: attackerKey.privateKey,
      witnesses: [
        {
          client: new HttpWitnessClient(s.server.url),
          key: parseVerifierKey(s.witnessKey),
        },
      ],
      onError: (error) => errors.push(error),
    });
    sender.onCheckpoint({
      seq: '61',
      hash: 'cd'.repeat(32),
      at: new Date(),
      keyId: 'x',
      signature: '',
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await sender.close();
    expect(errors.map((e) => e.message).join('\n')).toMatch(/refused checkpoint 61 \(HTTP 403\)/);
  });

  it('a forged witness answer fails its signature', async () => {
    const s = await setup();
    await appendAndWitness(s, 30);
    await rechain(logDb, 11, []);
    // A stand-in answers for the witness with a checkpoint of the shortened log, cosigned by
    // a key of its own: the configured witness key does not verify it.
    const impostor = newCosigner();
    const text = checkpointText({
      origin: s.origin,
      size: 10n,
      hash: (await logDb.raw<{ rows: { hash: string }[] }>('SELECT hash FROM audit.head')).rows[0]
        .hash,
    });
    const signer = noteSigner(s.origin, NOTE_ED25519, logKey.privateKey);
    const note = `${text}\n${signNoteLine(signer, text)}${cosignLine(impostor, text, 1n)}`;
    const forgedClient = {
      url: 'http://forged.test',
      addCheckpoint: async () => ({ status: 400 as const, message: 'no' }),
      latest: async () => note,
      list: async () => [{ size: 10n, note }],
    };
    const realKey = parseVerifierKey(s.witnessKey);
    const report = await new AuditLog(logDb, {
      verificationKeys: [logKey.publicKey],
      witnessing: new AuditWitnesses({
        origin: s.origin,
        knex: logDb,
        witnesses: [{ client: forgedClient, key: realKey }],
      }),
    }).verify();
    expect(report).toMatchObject({ ok: false, problem: 'BAD_WITNESS_SIGNATURE' });
  });
});

describe('a witness outage', () => {
  it('under load loses no entry and delays no append; the backlog is sent when the witness returns', async () => {
    const s = await setup({ checkpointEvery: 25 });
    await appendAndWitness(s, 10);
    const port = (s.server.server.address() as AddressInfo).port;
    await s.server.close();

    // 400 appends from 40 concurrent writers while the witness is down.
    let next = 11;
    const committed: string[] = [];
    await Promise.all(
      Array.from({ length: 40 }, async () => {
        while (next <= 410) {
          const record = await s.log.append(entry(next++));
          committed.push(record.seq);
        }
      }),
    );
    expect(committed).toHaveLength(400);
    await s.log.checkpoint();
    await new Promise((resolve) => setTimeout(resolve, 150));
    const down = s.publisher.status()[0];
    expect(down.state).toBe('down');
    expect(down.backlog).toBeGreaterThanOrEqual(5);
    expect(down.lastWitnessedSequence).toBe('10');
    expect(down.lastError).toMatch(/unreachable/);
    const counted = await logDb.raw<{ rows: { n: string }[] }>(
      'SELECT count(*)::text AS n FROM audit.entries',
    );
    expect(counted.rows[0].n).toBe('410');

    // The same witness, its ledger intact, back on the same port.
    await s.restart(port);
    const deadline = Date.now() + 10_000;
    while (s.publisher.status()[0].backlog > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(s.publisher.status()[0]).toMatchObject({
      state: 'up',
      backlog: 0,
      lastWitnessedSequence: '410',
      lastError: null,
    });
    const report = await s.verifyWithWitness();
    expect(report.ok).toBe(true);
    expect(report.witnesses?.[0].checkedCheckpoints).toBeGreaterThanOrEqual(6);
  });
});

describe('logs that witness each other (the federation)', () => {
  it('each log keeps the other one’s checkpoints in its own database, and verify reports a cut', async () => {
    const peerDb = (await dbs.open('wpeer')).knex;
    await resetAudit(logDb);
    await resetAudit(peerDb);
    const keys = { a: logKey, b: signingKeyFrom(generateKeyPairSync('ed25519').privateKey) };
    const origins = { a: 'gateway.test/audit', b: 'population.test/audit' };
    const cosigners = {
      a: newCosigner('gateway.test/witness'),
      b: newCosigner('population.test/witness'),
    };
    await peerDb.raw('DROP SCHEMA IF EXISTS witness CASCADE');
    await ledgerDb.raw('DROP SCHEMA IF EXISTS witness CASCADE');
    // B's database witnesses A's log, and A's database B's.
    const inB = await newWitness(peerDb, origins.a, keys.a, cosigners.b);
    const inA = await newWitness(logDb, origins.b, keys.b, cosigners.a);
    const publisherA = new AuditWitnesses({
      origin: origins.a,
      knex: logDb,
      signingKey: keys.a.privateKey,
      witnesses: [{ client: new LedgerWitnessClient(inB, 'peer:population'), key: cosigners.b }],
    });
    const publisherB = new AuditWitnesses({
      origin: origins.b,
      knex: peerDb,
      signingKey: keys.b.privateKey,
      witnesses: [{ client: new LedgerWitnessClient(inA, 'peer:gateway'), key: cosigners.a }],
    });
    const a = new AuditLog(logDb, {
      signingKey: keys.a,
      checkpointEvery: 5,
      witnessing: publisherA,
    });
    const b = new AuditLog(peerDb, {
      signingKey: keys.b,
      checkpointEvery: 5,
      witnessing: publisherB,
    });
    cleanups.push(async () => {
      await a.close();
      await b.close();
    });
    for (let i = 1; i <= 20; i += 1) await Promise.all([a.append(entry(i)), b.append(entry(i))]);
    await Promise.all([a.checkpoint(), b.checkpoint(), publisherA.drain(), publisherB.drain()]);
    await publisherA.drain();
    await publisherB.drain();

    expect((await a.verify()).witnesses?.[0]).toMatchObject({
      ok: true,
      lastWitnessedSequence: '20',
    });
    expect((await inA.latest(origins.b))?.size).toBe(20n);

    // The population ministry's administrator drops B's tail: A's database shows it.
    await rechain(peerDb, 12, []);
    const report = await b.verify();
    expect(report).toMatchObject({ ok: false, problem: 'DROPPED_TAIL', firstBrokenSeq: '12' });
    expect(report.witnesses?.[0]).toMatchObject({
      url: 'peer:gateway',
      lastWitnessedSequence: '20',
    });
    expect((await a.verify()).ok).toBe(true);
  });
});
