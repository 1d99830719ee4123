/**
 * The API clients' command line: register, list, revoke, rotate keys, set purposes, register
 * persisted operations. Exit codes: 0 done, 1 refused (no such client, already registered,
 * revoked), 2 bad arguments or the database could not be used.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { knex, type Knex } from 'knex';
import {
  AccessError,
  AccessStore,
  migrateAccess,
  type ClientSummary,
  type PurposePolicy,
  type PurposeSpec,
} from '../src/access';

const DEFAULT_URL = 'postgres://postgres@127.0.0.1:5432/national';

const USAGE = `Usage: npx tsx scripts/clients.ts <command> [options]   (npm run --silent clients -- ...)

Commands:
  add <id> --name NAME [--purpose P:FIELDS]... [--consent P]... [--hide-actor P]...
           [--restrict P:DAYS]... [--rate N] [--persisted-only] [--auditor]
      Register a client and print its API key, once: only its SHA-256 hash is kept.
  list [--json]
      The clients, their status, purposes and key hints (never keys).
  revoke <id>
      Revoke a client; its key stops working at once.
  rotate <id>
      Give a client a new key, printed once; the old key stops working.
  purposes <id> [--purpose P:FIELDS]... [--consent P]... [--hide-actor P]... [--restrict P:DAYS]...
      Replace a client's purposes.
  operation <id> <FILE | ->
      Register a GraphQL document the client may run (persisted-only clients); prints its hash.

Purposes:
  --purpose P:FIELDS   purpose code P (a procedure code or a legal-basis code) and the fields it
                       may read, comma-separated: "*" (every field), a type ("Citizen") or a
                       coordinate ("Citizen.fullName"), e.g. --purpose EKYC:Citizen.fullName,Citizen.dateOfBirth
                       or --purpose 'DEMO:*' (quoted, so the shell leaves the * alone)
  --consent P          reads under P need the citizen's consent
  --hide-actor P       citizens do not see the actor of reads under P
  --restrict P:DAYS    reads under P stay hidden from citizens for DAYS days (investigations)
  --rate N             requests per minute (default 600)

Database: GATEWAY_DATABASE_URL, else DATABASE_URL, else ${DEFAULT_URL}.`;

/** An expected failure: printed as one line. */
class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** A parsed command, ready to run against the store. */
type Run = (store: AccessStore) => Promise<number>;

const PURPOSE_OPTIONS = {
  purpose: { type: 'string', multiple: true },
  consent: { type: 'string', multiple: true },
  'hide-actor': { type: 'string', multiple: true },
  restrict: { type: 'string', multiple: true },
} as const;

interface PurposeValues {
  purpose?: string[];
  consent?: string[];
  'hide-actor'?: string[];
  restrict?: string[];
}

function databaseUrl(): string {
  return process.env.GATEWAY_DATABASE_URL || process.env.DATABASE_URL || DEFAULT_URL;
}

/** The URL without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable connection string)';
  }
}

/** Turns the purpose options into purpose specs; every P named must have a --purpose. */
function purposesFrom(values: PurposeValues): PurposeSpec[] {
  const specs = new Map<string, PurposeSpec>();
  for (const option of values.purpose ?? []) {
    const colon = option.indexOf(':');
    const purpose = colon < 0 ? option : option.slice(0, colon);
    const fields =
      colon < 0
        ? []
        : option
            .slice(colon + 1)
            .split(',')
            .map((f) => f.trim());
    if (fields.length === 0 || fields.some((field) => field === '')) {
      throw new CliError(
        `--purpose ${option}: name the fields, e.g. ${purpose}:Citizen.fullName,Citizen.dateOfBirth, or '${purpose}:*' for every field`,
      );
    }
    if (specs.has(purpose)) throw new CliError(`--purpose ${purpose} is given twice`);
    specs.set(purpose, { purpose, fields });
  }
  const named = (option: string, purpose: string): PurposeSpec => {
    const spec = specs.get(purpose);
    if (!spec) throw new CliError(`--${option} ${purpose}: no --purpose ${purpose}:FIELDS given`);
    return spec;
  };
  for (const purpose of values.consent ?? []) named('consent', purpose).requiresConsent = true;
  for (const purpose of values['hide-actor'] ?? [])
    named('hide-actor', purpose).actorVisible = false;
  for (const option of values.restrict ?? []) {
    const [purpose, days, extra] = option.split(':');
    const count = Number(days);
    if (extra !== undefined || !Number.isInteger(count) || count < 1) {
      throw new CliError(`--restrict ${option}: expected P:DAYS, DAYS a positive whole number`);
    }
    named('restrict', purpose).restrictedDays = count;
  }
  return [...specs.values()];
}

function oneId(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw new CliError(`${command} needs exactly one client id`);
  return positionals[0];
}

function describePurposes(purposes: Map<string, PurposePolicy>): string {
  if (purposes.size === 0) return '(none)';
  return [...purposes]
    .map(([purpose, policy]) => {
      const notes = [
        policy.requiresConsent ? 'consent' : null,
        policy.actorVisible ? null : 'actor hidden',
        policy.restrictedDays ? `hidden ${policy.restrictedDays} days` : null,
      ].filter(Boolean);
      return `${purpose}:${policy.fields.join(',')}${notes.length ? ` [${notes.join(', ')}]` : ''}`;
    })
    .join('  ');
}

function printKey(apiKey: string): void {
  process.stdout.write(
    `API key: ${apiKey}\n` +
      'Store it now: it will not be shown again (only its SHA-256 hash is kept).\n',
  );
}

function add(args: string[]): Run {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...PURPOSE_OPTIONS,
      name: { type: 'string' },
      rate: { type: 'string' },
      'persisted-only': { type: 'boolean', default: false },
      auditor: { type: 'boolean', default: false },
    },
  });
  const id = oneId(positionals, 'add');
  if (!values.name) throw new CliError('add needs --name');
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && (!Number.isInteger(rate) || rate < 1)) {
    throw new CliError(
      `--rate: expected a positive whole number of requests per minute, got "${values.rate}"`,
    );
  }
  const spec = {
    id,
    name: values.name,
    purposes: purposesFrom(values),
    auditor: values.auditor,
    persistedOnly: values['persisted-only'],
    rateLimitPerMinute: rate,
  };
  return async (store) => {
    const { client, apiKey } = await store.addClient(spec);
    process.stdout.write(
      `Registered client ${client.id} (${client.name}); purposes: ${describePurposes(client.purposes)}\n`,
    );
    printKey(apiKey);
    return 0;
  };
}

function list(args: string[]): Run {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  return async (store) => printClients(await store.listClients(), values.json);
}

function printClients(clients: ClientSummary[], json: boolean): number {
  if (json) {
    const plain = clients.map((client) => ({
      ...client,
      purposes: Object.fromEntries(client.purposes),
    }));
    process.stdout.write(`${JSON.stringify(plain, null, 2)}\n`);
    return 0;
  }
  if (clients.length === 0) {
    process.stdout.write('No clients registered.\n');
    return 0;
  }
  for (const client of clients) {
    const flags = [
      client.auditor ? 'auditor' : null,
      client.persistedOnly ? 'persisted-only' : null,
      `${client.rateLimitPerMinute}/min`,
    ].filter(Boolean);
    process.stdout.write(
      `${client.id}  ${client.status}  key …${client.keyHint}  ${flags.join(', ')}  "${client.name}"\n` +
        `    created ${client.createdAt.toISOString()}` +
        (client.rotatedAt ? `, key rotated ${client.rotatedAt.toISOString()}` : '') +
        (client.revokedAt ? `, revoked ${client.revokedAt.toISOString()}` : '') +
        `\n    purposes: ${describePurposes(client.purposes)}\n`,
    );
  }
  return 0;
}

function revoke(args: string[]): Run {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const id = oneId(positionals, 'revoke');
  return async (store) => {
    await store.revokeClient(id);
    process.stdout.write(`Revoked client ${id}: its key no longer works.\n`);
    return 0;
  };
}

function rotate(args: string[]): Run {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const id = oneId(positionals, 'rotate');
  return async (store) => {
    const apiKey = await store.rotateKey(id);
    process.stdout.write(`New key for client ${id}; the old key no longer works.\n`);
    printKey(apiKey);
    return 0;
  };
}

function purposes(args: string[]): Run {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: PURPOSE_OPTIONS,
  });
  const id = oneId(positionals, 'purposes');
  const specs = purposesFrom(values);
  return async (store) => {
    await store.setPurposes(id, specs);
    const client = await store.client(id);
    process.stdout.write(`Purposes of ${id}: ${describePurposes(client?.purposes ?? new Map())}\n`);
    return 0;
  };
}

function operation(args: string[]): Run {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 2) throw new CliError('operation needs a client id and a file (or -)');
  const [id, file] = positionals;
  let document: string;
  try {
    document = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
  return async (store) => {
    process.stdout.write(`${await store.registerOperation(id, document)}\n`);
    return 0;
  };
}

const COMMANDS: Record<string, (args: string[]) => Run> = {
  add,
  list,
  revoke,
  rotate,
  purposes,
  operation,
};

// knex prints pool errors with stack traces; the commands report them as one line instead.
const quiet = (message: unknown) => {
  if (process.env.CLIENTS_DEBUG) process.stderr.write(`knex: ${String(message)}\n`);
};
const QUIET_LOG = { warn: quiet, error: quiet, deprecate: quiet, debug: quiet };

/** Turns a database or store error into one line a person can act on. */
function explain(error: unknown, url: string): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof AccessError) {
    return new CliError(error.message, error.kind === 'INVALID' ? 2 : 1);
  }
  const { code, message } = (error ?? {}) as { code?: string; message?: string };
  const where = redact(url);
  switch (code) {
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'ETIMEDOUT':
      return new CliError(`cannot connect to ${where} (${code}): is PostgreSQL running?`);
    case '3D000':
      return new CliError(`the database in ${where} does not exist`);
    case '28P01':
    case '28000':
      return new CliError(`${where} refused the credentials: ${message}`);
    case '42501':
      return new CliError(`permission denied on ${where}: ${message}`);
    default:
      return new CliError(`${message ?? String(error)}${code ? ` (${code})` : ''}`);
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  const parse = COMMANDS[command];
  if (!parse) throw new CliError(`unknown command "${command}"\n\n${USAGE}`);
  let run: Run;
  try {
    run = parse(args);
  } catch (error) {
    // parseArgs reports unknown or malformed options with a code of its own.
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      throw new CliError(`${(error as Error).message}\n\n${USAGE}`);
    }
    throw error;
  }
  const url = databaseUrl();
  let db: Knex | undefined;
  try {
    db = knex({ client: 'pg', connection: url, pool: { min: 0, max: 2 }, log: QUIET_LOG });
    await migrateAccess(db);
    return await run(new AccessStore(db));
  } catch (error) {
    throw explain(error, url);
  } finally {
    await db?.destroy();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const failure = error instanceof CliError ? error : new CliError(String(error));
    process.stderr.write(`clients: ${failure.message}\n`);
    process.exitCode = failure.exitCode;
  },
);
